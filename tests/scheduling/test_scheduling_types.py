"""Constructor validation and small behaviours of the scheduling value types."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from clinic.localtime import CLINIC_TZ
from clinic.scheduling import (
    AppointmentLength,
    ChiropractorCalendar,
    SlotPolicy,
    TimeRange,
    WeeklyHours,
)

NINE = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
TEN = datetime(2026, 3, 2, 10, tzinfo=timezone.utc)
NEW_YEAR = date(2026, 1, 1)
JUNE = date(2026, 6, 1)
TEN_MINUTES = timedelta(minutes=10)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TimeRange(datetime(2026, 3, 2, 9), TEN), "naive"),
        (lambda: TimeRange(NINE, datetime(2026, 3, 2, 10)), "naive"),
        (lambda: TimeRange(TEN, NINE), "end after"),
        (lambda: TimeRange(NINE, NINE), "end after"),
        (lambda: WeeklyHours(7, time(9), time(10), NEW_YEAR), "weekday"),
        (lambda: WeeklyHours(-1, time(9), time(10), NEW_YEAR), "weekday"),
        (lambda: WeeklyHours(True, time(9), time(10), NEW_YEAR), "weekday"),
        (lambda: WeeklyHours(0, time(10), time(9), NEW_YEAR), "end after"),
        (lambda: WeeklyHours(0, time(9), time(9), NEW_YEAR), "end after"),
        (lambda: WeeklyHours(0, time(9, tzinfo=CLINIC_TZ), time(10), NEW_YEAR), "wall-clock"),
        (lambda: WeeklyHours(0, time(9, 0, 30), time(10), NEW_YEAR), "whole minute"),
        (lambda: WeeklyHours(0, time(9), time(10), datetime(2026, 1, 1)), "valid_from must be a date"),
        (lambda: WeeklyHours(0, time(9), time(10), NEW_YEAR, date(2025, 12, 31)), "before valid_from"),
        (lambda: AppointmentLength(timedelta(0)), "duration must be positive"),
        (lambda: AppointmentLength(timedelta(minutes=30), timedelta(minutes=-5)), "buffer_after"),
        (lambda: SlotPolicy(grid=timedelta(0)), "grid must be positive"),
        (lambda: SlotPolicy(grid=TEN_MINUTES, min_notice=timedelta(minutes=-1)), "min_notice"),
        (lambda: SlotPolicy(grid=TEN_MINUTES, horizon=timedelta(0)), "horizon"),
        (lambda: SlotPolicy(TEN_MINUTES, min_notice=timedelta(days=2), horizon=timedelta(days=1)), "horizon"),
        (lambda: ChiropractorCalendar(1, ((0, time(9), time(10)),)), "WeeklyHours"),
        (lambda: ChiropractorCalendar(1, (), busy=[(NINE, TEN)]), "busy must hold TimeRange"),
        (lambda: ChiropractorCalendar(1, (), time_off=[(NINE, TEN)]), "time_off must hold TimeRange"),
        (
            lambda: ChiropractorCalendar(
                1,
                (WeeklyHours(0, time(9), time(12), NEW_YEAR), WeeklyHours(0, time(11), time(13), JUNE)),
            ),
            "overlap",
        ),
    ],
)
def test_constructors_refuse_invalid_values(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    "hours",
    [
        # Back to back on one day.
        (WeeklyHours(0, time(9), time(12), NEW_YEAR), WeeklyHours(0, time(12), time(13), NEW_YEAR)),
        # The same times on different weekdays.
        (WeeklyHours(0, time(9), time(12), NEW_YEAR), WeeklyHours(1, time(9), time(12), NEW_YEAR)),
        # New hours that take over the day after the old ones end.
        (
            WeeklyHours(0, time(9), time(12), NEW_YEAR, date(2026, 5, 31)),
            WeeklyHours(0, time(10), time(14), date(2026, 6, 1)),
        ),
    ],
)
def test_calendar_accepts_hours_that_never_overlap(hours):
    assert ChiropractorCalendar(1, hours).working_hours == hours


def test_time_range_is_held_in_utc_so_the_two_autumn_half_past_twos_differ():
    first = datetime(2026, 10, 25, 2, 30, tzinfo=CLINIC_TZ, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=CLINIC_TZ, fold=1)

    # Python compares datetimes of one zone by wall clock, ignoring fold: they look equal ...
    assert first == second
    # ... yet one real hour lies between them.
    between = TimeRange(first, second)
    assert (between.start, between.end) == (
        datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc),
        datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("other", "expected"),
    [
        (TimeRange(TEN, TEN + timedelta(hours=1)), False),  # touching at the end
        (TimeRange(NINE - timedelta(hours=1), NINE), False),  # touching at the start
        (TimeRange(NINE + timedelta(minutes=59), TEN + timedelta(hours=1)), True),
        (TimeRange(NINE + timedelta(minutes=10), NINE + timedelta(minutes=20)), True),  # inside
        (TimeRange(NINE - timedelta(hours=1), TEN + timedelta(hours=1)), True),  # around
    ],
)
def test_time_range_overlaps_is_half_open(other, expected):
    nine_to_ten = TimeRange(NINE, TEN)

    assert nine_to_ten.overlaps(other) is expected
    assert other.overlaps(nine_to_ten) is expected


def test_calendar_equality_ignores_the_order_ranges_were_given_in():
    ranges = [TimeRange(TEN, TEN + timedelta(hours=1)), TimeRange(NINE, TEN)]

    assert ChiropractorCalendar(1, (), busy=ranges) == ChiropractorCalendar(1, (), busy=ranges[::-1])
