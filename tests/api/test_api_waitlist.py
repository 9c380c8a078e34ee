"""POST and GET /api/v1/waitlist: the desk puts a patient on the waitlist and reads it, with the offers."""
from datetime import timedelta

from clinic.models import Role
from tests.api.test_api_appointments import error_fields


def wait(client, headers, patient_id, until, **wish):
    body = {"patient_id": patient_id, "type": "sports_massage_30", "until": until.isoformat(), **wish}
    return client.post("/api/v1/waitlist", json=body, headers=headers)


def test_the_desk_puts_a_patient_on_the_waitlist_and_reads_it_back(client, clinic, tuesday, staff, create_patient):
    patient = create_patient()
    response = wait(client, staff, patient.id, tuesday, chiropractor_ids=[2, 1], weekdays=[1, 3],
                    from_time="08:00", to_time="12:30")
    assert response.status_code == 201
    entry = response.json
    assert (entry["patient_id"], entry["type"], entry["status"], entry["created_by"]) == (
        patient.id, "sports_massage_30", "active", "frontdesk")
    assert (sorted(entry["chiropractor_ids"]), entry["weekdays"], entry["from_time"], entry["to_time"]) == (
        [1, 2], [1, 3], "08:00", "12:30")
    assert entry["until"] == tuesday.isoformat() and entry["offers"] == []
    listed = client.get("/api/v1/waitlist", headers=staff)
    assert listed.status_code == 200 and [e["id"] for e in listed.json["entries"]] == [entry["id"]]


def test_bad_wishes_are_422_with_dotted_fields(client, clinic, tuesday, staff, create_patient):
    patient_id = create_patient().id
    response = wait(client, staff, patient_id, tuesday, chiropractor_ids=[1, 99], weekdays=[1, 7], from_time="9")
    assert response.status_code == 422
    assert set(error_fields(response)) == {"weekdays.1", "from_time"}
    response = wait(client, staff, patient_id, tuesday - timedelta(days=30), chiropractor_ids=[1, 99],
                    from_time="12:00", to_time="09:00")
    assert error_fields(response) == {"until": "day_passed", "chiropractor_ids.1": "unknown",
                                      "to_time": "before_from_time"}
    assert wait(client, staff, patient_id, tuesday).status_code == 201
    assert error_fields(wait(client, staff, patient_id, tuesday)) == {"type": "already_waiting"}
    assert error_fields(wait(client, staff, 999999, tuesday)) == {"patient_id": "unknown"}


def test_a_chiropractor_reads_the_waitlist_but_does_not_add_to_it(client, clinic, tuesday, bearer, create_patient):
    chiropractor = bearer(Role.CHIROPRACTOR)
    assert client.get("/api/v1/waitlist", headers=chiropractor).status_code == 200
    assert wait(client, chiropractor, create_patient().id, tuesday).status_code == 403
