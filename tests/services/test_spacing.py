"""Spacing rules through the booking service: every path refuses a start too close to another of
the patient's appointments of the type, and never leaves two such appointments too close."""
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from clinic.errors import DomainError
from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local
from clinic.models import Appointment, AppointmentAction, BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import (
    TooCloseToAnother,
    book_appointment,
    change_status,
    find_free_slots,
    reschedule_appointment,
)
from clinic.services.series import SeriesNotFree, book_series
from tests.services.conftest import NOW

MONDAY = date(2026, 12, 7)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CLINIC_TZ)


@pytest.fixture
def needling(appointment_type):
    """Dry needling with 48 hours between a patient's appointments."""
    found = appointment_type("dry_needling")
    found.min_hours_apart = 48
    db.session.commit()
    return found


def book(patient, appointment_type, start, chiropractor_id=1):
    return book_appointment(
        db.session, patient=patient, appointment_type=appointment_type, starts_at=start,
        chiropractor_id=chiropractor_id, source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )


def test_a_booking_too_soon_after_the_previous_one_is_refused_naming_it(needling, create_patient):
    patient = create_patient()
    previous = book(patient, needling, at(MONDAY))
    with pytest.raises(TooCloseToAnother) as refused:
        book(patient, needling, at(MONDAY + timedelta(days=1), 15), chiropractor_id=2)
    assert refused.value.status == 409 and refused.value.code == "spacing_too_short"
    assert refused.value.other.appointment_id == previous.id
    assert refused.value.details["other_appointment"]["start"] == "2026-12-07T10:00:00+01:00"
    assert refused.value.details["other_appointment"]["chiropractor"] == previous.chiropractor.name
    assert book(patient, needling, at(MONDAY + timedelta(days=2))).starts_at == at(MONDAY + timedelta(days=2))


def test_the_next_appointment_counts_too_and_other_patients_and_types_do_not(
    needling, appointment_type, create_patient
):
    patient = create_patient()
    book(patient, needling, at(MONDAY + timedelta(days=3)))
    with pytest.raises(TooCloseToAnother):
        book(patient, needling, at(MONDAY + timedelta(days=2)))
    book(create_patient(first_name="Daan"), needling, at(MONDAY + timedelta(days=2)))
    book(patient, appointment_type("sports_massage_30"), at(MONDAY + timedelta(days=2), 14))


def test_a_cancelled_appointment_does_not_count(needling, create_patient):
    patient = create_patient()
    first = book(patient, needling, at(MONDAY))
    change_status(db.session, first, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="Ziek")
    assert book(patient, needling, at(MONDAY + timedelta(days=1))).status == "booked"


def test_moving_an_appointment_keeps_the_spacing_but_not_from_itself(needling, create_patient):
    patient = create_patient()
    book(patient, needling, at(MONDAY))
    later = book(patient, needling, at(MONDAY + timedelta(days=3)))
    with pytest.raises(TooCloseToAnother):
        reschedule_appointment(db.session, later, at(MONDAY + timedelta(days=1)), source=BookingSource.FRONTDESK,
                               policy=STAFF_POLICY, now=NOW)
    db.session.rollback()
    moved = reschedule_appointment(db.session, later, at(MONDAY + timedelta(days=3), 14),
                                   source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    assert to_local(moved.starts_at).hour == 14


def test_the_patient_is_offered_only_times_that_keep_the_spacing(needling, create_patient):
    patient = create_patient()
    book(patient, needling, at(MONDAY + timedelta(days=1)))  # Tuesday 10:00
    wednesday = MONDAY + timedelta(days=2)
    offered = find_free_slots(db.session, needling, MONDAY, wednesday + timedelta(days=1), policy=STAFF_POLICY,
                              now=NOW, chiropractor_id=2, patient_id=patient.id)
    starts = {to_local(slot.start) for slot in offered}
    assert starts and all(abs(start - at(MONDAY + timedelta(days=1))) >= timedelta(hours=48) for start in starts)
    assert at(wednesday + timedelta(days=1), 10) in starts
    anyone = find_free_slots(db.session, needling, wednesday, wednesday, policy=STAFF_POLICY, now=NOW,
                             chiropractor_id=2)
    assert anyone


def test_a_series_date_too_close_to_another_is_a_conflict_with_alternatives_that_keep_the_spacing(
    needling, create_patient
):
    patient = create_patient()
    earlier = book(patient, needling, at(MONDAY - timedelta(days=6)))  # Tuesday 1 December
    db.session.commit()
    with pytest.raises(SeriesNotFree) as refused:
        book_series(db.session, patient=patient, appointment_type=needling, chiropractor_id=1,
                    first_start=at(MONDAY - timedelta(days=5)), rule="FREQ=WEEKLY;BYDAY=WE,TH;COUNT=4",
                    source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    db.session.rollback()
    conflicts = refused.value.refused
    # 2 December is a day after the earlier appointment; 10 December a day after the series' 9 December.
    assert [(to_local(c.start).date().isoformat(), c.code) for c in conflicts] == [
        ("2026-12-02", "spacing_too_short"), ("2026-12-10", "spacing_too_short"),
    ]
    kept = [earlier.starts_at, at(MONDAY - timedelta(days=4)), at(MONDAY + timedelta(days=2))]
    for conflict in conflicts:
        assert conflict.alternatives
        for slot in conflict.alternatives:
            assert all(abs(slot.start - other) >= timedelta(hours=48) for other in kept)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attempts=st.lists(
    st.tuples(st.integers(0, 9), st.sampled_from([9, 11, 14, 16]), st.sampled_from([1, 2]), st.booleans()),
    min_size=2, max_size=7,
))
def test_no_two_active_appointments_of_a_type_are_closer_than_its_spacing(needling, create_patient, attempts):
    """Bookings and moves in any order, with either chiropractor: the spacing always holds."""
    patient = create_patient()
    try:
        for day, hour, chiropractor_id, move in attempts:
            start = at(MONDAY + timedelta(days=day), hour)
            mine = db.session.scalars(select(Appointment).where(
                Appointment.patient_id == patient.id, Appointment.status == "booked")).all()
            try:
                if move and mine:
                    reschedule_appointment(db.session, mine[0], start, source=BookingSource.FRONTDESK,
                                           policy=STAFF_POLICY, now=NOW)
                else:
                    book(patient, needling, start, chiropractor_id)
            except TooCloseToAnother as refused:
                others = [a for a in mine if not (move and a is mine[0])]
                assert any(a.id == refused.other.appointment_id for a in others)
                assert abs(refused.other.start - start) < timedelta(hours=48)
            except DomainError:
                pass
            db.session.flush()
        starts = sorted(db.session.scalars(select(Appointment.starts_at).where(
            Appointment.patient_id == patient.id, Appointment.status != "cancelled")).all())
        assert all(later - earlier >= timedelta(hours=48) for earlier, later in zip(starts, starts[1:]))
    finally:
        db.session.rollback()
