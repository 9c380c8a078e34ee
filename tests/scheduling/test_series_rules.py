"""Series plans: the rule is applied to the local wall-clock time, then each start goes to UTC."""
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.localtime import CLINIC_TZ, to_local
from clinic.scheduling.series import COURSES, MAX_APPOINTMENTS, SeriesRuleRefused, course_rule, plan_series


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), CLINIC_TZ)


@pytest.mark.parametrize(
    ("first_day", "utc_hours"),
    [
        # A weekly 09:00 crossing the last Sunday of March (28 March 2027): 08:00Z, then 07:00Z.
        (date(2027, 3, 16), [8, 8, 7, 7]),
        # And the last Sunday of October (31 October 2027): 07:00Z, then 08:00Z.
        (date(2027, 10, 19), [7, 7, 8, 8]),
    ],
)
def test_a_weekly_series_keeps_nine_oclock_across_the_clock_change(first_day, utc_hours):
    plan = plan_series(local(first_day, 9), "FREQ=WEEKLY;COUNT=4")
    assert [to_local(start).replace(tzinfo=None) for start in plan.starts] == [
        datetime.combine(first_day + timedelta(weeks=n), time(9)) for n in range(4)
    ]
    assert [start.astimezone(timezone.utc).hour for start in plan.starts] == utc_hours
    assert plan.rule_text == f"DTSTART;TZID=Europe/Amsterdam:{first_day:%Y%m%d}T090000\nRRULE:FREQ=WEEKLY;COUNT=4"


def test_twice_a_week_for_three_weeks():
    plan = plan_series(local(date(2027, 3, 16), 14, 30), "freq=weekly;byday=TU,FR;count=6")
    assert [to_local(start).strftime("%a %d %H:%M") for start in plan.starts] == [
        "Tue 16 14:30", "Fri 19 14:30", "Tue 23 14:30", "Fri 26 14:30", "Tue 30 14:30", "Fri 02 14:30",
    ]


@pytest.mark.parametrize(
    ("first", "rule", "code"),
    [
        # The Sunday before the spring change at 02:30: a week on, 02:30 does not exist.
        (local(date(2027, 3, 21), 2, 30), "FREQ=WEEKLY;COUNT=2", "nonexistent_local_time"),
        # The Sunday before the autumn change at 02:30: a week on, 02:30 happens twice.
        (local(date(2027, 10, 24), 2, 30), "FREQ=WEEKLY;COUNT=2", "ambiguous_local_time"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY", "rule_unbounded"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;COUNT=2;UNTIL=20270401", "rule_unbounded"),
        (local(date(2027, 3, 16), 9), f"FREQ=WEEKLY;COUNT={MAX_APPOINTMENTS + 1}", "series_too_long"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;COUNT=0", "series_too_long"),
        (local(date(2027, 3, 16), 9), "FREQ=MONTHLY;COUNT=14", "series_too_long"),
        (local(date(2027, 3, 16), 9), "FREQ=DAILY;UNTIL=20280101", "series_too_long"),
        (local(date(2027, 3, 16), 9), "FREQ=HOURLY;COUNT=3", "rule_invalid"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;COUNT=3;BYHOUR=10", "rule_invalid"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;COUNT=3;COUNT=4", "rule_invalid"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;UNTIL=20270230", "rule_invalid"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;UNTIL=20270301", "first_start_not_in_rule"),
        (local(date(2027, 3, 16), 9), "FREQ=WEEKLY;BYDAY=WE;COUNT=3", "first_start_not_in_rule"),
    ],
)
def test_a_rule_that_cannot_make_a_bounded_series_at_the_same_time_is_refused(first, rule, code):
    with pytest.raises(SeriesRuleRefused) as refused:
        plan_series(first, rule)
    assert refused.value.code == code


@settings(max_examples=30, deadline=None)
@given(
    first_day=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
    wall_clock=st.times(time(7), time(20)).map(lambda t: t.replace(second=0, microsecond=0)),
    frequency=st.sampled_from(["DAILY", "WEEKLY"]),
    interval=st.integers(1, 2),
    count=st.integers(1, 12),
)
def test_every_start_keeps_the_local_wall_clock_time_and_day_of_the_rule(first_day, wall_clock, frequency, interval,
                                                                         count):
    first = datetime.combine(first_day, wall_clock, CLINIC_TZ)
    plan = plan_series(first, f"FREQ={frequency};INTERVAL={interval};COUNT={count}")
    local_starts = [to_local(start) for start in plan.starts]
    assert len(plan.starts) == count and plan.starts[0] == first
    assert all(start.tzinfo is timezone.utc for start in plan.starts)
    assert {start.time() for start in local_starts} == {wall_clock}
    days = [start.date() for start in local_starts]
    step = interval * (7 if frequency == "WEEKLY" else 1)
    assert all((later - earlier).days == step for earlier, later in zip(days, days[1:]))


def test_the_desks_courses_are_weekly_or_twice_a_week_on_working_days():
    tuesday, wednesday = date(2027, 3, 16), date(2027, 3, 17)
    assert course_rule("weekly_6", tuesday) == "FREQ=WEEKLY;COUNT=6"
    assert course_rule("twice_weekly_3", tuesday) == "FREQ=WEEKLY;BYDAY=TU,FR;COUNT=6"
    plan = plan_series(datetime.combine(wednesday, time(9), CLINIC_TZ), course_rule("twice_weekly_3", wednesday))
    assert [start.weekday() for start in plan.local_starts] == [2, 0, 2, 0, 2, 0]
    for course in COURSES:
        for offset in range(5):
            day = date(2027, 3, 15 + offset)
            starts = plan_series(datetime.combine(day, time(9), CLINIC_TZ), course_rule(course, day)).local_starts
            assert starts[0].date() == day and all(start.weekday() < 5 for start in starts)
