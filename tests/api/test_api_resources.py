"""The decompression table through the API: listed, shown on its type, and taken once per time."""
from clinic.extensions import db
from clinic.models import AppointmentType
from tests.api.conftest import local
from tests.api.test_api_appointments import book


def test_resources_are_listed_with_id_and_name(client, clinic):
    response = client.get("/api/v1/resources")
    assert response.status_code == 200
    table_id = db.session.query(AppointmentType).filter_by(code="decompression").one().resource_id
    assert response.json == {"resources": [{"id": table_id, "name": "Decompressietafel"}]}


def test_appointment_types_show_the_resource_they_need(client, clinic):
    types = {t["code"]: t for t in client.get("/api/v1/appointment-types").json["appointment_types"]}
    assert types["decompression"]["resource"]["name"] == "Decompressietafel"
    assert types["sports_massage_30"]["resource"] is None


def test_two_chiropractors_booking_the_table_at_one_time_give_one_201_and_one_resource_taken(
    client, clinic, tuesday, staff, create_patient
):
    start = local(tuesday, 9).isoformat()
    first = book(client, staff, create_patient().id, start, chiropractor_id=1, code="decompression")
    second = book(client, staff, create_patient().id, start, chiropractor_id=2, code="decompression")
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json["error"]["code"] == "resource_taken"


def test_online_booking_and_availability_leave_the_taken_table_out(client, clinic, tuesday, staff, create_patient):
    query = {"type": "decompression", "from": tuesday.isoformat(), "to": tuesday.isoformat(), "chiropractor": 2}
    before = [slot["start"] for slot in client.get("/api/v1/availability", query_string=query).json["slots"]]
    start = local(tuesday, 10).isoformat()
    assert start in before
    assert book(client, staff, create_patient().id, start, chiropractor_id=1, code="decompression").status_code == 201
    after = [slot["start"] for slot in client.get("/api/v1/availability", query_string=query).json["slots"]]
    assert start not in after and local(tuesday, 10, 30).isoformat() in after
    online = client.post("/api/v1/bookings", json={
        "type": "decompression", "chiropractor_id": 2, "start": start, "consent": True,
        "patient": {"first_name": "Zoë", "last_name": "Jansen", "email": "zoe@example.nl",
                    "phone": "0612345678", "date_of_birth": "1992-03-04"},
    })
    assert online.status_code == 409
    assert online.json["error"]["code"] == "resource_taken"
