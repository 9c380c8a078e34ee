"""The staffing service: working hours, time off and appointment types keep the clinic's rules."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from clinic.errors import Conflict, DomainError, Invalid
from clinic.extensions import db
from clinic.models import Appointment, AppointmentType, BookingSource, Chiropractor, TimeOff, WorkingHours
from clinic.scheduling import STAFF_POLICY
from clinic.services import staffing
from clinic.services.booking import BookingRejected, book_appointment, find_free_slots
from clinic.services.staffing import AppointmentTypeFields
from tests.services.conftest import NOW

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = date(2026, 11, 30)  # the Monday of NOW
MONDAY, SATURDAY = 0, 5


@pytest.fixture
def english(app):
    """Evaluate the services' messages as an English-speaking visitor would see them."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def messages(error: DomainError) -> dict[str, str]:
    return {field: str(message) for field, message in error.fields.items()}


@pytest.fixture
def jarco(clinic) -> Chiropractor:
    return db.session.scalar(select(Chiropractor).where(Chiropractor.slug == "jarco-schol"))


def add_hours(
    chiropractor, weekday=SATURDAY, start=time(9), end=time(12), valid_from=date(2026, 12, 5), valid_to=None
):
    hours = staffing.add_working_hours(
        db.session, chiropractor, weekday=weekday, start=start, end=end,
        valid_from=valid_from, valid_to=valid_to, today=TODAY,
    )
    db.session.commit()
    return hours


def slots_of(chiropractor, appointment_type, day):
    return find_free_slots(
        db.session, appointment_type, day, day, policy=STAFF_POLICY, now=NOW, chiropractor_id=chiropractor.id
    )


def hours_on(chiropractor, weekday):
    return [
        (h.start_time, h.end_time, h.valid_from, h.valid_to)
        for h in staffing.working_hours_of(db.session, chiropractor.id)
        if h.weekday == weekday
    ]


# Working hours


def test_added_hours_make_the_chiropractor_bookable_then(jarco, appointment_type):
    saturday = date(2026, 12, 5)
    before = slots_of(jarco, appointment_type(), saturday)
    add_hours(jarco)
    after = slots_of(jarco, appointment_type(), saturday)
    assert before == []
    assert after[0].start == datetime(2026, 12, 5, 9, tzinfo=AMS)
    assert after[-1].end == datetime(2026, 12, 5, 12, tzinfo=AMS)


@pytest.mark.parametrize("end", [time(9), time(8, 59)])
def test_hours_must_end_after_they_start(jarco, english, end):
    with pytest.raises(Invalid) as refused:
        add_hours(jarco, start=time(9), end=end)
    assert messages(refused.value) == {"end_time": "The end must be later than the start."}
    assert hours_on(jarco, SATURDAY) == []


def test_the_last_day_may_not_come_before_the_first(jarco, english):
    with pytest.raises(Invalid) as refused:
        add_hours(jarco, valid_from=date(2026, 12, 5), valid_to=date(2026, 12, 4))
    assert messages(refused.value) == {"valid_to": "The last day cannot be before the first day."}
    add_hours(jarco, valid_from=date(2026, 12, 5), valid_to=date(2026, 12, 5))
    assert hours_on(jarco, SATURDAY) == [(time(9), time(12), date(2026, 12, 5), date(2026, 12, 5))]


def test_new_hours_cannot_start_in_the_past(jarco, english):
    with pytest.raises(Invalid) as refused:
        add_hours(jarco, valid_from=TODAY - timedelta(days=1))
    assert set(messages(refused.value)) == {"valid_from"}
    add_hours(jarco, valid_from=TODAY)


def test_every_wrong_field_is_named_at_once(jarco):
    with pytest.raises(Invalid) as refused:
        add_hours(
            jarco, weekday=7, start=time(10), end=time(9), valid_from=date(2026, 1, 1), valid_to=date(2025, 1, 1)
        )
    assert set(refused.value.fields) == {"weekday", "end_time", "valid_from", "valid_to"}


def test_hours_that_overlap_other_hours_on_the_same_dates_are_refused(jarco, english):
    with pytest.raises(Invalid) as refused:
        add_hours(jarco, weekday=MONDAY, start=time(12), end=time(14), valid_from=date(2026, 12, 7))
    assert messages(refused.value) == {
        "start_time": "These hours overlap the hours 08:30–12:30 on the same day. "
        "End those first or choose other times."
    }
    assert len(hours_on(jarco, MONDAY)) == 2


def test_hours_may_touch_other_hours(jarco):
    add_hours(jarco, weekday=MONDAY, start=time(12, 30), end=time(13, 30), valid_from=date(2026, 12, 7))
    assert [(start, end) for start, end, _, _ in hours_on(jarco, MONDAY)] == [
        (time(8, 30), time(12, 30)), (time(12, 30), time(13, 30)), (time(13, 30), time(17, 30))
    ]


def test_new_hours_can_replace_hours_that_end_before_them(jarco):
    morning = next(h for h in staffing.working_hours_of(db.session, jarco.id) if h.weekday == MONDAY)
    staffing.end_working_hours(db.session, morning, date(2026, 12, 6), today=TODAY)
    add_hours(jarco, weekday=MONDAY, start=time(9), end=time(13, 30), valid_from=date(2026, 12, 7))
    assert hours_on(jarco, MONDAY)[:2] == [
        (time(8, 30), time(12, 30), date(2026, 1, 1), date(2026, 12, 6)),
        (time(9), time(13, 30), date(2026, 12, 7), None),
    ]


def test_ended_hours_stop_after_their_last_day(jarco, appointment_type):
    monday_hours = [h for h in staffing.working_hours_of(db.session, jarco.id) if h.weekday == MONDAY]
    for hours in monday_hours:
        staffing.end_working_hours(db.session, hours, date(2026, 12, 7), today=TODAY)
    db.session.commit()

    assert slots_of(jarco, appointment_type(), date(2026, 12, 7))
    assert not slots_of(jarco, appointment_type(), date(2026, 12, 14))
    assert all(h.valid_from == date(2026, 1, 1) for h in monday_hours), "the weeks before keep their hours"


def test_hours_cannot_be_ended_in_the_past_or_before_they_start(jarco, english):
    started = next(h for h in staffing.working_hours_of(db.session, jarco.id) if h.weekday == MONDAY)
    with pytest.raises(Invalid) as in_past:
        staffing.end_working_hours(db.session, started, TODAY - timedelta(days=1), today=TODAY)
    assert set(messages(in_past.value)) == {"last_day"}
    upcoming = add_hours(jarco, valid_from=date(2026, 12, 12))
    with pytest.raises(Invalid) as before_start:
        staffing.end_working_hours(db.session, upcoming, date(2026, 12, 11), today=TODAY)
    assert messages(before_start.value) == {"last_day": "The last day cannot be before the first day of these hours."}
    assert upcoming.valid_to is None and started.valid_to is None


def test_hours_that_ended_already_stay_as_they_were(jarco):
    db.session.add(
        WorkingHours(chiropractor=jarco, weekday=SATURDAY, start_time=time(9), end_time=time(12),
                     valid_from=date(2026, 1, 3), valid_to=date(2026, 6, 27))
    )
    db.session.commit()
    ended = next(h for h in staffing.working_hours_of(db.session, jarco.id) if h.weekday == SATURDAY)
    with pytest.raises(Conflict):
        staffing.end_working_hours(db.session, ended, date(2026, 12, 31), today=TODAY)


def test_moving_the_last_day_later_may_not_make_hours_overlap(jarco):
    first = add_hours(jarco, valid_from=date(2026, 12, 5), valid_to=date(2026, 12, 12))
    add_hours(jarco, start=time(10), end=time(13), valid_from=date(2026, 12, 19))
    with pytest.raises(Invalid) as refused:
        staffing.end_working_hours(db.session, first, date(2026, 12, 26), today=TODAY)
    assert set(refused.value.fields) == {"last_day"}
    staffing.end_working_hours(db.session, first, date(2026, 12, 13), today=TODAY)
    assert first.valid_to == date(2026, 12, 13)


def test_only_hours_that_have_not_started_can_be_deleted(jarco):
    upcoming = add_hours(jarco, valid_from=TODAY + timedelta(days=1))
    staffing.delete_working_hours(db.session, upcoming, today=TODAY)
    db.session.commit()
    assert hours_on(jarco, SATURDAY) == []
    starting_today = add_hours(jarco, valid_from=TODAY)
    with pytest.raises(Conflict):
        staffing.delete_working_hours(db.session, starting_today, today=TODAY)
    assert len(hours_on(jarco, SATURDAY)) == 1


# Time off


@pytest.fixture
def booked(jarco, appointment_type, create_patient):
    """Return a function booking a 30-minute massage (or ``code``) with Jarco at a local time."""

    def _booked(starts_at: datetime, code: str = "sports_massage_30") -> Appointment:
        appointment = book_appointment(
            db.session, patient=create_patient(), appointment_type=appointment_type(code),
            starts_at=starts_at, chiropractor_id=jarco.id, source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
            now=NOW,
        )
        db.session.commit()
        return appointment

    return _booked


def add_time_off(chiropractor, starts_at, ends_at, reason="Cursus"):
    added = staffing.add_time_off(
        db.session, chiropractor, starts_at=starts_at, ends_at=ends_at, reason=reason, now=NOW
    )
    db.session.commit()
    return added


def test_time_off_is_stored_in_utc_and_blocks_booking(jarco, booked):
    added = add_time_off(jarco, datetime(2026, 12, 2, 13, 30, tzinfo=AMS), datetime(2026, 12, 2, 17, 30, tzinfo=AMS))
    db.session.expire_all()
    stored = db.session.get(TimeOff, added.time_off.id)
    assert (stored.starts_at, stored.ends_at) == (
        datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc), datetime(2026, 12, 2, 16, 30, tzinfo=timezone.utc)
    )
    assert stored.reason == "Cursus" and added.appointments == []
    with pytest.raises(BookingRejected):
        booked(datetime(2026, 12, 2, 14, tzinfo=AMS))


def test_time_off_over_appointments_is_saved_and_names_them(jarco, booked):
    # Dry needling: 30 minutes and 10 minutes' buffer, so only the buffer reaches into the time off.
    ending_at_start = booked(datetime(2026, 12, 2, 13, 30, tzinfo=AMS), code="dry_needling")
    inside = booked(datetime(2026, 12, 2, 14, 30, tzinfo=AMS))
    overlapping_end = booked(datetime(2026, 12, 2, 16, tzinfo=AMS))
    cancelled = booked(datetime(2026, 12, 2, 15, tzinfo=AMS))
    cancelled.status, cancelled.cancelled_at = "cancelled", NOW
    db.session.commit()

    added = add_time_off(jarco, datetime(2026, 12, 2, 14, tzinfo=AMS), datetime(2026, 12, 2, 16, 15, tzinfo=AMS))

    assert [a.id for a in added.appointments] == [inside.id, overlapping_end.id]
    assert db.session.get(TimeOff, added.time_off.id) is not None
    listed = staffing.upcoming_time_off(db.session, jarco.id, NOW)
    assert [(entry.time_off.id, [a.id for a in entry.appointments]) for entry in listed] == [
        (added.time_off.id, [inside.id, overlapping_end.id])
    ]
    assert ending_at_start.id not in [a.id for a in added.appointments]


def test_time_off_must_end_after_it_starts(jarco, english):
    start = datetime(2026, 12, 2, 13, 30, tzinfo=AMS)
    for end in (start, start - timedelta(minutes=1)):
        with pytest.raises(Invalid) as refused:
            add_time_off(jarco, start, end)
        assert messages(refused.value) == {"ends_at": "The end must be after the start."}
    assert staffing.upcoming_time_off(db.session, jarco.id, NOW) == []


def test_time_off_that_is_over_already_is_refused(jarco, english):
    with pytest.raises(Invalid) as refused:
        add_time_off(jarco, NOW - timedelta(days=2), NOW)
    assert messages(refused.value) == {"ends_at": "This time off would be over already; check the dates."}


def test_time_off_that_has_begun_is_listed_until_it_ends(jarco):
    running = add_time_off(jarco, NOW - timedelta(hours=1), NOW + timedelta(hours=1)).time_off
    assert [e.time_off.id for e in staffing.upcoming_time_off(db.session, jarco.id, NOW)] == [running.id]
    assert staffing.upcoming_time_off(db.session, jarco.id, NOW + timedelta(hours=1)) == []


def test_upcoming_time_off_can_be_removed_and_past_time_off_cannot(jarco, booked):
    afternoon = (datetime(2026, 12, 2, 13, 30, tzinfo=AMS), datetime(2026, 12, 2, 17, 30, tzinfo=AMS))
    planned = add_time_off(jarco, *afternoon)
    staffing.remove_time_off(db.session, planned.time_off, now=NOW)
    db.session.commit()
    assert booked(datetime(2026, 12, 2, 14, tzinfo=AMS)).starts_at == datetime(2026, 12, 2, 14, tzinfo=AMS)

    past = TimeOff(chiropractor=jarco, starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=2))
    db.session.add(past)
    db.session.commit()
    with pytest.raises(Conflict):
        staffing.remove_time_off(db.session, past, now=NOW)


# Appointment types


def type_fields(**changes) -> AppointmentTypeFields:
    values = dict(
        name_nl="Sportmassage 45 minuten", name_en="Sports massage 45 minutes", duration_minutes=45,
        buffer_after_minutes=5, modality="massage", is_online_bookable=True, is_open_to_new_patients=True,
        is_active=True,
    )
    values.update(changes)
    return AppointmentTypeFields(**values)


def test_an_appointment_type_is_created_with_its_fields(clinic):
    created = staffing.create_appointment_type(
        db.session, " sports_massage_45 ", type_fields(is_online_bookable=False)
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AppointmentType, created.id)
    assert (stored.code, stored.name_nl, stored.name_en, stored.duration_minutes, stored.buffer_after_minutes) == (
        "sports_massage_45", "Sportmassage 45 minuten", "Sports massage 45 minutes", 45, 5
    )
    assert (stored.modality, stored.is_online_bookable, stored.is_open_to_new_patients, stored.is_active) == (
        "massage", False, True, True
    )


def test_a_code_is_used_once(clinic, english):
    with pytest.raises(Conflict) as refused:
        staffing.create_appointment_type(db.session, "intake", type_fields())
    assert messages(refused.value) == {"code": "Another appointment type already has this code."}


@pytest.mark.parametrize("code", ["", "Sports", "sports massage", "sportmassage-45", "x" * 41])
def test_a_code_is_lower_case_letters_digits_and_underscores(clinic, code):
    with pytest.raises(Invalid) as refused:
        staffing.create_appointment_type(db.session, code, type_fields())
    assert set(refused.value.fields) == {"code"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_minutes": 4}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"buffer_after_minutes": -1}, "buffer_after_minutes"),
        ({"buffer_after_minutes": 121}, "buffer_after_minutes"),
        ({"modality": "acupuncture"}, "modality"),
        ({"name_nl": "  "}, "name_nl"),
        ({"name_en": ""}, "name_en"),
        ({"name_en": "x" * 121}, "name_en"),
    ],
)
def test_appointment_type_fields_outside_the_rules_are_refused(clinic, changes, field):
    with pytest.raises(Invalid) as refused:
        staffing.create_appointment_type(db.session, "new_type", type_fields(**changes))
    assert set(refused.value.fields) == {field}
    intake = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "intake"))
    with pytest.raises(Invalid):
        staffing.update_appointment_type(db.session, intake, type_fields(**changes))


@pytest.mark.parametrize(("duration", "buffer"), [(5, 0), (480, 120)])
def test_the_limits_themselves_are_allowed(clinic, duration, buffer):
    created = staffing.create_appointment_type(
        db.session, "edge", type_fields(duration_minutes=duration, buffer_after_minutes=buffer)
    )
    assert (created.duration_minutes, created.buffer_after_minutes) == (duration, buffer)


def test_an_update_changes_everything_but_the_code_and_deactivates(clinic):
    intake = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "intake"))
    staffing.update_appointment_type(
        db.session, intake, type_fields(name_nl="Intake", name_en="Intake", duration_minutes=60, is_active=False)
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(AppointmentType, intake.id)
    assert (stored.code, stored.name_nl, stored.duration_minutes, stored.is_active) == ("intake", "Intake", 60, False)
    assert [t.code for t in staffing.all_appointment_types(db.session)][-1] == "intake", "inactive types come last"
