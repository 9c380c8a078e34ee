"""The scheduling endpoints: appointment types, availability, and the appointment book."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, AppointmentEvent, AppointmentType, BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment
from tests.api.conftest import local
from tests.mail_server import calendar_of, run_mail_worker

EARLY_NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def slots(client, **params):
    return client.get("/api/v1/availability", query_string=params)


def book(client, headers, patient_id, start, *, chiropractor_id=1, code="sports_massage_30"):
    body = {"patient_id": patient_id, "type": code, "start": start, "chiropractor_id": chiropractor_id}
    return client.post("/api/v1/appointments", json=body, headers=headers)


def error_fields(response) -> dict:
    assert set(response.json) == {"error"}
    assert set(response.json["error"]) == {"code", "message", "fields"}
    return response.json["error"]["fields"]


# Appointment types ----------------------------------------------------------------------------


def test_appointment_types_are_public_and_named_in_dutch_by_default(client, clinic):
    response = client.get("/api/v1/appointment-types")
    assert response.status_code == 200
    intake = next(t for t in response.json["appointment_types"] if t["code"] == "intake")
    assert intake == {
        "code": "intake",
        "name": "Intake en eerste behandeling",
        "duration_minutes": 45,
        "modality": "consult",
        "online_bookable": True,
        "min_hours_apart": 0,
        "resource": None,
    }


def test_appointment_types_are_named_in_the_language_asked(client, clinic):
    response = client.get("/api/v1/appointment-types", headers={"Accept-Language": "en-GB,en;q=0.9"})
    names = {t["code"]: t["name"] for t in response.json["appointment_types"]}
    assert names["intake"] == "Intake and first treatment"


def test_retired_appointment_types_are_not_listed(client, clinic):
    db.session.scalar(select(AppointmentType).where(AppointmentType.code == "decompression")).is_active = False
    db.session.commit()
    codes = [t["code"] for t in client.get("/api/v1/appointment-types").json["appointment_types"]]
    assert "decompression" not in codes
    assert "intake" in codes


# Availability ---------------------------------------------------------------------------------


def test_availability_lists_one_chiropractors_free_quarter_hours_with_the_amsterdam_offset(client, clinic, tuesday):
    response = slots(client, type="intake", **{"from": tuesday.isoformat(), "to": tuesday.isoformat()}, chiropractor=2)
    assert response.status_code == 200
    found = response.json["slots"]
    assert found[0] == {
        "chiropractor_id": 2,
        "start": local(tuesday, 8, 30).isoformat(),
        "end": local(tuesday, 9, 15).isoformat(),
    }
    assert found[1]["start"] == local(tuesday, 8, 45).isoformat()
    assert {slot["chiropractor_id"] for slot in found} == {2}
    assert all(datetime.fromisoformat(slot["start"]).utcoffset() == local(tuesday, 9).utcoffset() for slot in found)


def test_availability_of_every_chiropractor_is_sorted_by_start(client, clinic, tuesday):
    wednesday = tuesday + timedelta(days=1)
    response = slots(client, type="sports_massage_30", **{"from": tuesday.isoformat(), "to": wednesday.isoformat()})
    found = response.json["slots"]
    assert {slot["chiropractor_id"] for slot in found} == {1, 2, 3, 4}
    starts = [datetime.fromisoformat(slot["start"]) for slot in found]
    assert starts == sorted(starts)
    assert {start.date() for start in starts} == {tuesday, wednesday}


def test_a_booked_time_is_not_offered(client, clinic, tuesday, staff, create_patient):
    assert book(client, staff, create_patient().id, local(tuesday, 9).isoformat()).status_code == 201
    response = slots(client, type="sports_massage_30", **{"from": tuesday.isoformat(), "to": tuesday.isoformat()}, chiropractor=1)
    starts = [slot["start"] for slot in response.json["slots"]]
    assert local(tuesday, 8, 30).isoformat() in starts
    assert local(tuesday, 8, 45).isoformat() not in starts  # would run into the 09:00 booking
    assert local(tuesday, 9).isoformat() not in starts
    assert local(tuesday, 9, 30).isoformat() in starts


def test_availability_may_span_31_days(client, clinic, tuesday):
    response = slots(client, type="intake", **{"from": tuesday.isoformat(), "to": (tuesday + timedelta(days=30)).isoformat()})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "no_such_type"}, "type"),
        ({"chiropractor": "99"}, "chiropractor"),
        ({"chiropractor": "abc"}, "chiropractor"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "tomorrow"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"to": "FROM-1"}, "to"),
        ({"to": "FROM+31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"type": None}, "type"),
        ({"from": None}, "from"),
    ],
)
def test_bad_availability_parameters_are_422_naming_the_parameter(client, clinic, tuesday, params, field):
    query = {"type": "intake", "from": tuesday.isoformat(), "to": tuesday.isoformat()}
    for name, value in params.items():
        if value is None:
            del query[name]
        elif value.startswith("FROM"):
            query[name] = (tuesday + timedelta(days=int(value[4:]))).isoformat()
        else:
            query[name] = value
    response = slots(client, **query)
    assert response.status_code == 422
    assert field in error_fields(response)


def test_a_type_not_bookable_online_has_no_public_availability(client, clinic, tuesday):
    db.session.scalar(select(AppointmentType).where(AppointmentType.code == "intake")).is_online_bookable = False
    db.session.commit()
    response = slots(client, type="intake", **{"from": tuesday.isoformat(), "to": tuesday.isoformat()})
    assert response.status_code == 422
    assert error_fields(response) == {"type": "unknown"}


# Booking --------------------------------------------------------------------------------------


def test_booking_answers_201_with_the_appointment_and_its_location(client, clinic, tuesday, staff, create_patient):
    patient = create_patient()
    response = book(client, staff, patient.id, local(tuesday, 10).isoformat(), chiropractor_id=3)
    assert response.status_code == 201
    appointment = response.json
    assert appointment == {
        "id": appointment["id"],
        "patient_id": patient.id,
        "chiropractor_id": 3,
        "type": "sports_massage_30",
        "start": local(tuesday, 10).isoformat(),
        "end": local(tuesday, 10, 30).isoformat(),
        "status": "booked",
        "source": "api",
        "desk_remarks": "",
    }
    assert response.headers["Location"] == f"/api/v1/appointments/{appointment['id']}"
    assert client.get(response.headers["Location"], headers=staff).json == appointment


def test_a_booking_records_who_made_it_through_the_api(client, clinic, tuesday, staff, create_patient):
    appointment_id = book(client, staff, create_patient().id, local(tuesday, 10).isoformat()).json["id"]
    me = client.get("/api/v1/me", headers=staff).json
    event = db.session.scalars(select(AppointmentEvent).where(AppointmentEvent.appointment_id == appointment_id)).one()
    assert (event.action, event.source, event.user_id) == ("booked", "api", me["id"])


def test_a_booking_through_the_api_is_confirmed_to_the_patient_by_e_mail(
    app, client, clinic, tuesday, staff, create_patient, smtp_inbox
):
    patient = create_patient(email="sanne@example.nl", preferred_language="en")
    assert book(client, staff, patient.id, local(tuesday, 10).isoformat()).status_code == 201
    run_mail_worker(app)
    (confirmation,) = smtp_inbox.to("sanne@example.nl")
    assert str(confirmation["Subject"]).strip().startswith("Your appointment at MoveWell on Tuesday")
    assert str(calendar_of(confirmation)["METHOD"]) == "REQUEST"


def test_a_start_in_utc_is_the_same_instant_and_comes_back_in_amsterdam_time(client, clinic, tuesday, staff, create_patient):
    start = local(tuesday, 11).astimezone(timezone.utc)
    response = book(client, staff, create_patient().id, start.isoformat().replace("+00:00", "Z"))
    assert response.status_code == 201
    assert response.json["start"] == local(tuesday, 11).isoformat()


def test_without_a_chiropractor_the_first_one_free_is_booked(client, clinic, tuesday, staff, create_patient):
    start = local(tuesday, 9).isoformat()
    assert book(client, staff, create_patient().id, start).json["chiropractor_id"] == 1
    response = book(client, staff, create_patient().id, start, chiropractor_id=None)
    assert response.status_code == 201
    assert response.json["chiropractor_id"] == 2


def test_a_taken_slot_is_409(client, clinic, tuesday, staff, create_patient):
    assert book(client, staff, create_patient().id, local(tuesday, 9).isoformat()).status_code == 201
    response = book(client, staff, create_patient().id, local(tuesday, 9, 15).isoformat())
    assert response.status_code == 409
    assert response.json["error"]["code"] == "slot_taken"
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 1


def test_a_patient_cannot_be_in_two_places_at_once(client, clinic, tuesday, staff, create_patient):
    patient = create_patient()
    assert book(client, staff, patient.id, local(tuesday, 9).isoformat(), chiropractor_id=1).status_code == 201
    response = book(client, staff, patient.id, local(tuesday, 9).isoformat(), chiropractor_id=2)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "patient_busy"


@pytest.mark.parametrize(
    "when",
    [
        pytest.param(lambda tuesday: local(tuesday + timedelta(days=4), 10), id="saturday-closed"),
        pytest.param(lambda tuesday: local(tuesday, 12, 45), id="into-the-lunch-break"),
        pytest.param(lambda tuesday: local(date(2026, 1, 6), 10), id="in-the-past"),
    ],
)
def test_a_time_that_breaks_a_booking_rule_is_422_on_start(client, clinic, tuesday, staff, create_patient, when):
    response = book(client, staff, create_patient().id, when(tuesday).isoformat())
    assert response.status_code == 422
    assert response.json["error"]["code"] == "booking_rejected"
    assert "start" in error_fields(response)


@pytest.mark.parametrize("seconds", [0, 30])
def test_a_start_without_a_utc_offset_is_422_never_guessed(client, clinic, tuesday, staff, create_patient, seconds):
    wall_clock = local(tuesday, 10).replace(tzinfo=None, second=seconds).isoformat()
    response = book(client, staff, create_patient().id, wall_clock)
    assert response.status_code == 422
    assert "offset" in error_fields(response)["start"]


def test_a_start_with_seconds_is_422(client, clinic, tuesday, staff, create_patient):
    response = book(client, staff, create_patient().id, local(tuesday, 10).replace(second=30).isoformat())
    assert response.status_code == 422
    assert "start" in error_fields(response)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2026-12-01 25:00+01:00"}, "start"),
        ({"start": "0001-01-01T00:00:00+01:00"}, "start"),
        ({"start": "9999-12-31T23:59:00-01:00"}, "start"),
        ({"start": 1764576000}, "start"),
        ({"patient_id": 999}, "patient_id"),
        ({"patient_id": "1"}, "patient_id"),
        ({"patient_id": 1.5}, "patient_id"),
        ({"patient_id": True}, "patient_id"),
        ({"patient_id": 2**63}, "patient_id"),
        ({"chiropractor_id": 99}, "chiropractor_id"),
        ({"chiropractor_id": 0}, "chiropractor_id"),
        ({"type": "no_such_type"}, "type"),
        ({"type": "x" * 10_000}, "type"),
        ({"type": "intake\x00"}, "type"),
        ({"type": None}, "type"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_booking_fields_are_422_naming_the_field(client, clinic, tuesday, staff, create_patient, change, field):
    body = {"patient_id": create_patient().id, "type": "intake", "start": local(tuesday, 10).isoformat()} | change
    response = client.post("/api/v1/appointments", json=body, headers=staff)
    assert response.status_code == 422
    assert field in error_fields(response)
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 0


def test_missing_booking_fields_are_named(client, clinic, staff):
    response = client.post("/api/v1/appointments", json={}, headers=staff)
    assert response.status_code == 422
    assert set(error_fields(response)) == {"patient_id", "type", "start"}


# The day's book -------------------------------------------------------------------------------


@pytest.fixture
def booked_on_fixed_days(clinic, create_patient):
    """Book a winter and a summer morning (long past now, so booked with an earlier 'now')."""
    types = {t.code: t for t in db.session.scalars(select(AppointmentType))}
    made = []
    for start, chiropractor_id in [
        (local(date(2026, 1, 6), 9), 1),
        (local(date(2026, 1, 6), 9), 2),
        (local(date(2026, 7, 7), 9), 1),
    ]:
        made.append(
            book_appointment(
                db.session, patient=create_patient(), appointment_type=types["intake"], starts_at=start,
                chiropractor_id=chiropractor_id, source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=EARLY_NOW,
            )
        )
    db.session.commit()
    return made


def test_the_days_appointments_carry_the_offset_in_force_that_day(client, staff, booked_on_fixed_days):
    winter = client.get("/api/v1/appointments", query_string={"date": "2026-01-06"}, headers=staff)
    assert winter.status_code == 200
    assert [(a["start"], a["end"]) for a in winter.json["appointments"]] == [
        ("2026-01-06T09:00:00+01:00", "2026-01-06T09:45:00+01:00"),
        ("2026-01-06T09:00:00+01:00", "2026-01-06T09:45:00+01:00"),
    ]
    summer = client.get("/api/v1/appointments", query_string={"date": "2026-07-07"}, headers=staff)
    assert [a["start"] for a in summer.json["appointments"]] == ["2026-07-07T09:00:00+02:00"]


def test_the_days_appointments_can_be_narrowed_to_one_chiropractor(client, staff, booked_on_fixed_days):
    response = client.get("/api/v1/appointments", query_string={"date": "2026-01-06", "chiropractor": 2}, headers=staff)
    (only,) = response.json["appointments"]
    assert only["chiropractor_id"] == 2
    assert set(only) == {"id", "patient_id", "chiropractor_id", "type", "start", "end", "status", "source",
                         "desk_remarks"}
    assert (only["type"], only["status"], only["source"]) == ("intake", "booked", "frontdesk")


def test_a_day_without_appointments_is_an_empty_list(client, clinic, staff):
    response = client.get("/api/v1/appointments", query_string={"date": "2026-01-07"}, headers=staff)
    assert response.json == {"appointments": []}


@pytest.mark.parametrize("query", [{}, {"date": "2026-02-30"}, {"date": "2026-01-06", "chiropractor": 99}])
def test_a_bad_day_query_is_422(client, clinic, staff, query):
    response = client.get("/api/v1/appointments", query_string=query, headers=staff)
    assert response.status_code == 422
    assert set(error_fields(response)) <= {"date", "chiropractor"}
    assert error_fields(response)


# Changing an appointment ----------------------------------------------------------------------


@pytest.fixture
def booked(client, clinic, tuesday, staff, create_patient):
    """An appointment booked through the API on the coming Tuesday at 10:00 with chiropractor 1."""
    return book(client, staff, create_patient().id, local(tuesday, 10).isoformat()).json


def change(client, headers, appointment_id, **body):
    return client.patch(f"/api/v1/appointments/{appointment_id}", json=body, headers=headers)


def test_an_appointment_goes_from_checked_in_to_completed(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday, 9, 30))
    response = change(client, staff, booked["id"], status="checked_in")
    assert response.status_code == 200
    assert response.json == booked | {"status": "checked_in"}
    clock.set(local(tuesday, 10, 25))
    assert change(client, staff, booked["id"], status="completed").json["status"] == "completed"


@pytest.mark.parametrize("status", ["checked_in", "no_show", "completed"])
def test_a_status_change_days_before_the_appointment_is_422_too_early(client, clock, staff, booked, tuesday, status):
    clock.set(local(tuesday - timedelta(days=4), 10))  # the Friday before
    response = change(client, staff, booked["id"], status=status)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "too_early"
    assert db.session.get(Appointment, booked["id"]).status == "booked"


def test_a_check_in_after_the_appointments_day_is_422_too_late(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday + timedelta(days=1), 8))
    response = change(client, staff, booked["id"], status="checked_in")
    assert (response.status_code, response.json["error"]["code"]) == (422, "too_late")


def test_a_wrong_no_show_is_undone_the_same_day_with_a_reason(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday, 10, 15))
    assert change(client, staff, booked["id"], status="no_show").status_code == 200
    without_reason = change(client, staff, booked["id"], status="booked")
    assert (without_reason.status_code, error_fields(without_reason)) == (422, {"reason": "required"})
    response = change(client, staff, booked["id"], status="booked", reason="Was in the waiting room")
    assert response.status_code == 200
    assert response.json == booked
    event = db.session.get(Appointment, booked["id"]).events[-1]
    assert (event.action, event.undone_status, event.reason) == ("undone", "no_show", "Was in the waiting room")
    again = change(client, staff, booked["id"], status="booked", reason="twice")
    assert (again.status_code, again.json["error"]["code"]) == (409, "nothing_to_undo")


def test_a_status_set_on_an_earlier_day_is_422_too_late_to_undo(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday, 10, 15))
    change(client, staff, booked["id"], status="no_show")
    clock.set(local(tuesday + timedelta(days=1), 0, 1))
    response = change(client, staff, booked["id"], status="booked", reason="Oops")
    assert (response.status_code, response.json["error"]["code"]) == (422, "too_late_to_undo")
    assert db.session.get(Appointment, booked["id"]).status == "no_show"


def test_cancelling_needs_a_reason_and_keeps_it(client, staff, booked):
    refused = change(client, staff, booked["id"], status="cancelled")
    assert refused.status_code == 422
    assert error_fields(refused) == {"reason": "required"}
    response = change(client, staff, booked["id"], status="cancelled", reason="Patient is ill")
    assert response.status_code == 200
    assert response.json["status"] == "cancelled"
    assert db.session.get(Appointment, booked["id"]).cancel_reason == "Patient is ill"


def test_a_change_the_status_does_not_allow_is_409(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday, 10, 15))
    change(client, staff, booked["id"], status="no_show")
    response = change(client, staff, booked["id"], status="checked_in")
    assert response.status_code == 409
    assert response.json["error"]["code"] == "status_conflict"


def test_moving_an_appointment_keeps_its_length(client, staff, booked, tuesday):
    response = change(client, staff, booked["id"], start=local(tuesday, 14, 10).isoformat())
    assert response.status_code == 200
    assert (response.json["start"], response.json["end"]) == (
        local(tuesday, 14, 10).isoformat(),
        local(tuesday, 14, 40).isoformat(),
    )
    actions = [e.action for e in db.session.get(Appointment, booked["id"]).events]
    assert actions == ["booked", "rescheduled"]


def test_moving_onto_a_taken_time_is_409(client, staff, booked, tuesday, create_patient):
    assert book(client, staff, create_patient().id, local(tuesday, 15).isoformat()).status_code == 201
    response = change(client, staff, booked["id"], start=local(tuesday, 15, 10).isoformat())
    assert response.status_code == 409
    assert db.session.get(Appointment, booked["id"]).starts_at == local(tuesday, 10)


def test_moving_outside_working_hours_is_422(client, staff, booked, tuesday):
    response = change(client, staff, booked["id"], start=local(tuesday, 20).isoformat())
    assert response.status_code == 422
    assert response.json["error"]["code"] == "booking_rejected"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "booked"},
        {"status": "checked_in", "start": "2026-12-01T09:00:00+01:00"},
        {"reason": "no status"},
        {"start": "2026-12-01T09:00:00"},
        {"status": "cancelled", "reason": "x" * 501},
        {"status": "cancelled", "reason": "ill\x00"},
    ],
)
def test_a_bad_change_is_422(client, staff, booked, body):
    response = client.patch(f"/api/v1/appointments/{booked['id']}", json=body, headers=staff)
    assert response.status_code == 422
    assert error_fields(response)
    assert db.session.get(Appointment, booked["id"]).status == "booked"


@pytest.mark.parametrize("appointment_id", ["999", "2147483648", "0"])
def test_an_unknown_appointment_is_404(client, clinic, staff, appointment_id):
    for response in (
        client.get(f"/api/v1/appointments/{appointment_id}", headers=staff),
        client.patch(f"/api/v1/appointments/{appointment_id}", json={"status": "checked_in"}, headers=staff),
    ):
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"



# Remarks for the desk -------------------------------------------------------------------------


def test_desk_remarks_are_booked_with_the_appointment_and_read_back(client, clinic, tuesday, staff, create_patient):
    body = {"patient_id": create_patient().id, "type": "intake", "start": local(tuesday, 10).isoformat(),
            "desk_remarks": "  Komt met rolstoel "}
    booked = client.post("/api/v1/appointments", json=body, headers=staff)
    assert (booked.status_code, booked.json["desk_remarks"]) == (201, "Komt met rolstoel")
    read = client.get(booked.headers["Location"], headers=staff)
    assert read.json["desk_remarks"] == "Komt met rolstoel"


def test_an_appointment_booked_without_desk_remarks_has_none(client, staff, booked):
    assert booked["desk_remarks"] == ""


def test_desk_remarks_are_changed_alone_or_with_a_status(client, clock, staff, booked, tuesday):
    alone = change(client, staff, booked["id"], desk_remarks="Slechthorend")
    assert alone.status_code == 200
    assert alone.json == booked | {"desk_remarks": "Slechthorend"}
    clock.set(local(tuesday, 9, 30))
    both = change(client, staff, booked["id"], status="checked_in", desk_remarks="")
    assert (both.json["status"], both.json["desk_remarks"]) == ("checked_in", "")


@pytest.mark.parametrize("remarks", ["x" * 501, "nul\x00", 12, None])
def test_bad_desk_remarks_are_422_naming_the_field_and_change_nothing(client, staff, booked, remarks):
    response = change(client, staff, booked["id"], desk_remarks=remarks)
    assert response.status_code == 422
    assert set(error_fields(response)) == {"desk_remarks"}
    assert db.session.get(Appointment, booked["id"]).desk_remarks == ""


def test_too_long_desk_remarks_refuse_the_booking(client, clinic, tuesday, staff, create_patient):
    body = {"patient_id": create_patient().id, "type": "intake", "start": local(tuesday, 10).isoformat(),
            "desk_remarks": "x" * 501}
    response = client.post("/api/v1/appointments", json=body, headers=staff)
    assert (response.status_code, set(error_fields(response))) == (422, {"desk_remarks"})
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 0


def test_a_status_change_refused_keeps_the_old_desk_remarks(client, clock, staff, booked, tuesday):
    clock.set(local(tuesday - timedelta(days=4), 10))
    response = change(client, staff, booked["id"], status="checked_in", desk_remarks="Te vroeg")
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Appointment, booked["id"]).desk_remarks == ""
