"""The booking service: rules from the availability engine, overlaps refused by the database."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.models import Appointment, AppointmentAction, AppointmentEvent, BookingSource, TimeOff
from clinic.scheduling import ONLINE_POLICY, STAFF_POLICY
from clinic.services.booking import (
    BookingRejected,
    SlotTaken,
    book_appointment,
    change_status,
    find_free_slots,
    reschedule_appointment,
)
from tests.services.conftest import NOW

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY = date(2026, 12, 1)


def at(hour: int, minute: int = 0, day: date = TUESDAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.fixture
def book(appointment_type, create_patient):
    """Return a function that books with the front desk's rules; a new patient unless given."""

    def _book(start, chiropractor_id=1, patient=None, code="sports_massage_30", policy=STAFF_POLICY):
        appointment = book_appointment(
            db.session,
            patient=patient or create_patient(),
            appointment_type=appointment_type(code),
            starts_at=start,
            chiropractor_id=chiropractor_id,
            source=BookingSource.FRONTDESK,
            policy=policy,
            now=NOW,
        )
        db.session.commit()
        return appointment

    return _book


def test_booking_occupies_the_chiropractor_through_the_buffer(book):
    appointment = book(at(9), code="dry_needling")  # 30 minutes + 10 minutes buffer
    assert appointment.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
    assert appointment.ends_at == appointment.starts_at + timedelta(minutes=30)
    assert appointment.buffer_ends_at == appointment.starts_at + timedelta(minutes=40)
    assert [e.action for e in appointment.events] == ["booked"]


def test_a_time_in_the_buffer_of_another_appointment_is_taken(book):
    book(at(9), code="dry_needling")
    with pytest.raises(SlotTaken):
        book(at(9, 30))
    assert book(at(9, 40)).starts_at == at(9, 40)


@pytest.mark.parametrize("start", [at(9, 15), at(8, 45), at(9, 0)])
def test_partial_and_exact_overlaps_are_refused(book, start):
    book(at(9))
    with pytest.raises(SlotTaken):
        book(start)


def test_back_to_back_appointments_are_fine(book):
    book(at(9))
    book(at(9, 30))
    book(at(8, 30))
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 3


def test_another_chiropractor_can_take_the_same_time(book):
    book(at(9), chiropractor_id=1)
    assert book(at(9), chiropractor_id=2).chiropractor_id == 2


def test_a_patient_cannot_be_in_two_places_at_once(book, create_patient):
    patient = create_patient()
    book(at(9), chiropractor_id=1, patient=patient)
    with pytest.raises(SlotTaken) as refused:
        book(at(9, 15), chiropractor_id=2, patient=patient)
    assert refused.value.code == "patient_busy"


def test_no_preference_takes_the_first_free_chiropractor(book):
    book(at(9), chiropractor_id=1)
    assert book(at(9), chiropractor_id=None).chiropractor_id == 2


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(7), "outside_working_hours"),
        (at(12, 45), "outside_working_hours"),  # lunch break
        (at(17, 15), "outside_working_hours"),  # would end after closing
        (datetime(2026, 11, 29, 9, 0, tzinfo=AMS), "in_past"),
        (datetime(2026, 12, 5, 10, 0, tzinfo=AMS), "outside_working_hours"),  # Saturday
    ],
)
def test_times_that_break_a_rule_are_rejected_with_its_code(book, start, code):
    with pytest.raises(BookingRejected) as rejected:
        book(start)
    assert code in {v.code.value for v in rejected.value.violations}
    assert rejected.value.status == 422


def test_time_off_blocks_booking(book):
    db.session.add(TimeOff(chiropractor_id=1, starts_at=at(9), ends_at=at(11), reason="course"))
    db.session.commit()
    with pytest.raises(BookingRejected) as rejected:
        book(at(10))
    assert [v.code.value for v in rejected.value.violations] == ["time_off"]


def test_online_rules_need_notice_and_the_quarter_hour_grid(book):
    with pytest.raises(BookingRejected):
        book(datetime(2026, 11, 30, 9, 30, tzinfo=AMS), policy=ONLINE_POLICY)  # 90 minutes' notice
    with pytest.raises(BookingRejected):
        book(at(9, 10), policy=ONLINE_POLICY)
    assert book(at(9, 15), policy=ONLINE_POLICY).starts_at == at(9, 15)


def test_cancelling_frees_the_slot_and_keeps_the_record(book):
    first = book(at(9))
    change_status(db.session, first, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW, reason="ill")
    db.session.commit()
    second = book(at(9))
    assert second.id != first.id
    assert db.session.get(Appointment, first.id).status == "cancelled"
    assert db.session.get(Appointment, first.id).cancel_reason == "ill"


def test_cancelling_needs_a_reason(book):
    appointment = book(at(9))
    with pytest.raises(Invalid) as refused:
        change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW)
    assert refused.value.fields == {"reason": "required"}


def test_status_changes_follow_the_lifecycle_and_are_recorded(book):
    appointment = book(at(9))
    for action in (AppointmentAction.CHECKED_IN, AppointmentAction.COMPLETED):
        change_status(db.session, appointment, action, source=BookingSource.FRONTDESK, now=at(9, 5))
    db.session.commit()
    with pytest.raises(Conflict):
        change_status(db.session, appointment, AppointmentAction.NO_SHOW, source=BookingSource.FRONTDESK, now=at(9, 5))
    actions = db.session.scalars(select(AppointmentEvent.action).order_by(AppointmentEvent.id)).all()
    assert actions == ["booked", "checked_in", "completed"]


def test_rescheduling_into_a_free_slot_moves_and_records_the_old_time(book):
    appointment = book(at(9))
    reschedule_appointment(db.session, appointment, at(11), source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    assert appointment.starts_at == at(11)
    assert appointment.events[-1].action == "rescheduled"
    assert appointment.events[-1].previous_starts_at == at(9)


def test_rescheduling_within_its_own_time_is_allowed(book):
    appointment = book(at(9))
    reschedule_appointment(db.session, appointment, at(9, 10), source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    assert appointment.starts_at == at(9, 10)


def test_rescheduling_into_a_taken_slot_is_refused(book):
    book(at(11))
    appointment = book(at(9))
    with pytest.raises(SlotTaken):
        reschedule_appointment(db.session, appointment, at(11, 15), source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    db.session.rollback()
    assert db.session.get(Appointment, appointment.id).starts_at == at(9)


def test_every_free_slot_can_be_booked_and_then_disappears(app, appointment_type, book):
    massage = appointment_type("sports_massage_60")
    slots = find_free_slots(db.session, massage, TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW, chiropractor_id=3)
    assert slots[0].start == at(8, 30) and slots[-1].start == at(16, 30)
    chosen = slots[len(slots) // 2]
    book(chosen.start, chiropractor_id=3, code="sports_massage_60")
    after = find_free_slots(db.session, massage, TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW, chiropractor_id=3)
    assert all(not (s.start < chosen.end and chosen.start < s.end) for s in after)
    assert len(after) < len(slots)


def test_the_database_refuses_an_overlap_even_from_raw_sql(book, create_patient):
    existing = book(at(9))
    other_patient = create_patient()
    statement = text(
        "INSERT INTO appointments (patient_id, chiropractor_id, appointment_type_id, starts_at, ends_at, "
        "buffer_ends_at, status, source, cancel_reason, created_at, updated_at) VALUES "
        "(:patient, 1, :type, :start, :end, :end, 'booked', 'frontdesk', '', :start, :start)"
    ).bindparams(patient=other_patient.id, type=existing.appointment_type_id)
    start, end = at(9, 10).astimezone(timezone.utc), at(9, 40).astimezone(timezone.utc)
    if db.engine.dialect.name == "sqlite":
        start, end = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    with pytest.raises(IntegrityError):
        db.session.execute(statement, {"start": start, "end": end})
    db.session.rollback()


def test_postgresql_holds_every_exclusion_constraint(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite uses the triggers tested above")
    names = db.session.scalars(text("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")).all()
    assert names == [
        "ex_appointments_chiropractor_no_overlap", "ex_appointments_patient_no_overlap",
        "ex_appointments_resource_no_overlap",
    ]
