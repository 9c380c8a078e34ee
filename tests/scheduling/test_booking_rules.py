"""Example tests for check_booking: one row per rule, plus its agreement with free_slots."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from clinic.localtime import CLINIC_TZ, Fold, combine, to_utc
from clinic.scheduling import (
    ONLINE_POLICY,
    STAFF_POLICY,
    AppointmentLength,
    ChiropractorCalendar,
    SlotPolicy,
    TimeRange,
    ViolationCode,
    WeeklyHours,
    check_booking,
    free_slots,
)

MONDAY = date(2026, 3, 2)
SUNDAY_BEFORE = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
WITH_BUFFER = AppointmentLength(timedelta(minutes=30), timedelta(minutes=10))


def at(day: date, wall_clock: str) -> datetime:
    """Return the instant the clinic's clock reads ``wall_clock`` on ``day`` (unambiguous times only)."""
    return combine(day, time.fromisoformat(wall_clock))


def broken_rules(start, *, calendar=None, policy=STAFF_POLICY, now=SUNDAY_BEFORE, length=WITH_BUFFER):
    violations = check_booking(calendar or CALENDAR, start, length=length, policy=policy, now=now)
    return [violation.code for violation in violations]


CALENDAR = ChiropractorCalendar(
    7,
    (
        WeeklyHours(0, time(8, 30), time(12, 30), date(2026, 1, 1)),
        WeeklyHours(0, time(13, 30), time(17, 30), date(2026, 1, 1)),
    ),
    time_off=[TimeRange(at(MONDAY, "15:00"), at(MONDAY, "16:00"))],
    busy=[TimeRange(at(MONDAY, "10:00"), at(MONDAY, "10:30"))],
)


@pytest.mark.parametrize(
    ("start", "policy", "now", "expected"),
    [
        (at(MONDAY, "09:00"), ONLINE_POLICY, SUNDAY_BEFORE, []),
        (at(MONDAY, "09:20"), STAFF_POLICY, SUNDAY_BEFORE, []),  # buffer ends as the 10:00 one starts
        (at(MONDAY, "10:30"), ONLINE_POLICY, SUNDAY_BEFORE, []),  # starts as the 10:00 appointment ends
        (at(MONDAY, "17:00"), ONLINE_POLICY, SUNDAY_BEFORE, []),  # buffer runs past closing: allowed
        (at(MONDAY, "09:00"), STAFF_POLICY, at(MONDAY, "09:00"), []),  # starting now is not in the past
        (at(MONDAY, "09:00"), STAFF_POLICY, at(MONDAY, "09:01"), ["in_past"]),
        (at(MONDAY, "09:00"), ONLINE_POLICY, at(MONDAY, "07:01"), ["too_soon"]),
        (at(MONDAY, "09:00"), ONLINE_POLICY, at(MONDAY, "07:00"), []),  # exactly two hours' notice
        (at(MONDAY, "09:00"), ONLINE_POLICY, at(MONDAY, "09:30"), ["in_past"]),  # not also too_soon
        (at(MONDAY, "09:00"), ONLINE_POLICY, at(date(2026, 1, 5), "09:00"), ["beyond_horizon"]),
        (at(MONDAY, "09:00"), ONLINE_POLICY, at(date(2026, 1, 5), "09:01"), []),
        (at(MONDAY, "08:00"), STAFF_POLICY, SUNDAY_BEFORE, ["outside_working_hours"]),
        (at(MONDAY, "12:10"), STAFF_POLICY, SUNDAY_BEFORE, ["outside_working_hours"]),  # runs into lunch
        (at(MONDAY, "17:10"), STAFF_POLICY, SUNDAY_BEFORE, ["outside_working_hours"]),  # runs past closing
        (at(MONDAY + timedelta(days=1), "09:00"), STAFF_POLICY, SUNDAY_BEFORE, ["outside_working_hours"]),
        (at(MONDAY, "09:05"), ONLINE_POLICY, SUNDAY_BEFORE, ["off_grid"]),
        (at(MONDAY, "09:05"), STAFF_POLICY, SUNDAY_BEFORE, []),  # staff may book any minute
        (at(MONDAY, "14:25"), STAFF_POLICY, SUNDAY_BEFORE, ["time_off"]),  # only its buffer touches
        (at(MONDAY, "14:20"), STAFF_POLICY, SUNDAY_BEFORE, []),
        (at(MONDAY, "09:30"), STAFF_POLICY, SUNDAY_BEFORE, ["overlaps_appointment"]),  # buffer until 10:10
        (at(MONDAY, "10:15"), STAFF_POLICY, SUNDAY_BEFORE, ["overlaps_appointment"]),
        (
            at(MONDAY, "12:20"),
            ONLINE_POLICY,
            at(MONDAY, "11:00"),
            ["too_soon", "outside_working_hours"],  # off-grid is not judged outside working hours
        ),
        (
            at(MONDAY, "09:50"),
            ONLINE_POLICY,
            at(MONDAY, "08:00"),
            ["too_soon", "off_grid", "overlaps_appointment"],
        ),
    ],
)
def test_check_booking_reports_each_broken_rule(start, policy, now, expected):
    assert broken_rules(start, policy=policy, now=now) == expected


def test_violation_codes_are_stable_strings():
    assert [code.value for code in ViolationCode] == [
        "in_past",
        "too_soon",
        "beyond_horizon",
        "outside_working_hours",
        "off_grid",
        "time_off",
        "overlaps_appointment",
        "resource_taken",
        "clinic_closed",
    ]


def test_messages_show_clinic_wall_clock_time():
    (violation,) = check_booking(
        CALENDAR, at(MONDAY, "09:30"), length=WITH_BUFFER, policy=STAFF_POLICY, now=SUNDAY_BEFORE
    )

    assert "2026-03-02 09:30 CET" in violation.message
    assert "2026-03-02 10:00 CET to 2026-03-02 10:30 CET" in violation.message


def test_time_off_and_appointment_are_both_reported():
    calendar = ChiropractorCalendar(
        1,
        CALENDAR.working_hours,
        time_off=[TimeRange(at(MONDAY, "09:00"), at(MONDAY, "09:15"))],
        busy=[TimeRange(at(MONDAY, "09:15"), at(MONDAY, "09:45"))],
    )

    assert broken_rules(at(MONDAY, "09:00"), calendar=calendar) == ["time_off", "overlaps_appointment"]


def test_a_long_absence_is_found_behind_a_shorter_one_inside_it():
    calendar = ChiropractorCalendar(
        1,
        CALENDAR.working_hours,
        time_off=[
            TimeRange(at(date(2026, 2, 27), "00:00"), at(date(2026, 3, 4), "00:00")),
            TimeRange(at(date(2026, 2, 28), "09:00"), at(date(2026, 2, 28), "10:00")),
        ],
    )

    (violation,) = check_booking(
        calendar, at(MONDAY, "09:00"), length=WITH_BUFFER, policy=STAFF_POLICY, now=SUNDAY_BEFORE
    )

    assert violation.code == "time_off"
    assert "2026-02-27 00:00 CET to 2026-03-04 00:00 CET" in violation.message


def test_start_may_be_given_in_any_zone():
    in_amsterdam = at(MONDAY, "09:00").astimezone(CLINIC_TZ)

    assert broken_rules(in_amsterdam, policy=ONLINE_POLICY) == []


def test_naive_start_is_refused():
    with pytest.raises(ValueError, match="naive"):
        broken_rules(datetime(2026, 3, 2, 9))


AUTUMN_NIGHT = ChiropractorCalendar(1, (WeeklyHours(6, time(1, 0), time(4, 0), date(2026, 1, 1)),))
HALF_HOURLY_GRID = SlotPolicy(grid=timedelta(minutes=30), enforce_grid=True)


@pytest.mark.parametrize(
    ("fold", "policy", "expected"),
    [
        (Fold.EARLIER, HALF_HOURLY_GRID, []),
        # free_slots offers 02:30 once, at its first occurrence; the second is not a grid start ...
        (Fold.LATER, HALF_HOURLY_GRID, ["off_grid"]),
        # ... but staff, who are not held to the grid, may still book it.
        (Fold.LATER, SlotPolicy(grid=timedelta(minutes=30)), []),
    ],
)
def test_repeated_autumn_hour_is_on_the_grid_only_at_its_first_occurrence(fold, policy, expected):
    start = to_utc(datetime(2026, 10, 25, 2, 30), fold=fold)

    half_hour = AppointmentLength(timedelta(minutes=30))

    assert broken_rules(start, calendar=AUTUMN_NIGHT, policy=policy, length=half_hour) == expected


@pytest.mark.parametrize("day", [MONDAY, date(2026, 3, 29), date(2026, 10, 25)])
def test_check_booking_accepts_exactly_the_offered_starts_minute_by_minute(day):
    calendar = ChiropractorCalendar(
        1,
        (
            WeeklyHours(day.weekday(), time(0, 40), time(4, 10), date(2026, 1, 1)),  # over any clock change
            WeeklyHours(day.weekday(), time(8, 30), time(12, 30), date(2026, 1, 1)),
        ),
        busy=[TimeRange(at(day, "09:05"), at(day, "09:40"))],
    )
    length = AppointmentLength(timedelta(minutes=25), timedelta(minutes=5))
    policy = SlotPolicy(grid=timedelta(minutes=15), enforce_grid=True)
    offered = free_slots(calendar, [day], length=length, policy=policy, now=SUNDAY_BEFORE)
    day_start = datetime.combine(day, time(0), tzinfo=CLINIC_TZ).astimezone(timezone.utc)
    every_minute = [day_start + timedelta(minutes=minute) for minute in range(25 * 60)]

    def is_bookable(start: datetime) -> bool:
        return not broken_rules(start, calendar=calendar, policy=policy, length=length)

    accepted = [start for start in every_minute if is_bookable(start)]

    assert accepted == [slot.start for slot in offered]
    assert len(offered) >= 15
