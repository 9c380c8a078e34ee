"""Speed of free_slots_for_any: two weeks for four chiropractors, with and without years of history."""
from datetime import date, datetime, time, timedelta, timezone
from time import perf_counter

import pytest

from clinic.scheduling import (
    ONLINE_POLICY,
    STAFF_POLICY,
    AppointmentLength,
    ChiropractorCalendar,
    TimeRange,
    WeeklyHours,
    free_slots_for_any,
)

FIRST_DAY = date(2026, 3, 23)  # two weeks that include the spring clock change
TWO_WEEKS = [FIRST_DAY + timedelta(days=offset) for offset in range(14)]
NOW = datetime(2026, 3, 22, 12, tzinfo=timezone.utc)
LENGTH = AppointmentLength(timedelta(minutes=30), timedelta(minutes=10))
BUDGET = 0.005  # seconds


def week_of_hours() -> tuple[WeeklyHours, ...]:
    hours = [WeeklyHours(5, time(9), time(12), date(2020, 1, 1))]
    for weekday in range(5):
        hours.append(WeeklyHours(weekday, time(8, 30), time(12, 30), date(2020, 1, 1)))
        hours.append(WeeklyHours(weekday, time(13, 30), time(17, 30), date(2020, 1, 1)))
    return tuple(hours)


def half_booked(chiropractor_id: int, first: date, last: date) -> list[TimeRange]:
    """Return an appointment of 40 minutes (buffer included) in every other hour of every day."""
    busy = []
    day = first
    while day <= last:
        # Placed in UTC (09:10Z is 10:10 or 11:10 in Amsterdam): fast to build, and inside working hours.
        midnight = datetime.combine(day, time(0), tzinfo=timezone.utc)
        for hour in (8, 10, 13, 15):
            start = midnight + timedelta(hours=hour, minutes=10 * chiropractor_id)
            busy.append(TimeRange(start, start + timedelta(minutes=40)))
        day += timedelta(days=1)
    return busy


def calendars(history_from: date) -> list[ChiropractorCalendar]:
    last_day = TWO_WEEKS[-1]
    return [
        ChiropractorCalendar(chiropractor_id, week_of_hours(), busy=half_booked(chiropractor_id, history_from, last_day))
        for chiropractor_id in range(1, 5)
    ]


def fastest_of(runs: int, calendars_, policy) -> float:
    timings = []
    for _ in range(runs):
        started = perf_counter()
        free_slots_for_any(calendars_, TWO_WEEKS, length=LENGTH, policy=policy, now=NOW)
        timings.append(perf_counter() - started)
    # The fastest run is the one least disturbed by whatever else the machine is doing.
    return min(timings)


@pytest.mark.parametrize("policy", [STAFF_POLICY, ONLINE_POLICY], ids=["staff", "online"])
def test_two_weeks_for_four_chiropractors_fits_the_budget(policy):
    window_only = calendars(history_from=FIRST_DAY)
    assert len(free_slots_for_any(window_only, TWO_WEEKS, length=LENGTH, policy=policy, now=NOW)) > 300

    assert fastest_of(20, window_only, policy) < BUDGET


def test_years_of_past_appointments_do_not_slow_it_down():
    window_only = calendars(history_from=FIRST_DAY)
    with_history = calendars(history_from=date(2021, 1, 1))
    assert len(with_history[0].busy) > 100 * len(window_only[0].busy)  # over 5,600 past appointments each

    assert fastest_of(20, with_history, STAFF_POLICY) < 1.5 * fastest_of(20, window_only, STAFF_POLICY) + 0.0005
