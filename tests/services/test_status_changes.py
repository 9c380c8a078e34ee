"""Status changes at the right moment only, and a wrong one undone the same day, as an event of its own."""
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, ProgrammingError

from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.localtime import combine, utcnow
from clinic.models import AppointmentAction, AppointmentEvent, BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, change_status, undo_status
from tests.services.conftest import NOW

TUESDAY = date(2026, 12, 1)
START = combine(TUESDAY, time(9, 30))


@pytest.fixture
def appointment(appointment_type, create_patient, clock):
    clock.set(NOW)
    booked = book_appointment(
        db.session, patient=create_patient(), appointment_type=appointment_type("follow_up"), starts_at=START,
        chiropractor_id=1, source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    return booked


def change(appointment, action, **kwargs):
    return change_status(db.session, appointment, action, source=BookingSource.FRONTDESK, now=utcnow(), **kwargs)


def undo(appointment, reason="Wrong patient clicked"):
    return undo_status(db.session, appointment, reason=reason, source=BookingSource.FRONTDESK, now=utcnow())


@pytest.mark.parametrize("action", [AppointmentAction.CHECKED_IN, AppointmentAction.NO_SHOW,
                                    AppointmentAction.COMPLETED])
def test_a_tuesday_appointment_cannot_be_checked_in_or_ended_the_day_before(appointment, action):
    with pytest.raises(Invalid) as refused:
        change(appointment, action)
    assert refused.value.code == "too_early"
    db.session.rollback()
    assert appointment.status == "booked" and len(appointment.events) == 1


def test_check_in_opens_the_configured_time_before_the_start(appointment, clock):
    clock.set(START - timedelta(minutes=31))
    with pytest.raises(Invalid):
        change(appointment, AppointmentAction.CHECKED_IN, check_in_opens_before=timedelta(minutes=30))
    db.session.rollback()
    clock.set(START - timedelta(minutes=30))
    assert change(appointment, AppointmentAction.CHECKED_IN, check_in_opens_before=timedelta(minutes=30)).status \
        == "checked_in"


def test_a_no_show_is_undone_the_same_day_with_the_reason_kept_as_an_event(appointment, clock, create_account):
    clock.set(START + timedelta(minutes=15))
    change(appointment, AppointmentAction.NO_SHOW)
    db.session.commit()
    clock.advance(minutes=10)
    undo_status(db.session, appointment, reason="She was in the waiting room", source=BookingSource.FRONTDESK,
                now=utcnow(), user=create_account())
    db.session.commit()
    assert appointment.status == "booked"
    event = appointment.events[-1]
    assert (event.action, event.undone_status, event.reason, event.happened_at) == (
        "undone", "no_show", "She was in the waiting room", utcnow())
    assert change(appointment, AppointmentAction.CHECKED_IN).status == "checked_in"  # and on with the day


def test_an_undo_needs_a_reason(appointment, clock):
    clock.set(START)
    change(appointment, AppointmentAction.CHECKED_IN)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        undo(appointment, reason="  ")
    assert refused.value.fields == {"reason": "required"}


def test_a_status_set_yesterday_can_no_longer_be_undone(appointment, clock):
    clock.set(START + timedelta(hours=1))
    change(appointment, AppointmentAction.COMPLETED)
    db.session.commit()
    clock.set(combine(TUESDAY + timedelta(days=1), time(0, 0)))
    with pytest.raises(Invalid) as refused:
        undo(appointment)
    assert refused.value.code == "too_late_to_undo"


def test_booked_and_cancelled_appointments_have_nothing_to_undo(appointment):
    with pytest.raises(Conflict) as refused:
        undo(appointment)
    assert refused.value.code == "nothing_to_undo"
    change(appointment, AppointmentAction.CANCELLED, reason="ill")
    db.session.commit()
    with pytest.raises(Conflict):
        undo(appointment)


def test_the_appointment_history_is_append_only(appointment):
    for statement in ("UPDATE appointment_events SET reason = 'rewritten'", "DELETE FROM appointment_events"):
        with pytest.raises((IntegrityError, ProgrammingError), match="appointment_events_insert_only|permission denied"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(select(AppointmentEvent.reason)) == ""


def test_the_database_refuses_an_undo_event_without_reason_or_undone_status(appointment):
    for undone_status, reason in (("no_show", " "), (None, "forgot")):
        db.session.add(AppointmentEvent(appointment=appointment, action="undone", source="frontdesk",
                                        undone_status=undone_status, reason=reason))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
