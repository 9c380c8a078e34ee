"""Time the pure availability engine: two weeks for four chiropractors, with and without years of history.

Run with ``.venv/bin/python -m bench.engine_timing``. A measurement, not a test: timings belong here.
"""
from datetime import date, datetime, time, timedelta, timezone
from time import perf_counter

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


def four_calendars(history_from: date) -> list[ChiropractorCalendar]:
    last_day = TWO_WEEKS[-1]
    return [
        ChiropractorCalendar(
            chiropractor_id, week_of_hours(), busy=half_booked(chiropractor_id, history_from, last_day)
        )
        for chiropractor_id in range(1, 5)
    ]


def fastest_of(runs: int, calendars, policy) -> float:
    timings = []
    for _ in range(runs):
        started = perf_counter()
        free_slots_for_any(calendars, TWO_WEEKS, length=LENGTH, policy=policy, now=NOW)
        timings.append(perf_counter() - started)
    # The fastest run is the one least disturbed by whatever else the machine is doing.
    return min(timings)


def main() -> None:
    """Print the engine's time for two weeks of four chiropractors, without and with five years of history."""
    window_only = four_calendars(history_from=FIRST_DAY)
    with_history = four_calendars(history_from=date(2021, 1, 1))
    for name, policy in (("staff", STAFF_POLICY), ("online", ONLINE_POLICY)):
        slots = len(free_slots_for_any(window_only, TWO_WEEKS, length=LENGTH, policy=policy, now=NOW))
        print(f"{name:6} {slots:4} slots: {fastest_of(30, window_only, policy) * 1000:.2f} ms (fastest of 30)")
    print(
        f"staff with {len(with_history[0].busy)} past appointments per chiropractor: "
        f"{fastest_of(30, with_history, STAFF_POLICY) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
