"""POST /api/v1/bookings: online booking for apps, with the public pages' rules."""
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, OutboxMessage, Role
from clinic.services.accounts import issue_api_token


def free_start(client, chiropractor_id=1):
    day = (to_local(utcnow()) + timedelta(days=3)).date()
    response = client.get(
        "/api/v1/availability",
        query_string={"type": "sports_massage_30", "from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat(),
                      "chiropractor": chiropractor_id},
    )
    return response.json["slots"][0]["start"]


def booking(start, **patient):
    return {
        "type": "sports_massage_30",
        "chiropractor_id": 1,
        "start": start,
        "patient": {"first_name": "Zoë", "last_name": "Jansen", "email": "zoe@example.nl",
                    "phone": "0612345678", "date_of_birth": "1992-03-04"} | patient,
        "consent": True,
    }


def test_a_booking_answers_201_with_the_appointment_and_its_manage_url(client, clinic):
    start = free_start(client)
    response = client.post("/api/v1/bookings", json=booking(start))
    assert response.status_code == 201, response.json
    assert response.json["appointment"]["start"] == start
    assert response.json["appointment"]["source"] == "online"
    assert re.search(r"/afspraak/beheer/[\w-]{40,}$", response.json["manage_url"])
    assert db.session.scalar(select(OutboxMessage.to_address)) == "zoe@example.nl"
    manage_path = response.json["manage_url"].split("localhost", 1)[1]
    assert "Uw afspraak" in client.get(manage_path).get_data(as_text=True)


def test_bookings_of_one_slot_sent_at_once_give_one_201_and_409s_never_a_500(app, client, clinic):
    start = free_start(client)
    db.session.rollback()
    racers = 8
    barrier = threading.Barrier(racers)

    def send(number: int) -> int:
        # A plain client: its requests push an app context of their own, as a server thread's do.
        own_client = FlaskClient(app, app.response_class)
        barrier.wait()
        return own_client.post("/api/v1/bookings", json=booking(start, email=f"racer{number}@example.nl")).status_code

    with ThreadPoolExecutor(racers) as pool:
        statuses = Counter(pool.map(send, range(racers)))
    assert statuses == {201: 1, 409: racers - 1}
    assert db.session.scalar(select(func.count(Appointment.id))) == 1


def test_a_taken_slot_is_409(client, clinic):
    start = free_start(client)
    assert client.post("/api/v1/bookings", json=booking(start)).status_code == 201
    taken = client.post("/api/v1/bookings", json=booking(start, email="other@example.nl"))
    assert taken.status_code == 409 and taken.json["error"]["code"] == "slot_taken"
    assert db.session.scalar(select(func.count(Appointment.id))) == 1


def test_bad_patient_details_are_422_per_nested_field(client, clinic):
    response = client.post("/api/v1/bookings", json=booking(free_start(client), email="nope", phone="12"))
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"patient.email": "invalid_email", "patient.phone": "invalid_phone"}


def test_a_date_of_birth_that_does_not_exist_is_named_as_the_inner_field(client, clinic):
    response = client.post("/api/v1/bookings", json=booking(free_start(client), date_of_birth="1990-02-30"))
    assert response.status_code == 422
    assert list(response.json["error"]["fields"]) == ["patient.date_of_birth"]


def test_consent_and_the_shape_are_checked(client, clinic):
    start = free_start(client)
    no_consent = client.post("/api/v1/bookings", json=booking(start) | {"consent": False})
    assert no_consent.status_code == 422 and no_consent.json["error"]["fields"] == {"consent": "required"}
    missing = client.post("/api/v1/bookings", json={"type": "sports_massage_30"})
    assert missing.status_code == 422 and {"start", "patient", "consent"} <= set(missing.json["error"]["fields"])
    naive = client.post("/api/v1/bookings", json=booking(start[:16]))
    assert naive.status_code == 422 and "start" in naive.json["error"]["fields"]


def test_availability_is_the_same_with_a_bearer_token_and_drops_a_slot_once_it_is_booked(client, clinic, create_account):
    """Visitors' answers are read outside a transaction on PostgreSQL; a token's request has begun one already."""
    day = (to_local(utcnow()) + timedelta(days=3)).date()
    query = {"type": "sports_massage_30", "from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat(),
             "chiropractor": 1}
    token = issue_api_token(db.session, create_account(Role.FRONTDESK))
    db.session.commit()
    as_visitor = client.get("/api/v1/availability", query_string=query).json["slots"]
    with_token = client.get("/api/v1/availability", query_string=query, headers={"Authorization": f"Bearer {token}"})
    assert with_token.json["slots"] == as_visitor
    assert client.post("/api/v1/bookings", json=booking(as_visitor[0]["start"])).status_code == 201
    after = client.get("/api/v1/availability", query_string=query).json["slots"]
    assert as_visitor[0] not in after and all(slot in as_visitor for slot in after)
