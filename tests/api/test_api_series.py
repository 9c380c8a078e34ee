"""POST /api/v1/appointment-series: a course booked in one step, all or nothing; the rest cancelled in one.
And the spacing rule of a type, refused through the API with the appointment it is too close to."""
from datetime import timedelta

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment, AppointmentType, OutboxMessage
from tests.api.conftest import local
from tests.api.test_api_appointments import book, error_fields


def book_series(client, headers, patient_id, first_start, rule="FREQ=WEEKLY;COUNT=3", chiropractor_id=2):
    body = {"patient_id": patient_id, "chiropractor_id": chiropractor_id, "type": "sports_massage_30",
            "first_start": first_start, "rule": rule}
    return client.post("/api/v1/appointment-series", json=body, headers=headers)


def test_the_desk_books_a_weekly_course_at_the_same_local_time(client, clinic, tuesday, staff, create_patient):
    response = book_series(client, staff, create_patient(email="sanne@example.nl").id, local(tuesday, 10).isoformat())
    assert response.status_code == 201
    starts = [a["start"] for a in response.json["appointments"]]
    assert [start[:16] for start in starts] == [
        f"{tuesday + timedelta(weeks=n)}T10:00" for n in range(3)
    ]
    assert response.json["rule"].endswith("RRULE:FREQ=WEEKLY;COUNT=3")
    assert {a["source"] for a in response.json["appointments"]} == {"api"}
    # One confirmation for the course, queued with its first appointment (the worker lists them all).
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert (message.kind, message.appointment_id) == ("series_confirmation", response.json["appointments"][0]["id"])


def test_a_course_with_a_taken_week_books_nothing_and_lists_that_week_with_free_times(
    client, clinic, tuesday, staff, create_patient
):
    taken = local(tuesday + timedelta(weeks=1), 10).isoformat()
    assert book(client, staff, create_patient(first_name="Daan").id, taken, chiropractor_id=2).status_code == 201
    patient = create_patient()
    response = book_series(client, staff, patient.id, local(tuesday, 10).isoformat())
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "series_not_free"
    (conflict,) = error["conflicts"]
    assert (conflict["start"], conflict["code"]) == (taken, "slot_taken")
    assert conflict["alternatives"] and taken not in conflict["alternatives"]
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(Appointment.patient_id == patient.id)) == 0


def test_a_rule_without_an_end_or_too_long_is_422_on_the_rule(client, clinic, tuesday, staff, create_patient):
    patient_id = create_patient().id
    for rule, code in (("FREQ=WEEKLY", "rule_unbounded"), ("FREQ=WEEKLY;COUNT=27", "series_too_long"),
                       ("FREQ=SECONDLY;COUNT=2", "rule_invalid")):
        response = book_series(client, staff, patient_id, local(tuesday, 10).isoformat(), rule=rule)
        assert response.status_code == 422
        assert error_fields(response) == {"rule": code}


def test_cancelling_a_series_cancels_its_remaining_appointments_once(client, clinic, tuesday, staff, create_patient):
    series = book_series(client, staff, create_patient().id, local(tuesday, 10).isoformat()).json
    url = f"/api/v1/appointment-series/{series['series_id']}/cancellation"
    assert error_fields(client.post(url, json={"reason": ""}, headers=staff))
    response = client.post(url, json={"reason": "Klachten verdwenen"}, headers=staff)
    assert response.status_code == 200
    assert [a["id"] for a in response.json["cancelled"]] == [a["id"] for a in series["appointments"]]
    assert {a["status"] for a in response.json["cancelled"]} == {"cancelled"}
    assert client.post(url, json={"reason": "Nogmaals"}, headers=staff).json["cancelled"] == []
    missing = client.post("/api/v1/appointment-series/999/cancellation", json={"reason": "x"}, headers=staff)
    assert missing.status_code == 404


def test_the_desk_api_refuses_a_treatment_too_close_to_another_naming_it(client, clinic, tuesday, staff, create_patient):
    needling = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "dry_needling"))
    needling.min_hours_apart = 48
    db.session.commit()
    patient_id = create_patient().id
    first = book(client, staff, patient_id, local(tuesday, 10).isoformat(), chiropractor_id=2, code="dry_needling")
    assert first.status_code == 201
    response = book(client, staff, patient_id, local(tuesday + timedelta(days=1), 10).isoformat(), code="dry_needling")
    assert response.status_code == 409
    error = response.json["error"]
    assert (error["code"], error["fields"]) == ("spacing_too_short", {"start": "spacing_too_short"})
    assert error["other_appointment"]["id"] == first.json["id"]
    assert error["other_appointment"]["start"] == local(tuesday, 10).isoformat()
    series = book_series(client, staff, patient_id, local(tuesday + timedelta(days=2), 10).isoformat(),
                         rule="FREQ=DAILY;COUNT=1")
    assert series.status_code == 201  # exactly 48 hours later
