"""When a status may change and when a wrong one may be undone: pure rules, no app.

The properties range over instants around the clock-change Sundays, where a local day lasts 23 or
25 hours, and compare with the plain reading of the rules on Amsterdam wall-clock dates.
"""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.localtime import CLINIC_TZ, combine
from clinic.scheduling.lifecycle import AppointmentAction, AppointmentStatus
from clinic.scheduling.status_rules import StatusRefusal, status_change_refusal, undo_refusal

PROPERTY = settings(max_examples=60, deadline=None)
HOUR = timedelta(hours=1)
MONDAY = date(2026, 11, 30)
START = combine(MONDAY, time(9, 30))  # 08:30 UTC


def refusal(action, now, opens_before=HOUR, starts_at=START):
    return status_change_refusal(action, starts_at=starts_at, now=now, check_in_opens_before=opens_before)


def local_date(instant: datetime) -> date:
    return instant.astimezone(CLINIC_TZ).date()


@pytest.mark.parametrize(("now", "expected"), [
    (combine(date(2026, 11, 27), time(9, 30)), StatusRefusal.TOO_EARLY),  # the Friday before
    (START - HOUR - timedelta(minutes=1), StatusRefusal.TOO_EARLY),
    (START - HOUR, None),
    (START + timedelta(hours=5), None),  # late, but the same day
    (combine(MONDAY, time(23, 59)), None),
    (combine(date(2026, 12, 1), time(0, 0)), StatusRefusal.TOO_LATE),
])
def test_check_in_is_on_the_day_from_the_configured_time_before_the_start(now, expected):
    assert refusal(AppointmentAction.CHECKED_IN, now) is expected


def test_check_in_never_opens_on_the_day_before_however_early_it_opens():
    starts_just_after_midnight = combine(MONDAY, time(0, 30))
    evening_before = combine(date(2026, 11, 29), time(23, 45))
    assert refusal(AppointmentAction.CHECKED_IN, evening_before, timedelta(hours=2), starts_just_after_midnight) \
        is StatusRefusal.TOO_EARLY


@pytest.mark.parametrize("action", [AppointmentAction.NO_SHOW, AppointmentAction.COMPLETED])
def test_no_show_and_completed_wait_for_the_start(action):
    assert refusal(action, START - timedelta(minutes=1)) is StatusRefusal.TOO_EARLY
    assert refusal(action, START) is None
    assert refusal(action, START + timedelta(days=3)) is None


def test_cancelling_has_no_timing_rule():
    assert refusal(AppointmentAction.CANCELLED, START - timedelta(days=30)) is None
    assert refusal(AppointmentAction.CANCELLED, START + timedelta(days=1)) is None


def test_a_status_is_undone_only_on_the_local_day_it_was_set():
    set_at = combine(MONDAY, time(23, 50))  # 22:50 UTC, still Monday in Amsterdam
    assert undo_refusal(AppointmentStatus.NO_SHOW, changed_at=set_at, now=set_at + timedelta(minutes=9)) is None
    assert undo_refusal(AppointmentStatus.NO_SHOW, changed_at=set_at, now=set_at + timedelta(minutes=10)) \
        is StatusRefusal.TOO_LATE_TO_UNDO


@pytest.mark.parametrize("status", [AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED])
def test_booked_and_cancelled_have_nothing_to_undo(status):
    assert undo_refusal(status, changed_at=START, now=START) is StatusRefusal.NOTHING_TO_UNDO


def test_a_status_without_a_recorded_change_has_nothing_to_undo():
    assert undo_refusal(AppointmentStatus.CHECKED_IN, changed_at=None, now=START) is StatusRefusal.NOTHING_TO_UNDO


CLOCK_CHANGE_SUNDAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]
instants_near_clock_changes = st.builds(
    lambda sunday, minutes: datetime.combine(sunday, time(0), timezone.utc) + timedelta(minutes=minutes),
    st.sampled_from(CLOCK_CHANGE_SUNDAYS),
    st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60),
)
offsets = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes))
opening_times = st.integers(min_value=0, max_value=6 * 60).map(lambda minutes: timedelta(minutes=minutes))


@PROPERTY
@given(starts_at=instants_near_clock_changes, offset=offsets, opens_before=opening_times)
def test_check_in_is_allowed_exactly_on_the_local_day_from_its_opening(starts_at, offset, opens_before):
    now = starts_at + offset
    allowed = local_date(now) == local_date(starts_at) and now >= starts_at - opens_before
    outcome = refusal(AppointmentAction.CHECKED_IN, now, opens_before, starts_at)
    assert (outcome is None) is allowed
    if outcome is not None:
        assert outcome is (StatusRefusal.TOO_EARLY if now < starts_at else StatusRefusal.TOO_LATE)


@PROPERTY
@given(starts_at=instants_near_clock_changes, offset=offsets,
       action=st.sampled_from([AppointmentAction.NO_SHOW, AppointmentAction.COMPLETED]))
def test_no_show_and_completed_are_allowed_exactly_from_the_start(starts_at, offset, action):
    assert (refusal(action, starts_at + offset, starts_at=starts_at) is None) is (offset >= timedelta(0))


@PROPERTY
@given(changed_at=instants_near_clock_changes, offset=offsets.filter(lambda o: o >= timedelta(0)),
       status=st.sampled_from([AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW]))
def test_an_undo_is_allowed_exactly_until_the_local_day_of_the_change_ends(changed_at, offset, status):
    now = changed_at + offset
    outcome = undo_refusal(status, changed_at=changed_at, now=now)
    assert (outcome is None) is (local_date(now) == local_date(changed_at))
