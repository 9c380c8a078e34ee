"""Treatment series: booked wholly through the booking service, or not at all with the nearest free times."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local
from clinic.models import Appointment, AppointmentSeries, BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, reschedule_appointment
from clinic.services.series import SeriesNotFree, book_series, cancel_rest_of_series

# Monday 1 March 2027: the series below run across the last Sunday of March (the 28th).
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)
FIRST_TUESDAY = date(2027, 3, 16)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CLINIC_TZ)


@pytest.fixture
def series_of(appointment_type, create_patient):
    """Return a function booking a series with chiropractor 1 for a new patient (unless given), not committed."""

    def _series_of(first_start, rule="FREQ=WEEKLY;COUNT=4", patient=None, code="sports_massage_30", now=NOW):
        return book_series(
            db.session, patient=patient or create_patient(), appointment_type=appointment_type(code),
            chiropractor_id=1, first_start=first_start, rule=rule, source=BookingSource.FRONTDESK,
            policy=STAFF_POLICY, now=now,
        )

    return _series_of


def book_single(patient, appointment_type, start):
    return book_appointment(
        db.session, patient=patient, appointment_type=appointment_type, starts_at=start, chiropractor_id=1,
        source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )


def test_a_weekly_series_across_the_spring_change_is_booked_at_nine_every_week(series_of):
    booked = series_of(at(FIRST_TUESDAY), "FREQ=WEEKLY;COUNT=4")
    db.session.commit()
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.series_id == booked.series.id).order_by(Appointment.starts_at)
    ).all()
    assert [to_local(a.starts_at) for a in appointments] == [at(FIRST_TUESDAY + timedelta(weeks=n)) for n in range(4)]
    assert [a.starts_at.hour for a in appointments] == [8, 8, 7, 7]
    assert booked.series.rule == "DTSTART;TZID=Europe/Amsterdam:20270316T090000\nRRULE:FREQ=WEEKLY;COUNT=4"
    assert [e.action for a in appointments for e in a.events] == ["booked"] * 4


def test_a_weekly_series_across_the_autumn_change_is_booked_at_nine_every_week(series_of):
    booked = series_of(at(date(2027, 10, 19)), "FREQ=WEEKLY;COUNT=4", now=datetime(2027, 10, 1, tzinfo=timezone.utc))
    assert [a.starts_at.hour for a in booked.appointments] == [7, 7, 8, 8]
    assert {to_local(a.starts_at).time() for a in booked.appointments} == {time(9)}


def test_one_taken_time_books_nothing_and_names_that_time_with_the_nearest_free_ones(
    series_of, appointment_type, create_patient
):
    massage = appointment_type("sports_massage_30")
    taken = at(FIRST_TUESDAY + timedelta(weeks=2))
    book_single(create_patient(first_name="Daan"), massage, taken)
    db.session.commit()
    patient = create_patient()
    with pytest.raises(SeriesNotFree) as refused:
        series_of(at(FIRST_TUESDAY), "FREQ=WEEKLY;COUNT=4", patient=patient)
    db.session.rollback()
    (conflict,) = refused.value.refused
    assert (conflict.start, conflict.code) == (taken, "slot_taken")
    assert conflict.alternatives and taken not in [slot.start for slot in conflict.alternatives]
    assert abs(conflict.alternatives[0].start - taken) <= timedelta(hours=1)
    assert refused.value.details["conflicts"][0]["start"] == "2027-03-30T09:00:00+02:00"
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(Appointment.patient_id == patient.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(AppointmentSeries)) == 0


def test_a_time_outside_working_hours_is_listed_as_not_free(series_of):
    # Daily from Friday: Saturday and Sunday are not working days.
    with pytest.raises(SeriesNotFree) as refused:
        series_of(at(date(2027, 3, 19)), "FREQ=DAILY;COUNT=3")
    assert [(to_local(c.start).date().isoformat(), c.code) for c in refused.value.refused] == [
        ("2027-03-20", "booking_rejected"), ("2027-03-21", "booking_rejected"),
    ]


def test_cancelling_the_rest_cancels_the_future_booked_ones_and_moving_one_leaves_the_others(series_of):
    booked = series_of(at(FIRST_TUESDAY), "FREQ=WEEKLY;BYDAY=TU,FR;COUNT=6")
    db.session.commit()
    first, second, *rest = booked.appointments
    moved = reschedule_appointment(db.session, rest[0], rest[0].starts_at + timedelta(hours=2),
                                   source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    assert moved.series_id == booked.series.id
    assert [a.starts_at for a in rest[1:]] == [at(d) for d in (date(2027, 3, 26), date(2027, 3, 30), date(2027, 4, 2))]

    after_second = second.starts_at + timedelta(hours=1)
    with pytest.raises(Invalid):
        cancel_rest_of_series(db.session, booked.series, reason=" ", source=BookingSource.FRONTDESK, now=after_second)
    cancelled = cancel_rest_of_series(db.session, booked.series, reason="Klachten over", source=BookingSource.FRONTDESK,
                                      now=after_second)
    db.session.commit()
    assert cancelled == rest
    assert [a.status for a in booked.appointments] == ["booked", "booked"] + ["cancelled"] * 4


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    weeks_taken=st.sets(st.integers(0, 7), max_size=2),
    count=st.integers(1, 8),
    hour=st.sampled_from([9, 10, 11, 14, 15, 16]),
)
def test_a_series_is_booked_wholly_or_not_at_all(appointment_type, create_patient, weeks_taken, count, hour):
    """Other patients hold some weeks; the series gets every week, or none and each held week is named."""
    massage = appointment_type("sports_massage_30")
    other, patient = create_patient(first_name="Daan"), create_patient()
    try:
        for week in weeks_taken:
            book_single(other, massage, at(FIRST_TUESDAY + timedelta(weeks=week), hour))
        expected_conflicts = sorted(at(FIRST_TUESDAY + timedelta(weeks=w), hour) for w in weeks_taken if w < count)
        try:
            booked = book_series(
                db.session, patient=patient, appointment_type=massage, chiropractor_id=1,
                first_start=at(FIRST_TUESDAY, hour), rule=f"FREQ=WEEKLY;COUNT={count}",
                source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
            )
        except SeriesNotFree as refused:
            assert [c.start for c in refused.refused] == expected_conflicts
            booked = None
        mine = db.session.scalars(select(Appointment).where(Appointment.patient_id == patient.id)).all()
        if booked is None:
            assert mine == [] and expected_conflicts
        else:
            assert not expected_conflicts
            assert sorted(a.starts_at for a in mine) == [at(FIRST_TUESDAY + timedelta(weeks=n), hour) for n in range(count)]
            assert {a.series_id for a in mine} == {booked.series.id}
    finally:
        db.session.rollback()
