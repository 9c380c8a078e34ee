"""The clinic's booking policies, and the check of one requested appointment against every rule."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator

from clinic.localtime import to_local
from clinic.scheduling.hours import open_intervals
from clinic.scheduling.types import (
    NOTHING_SHARED,
    AppointmentLength,
    ChiropractorCalendar,
    RangeIndex,
    SharedCalendar,
    SlotPolicy,
    TimeRange,
    Violation,
    ViolationCode,
    as_utc,
)

# The front desk may book anything not in the past, at any minute, however far ahead.
STAFF_POLICY = SlotPolicy(grid=timedelta(minutes=10))

# Patients booking online get quarter-hour starts, at least two hours' notice and eight weeks ahead.
ONLINE_POLICY = SlotPolicy(
    grid=timedelta(minutes=15),
    min_notice=timedelta(hours=2),
    horizon=timedelta(weeks=8),
    enforce_grid=True,
)


def check_booking(
    calendar: ChiropractorCalendar,
    start: datetime,
    *,
    length: AppointmentLength,
    policy: SlotPolicy,
    now: datetime,
    shared: SharedCalendar = NOTHING_SHARED,
) -> list[Violation]:
    """Return every rule the requested booking breaks, in a fixed order (empty list = bookable)."""
    start = as_utc(start)
    now = as_utc(now)
    occupied = TimeRange(start, start + length.occupied)
    return [
        *_notice_violations(start, policy, now),
        *_working_hours_violations(calendar, start, length, policy),
        *_overlap_violations(shared.closed_index, occupied, ViolationCode.CLINIC_CLOSED, "a clinic closure"),
        *_overlap_violations(calendar.time_off_index, occupied, ViolationCode.TIME_OFF, "time off"),
        *_overlap_violations(
            calendar.busy_index, occupied, ViolationCode.OVERLAPS_APPOINTMENT, "another appointment"
        ),
        *_overlap_violations(
            shared.resource_busy_index, occupied, ViolationCode.RESOURCE_TAKEN,
            "another appointment needing the same resource",
        ),
    ]


def _notice_violations(start: datetime, policy: SlotPolicy, now: datetime) -> Iterator[Violation]:
    if start < now:
        yield Violation(ViolationCode.IN_PAST, f"{_show(start)} is in the past")
    elif start < now + policy.min_notice:
        yield Violation(
            ViolationCode.TOO_SOON,
            f"{_show(start)} is too soon; the earliest possible start is {_show(now + policy.min_notice)}",
        )
    if policy.horizon is not None and start >= now + policy.horizon:
        yield Violation(
            ViolationCode.BEYOND_HORIZON,
            f"{_show(start)} is too far ahead; bookings must start before {_show(now + policy.horizon)}",
        )


def _working_hours_violations(
    calendar: ChiropractorCalendar, start: datetime, length: AppointmentLength, policy: SlotPolicy
) -> Iterator[Violation]:
    end = start + length.duration
    day = to_local(start).date()
    intervals = open_intervals(calendar.working_hours, day)
    interval = next((interval for interval in intervals if interval.contains(start, end)), None)
    if interval is None:
        yield Violation(
            ViolationCode.OUTSIDE_WORKING_HOURS,
            f"{_show(start)} to {_show(end)} is not within one working-hours interval",
        )
    elif policy.enforce_grid and not interval.is_on_grid(start, policy.grid):
        yield Violation(
            ViolationCode.OFF_GRID,
            f"{_show(start)} is not one of the offered start times"
            f" (every {policy.grid.total_seconds() / 60:g} minutes from opening)",
        )


def _overlap_violations(
    index: RangeIndex, occupied: TimeRange, code: ViolationCode, what: str
) -> Iterator[Violation]:
    clash = index.first_overlap(occupied)
    if clash is not None:
        yield Violation(
            code,
            f"{_show(occupied.start)} to {_show(occupied.end)} (buffer included) overlaps {what}"
            f" from {_show(clash.start)} to {_show(clash.end)}",
        )


def _show(instant: datetime) -> str:
    # The zone abbreviation tells the two occurrences of the repeated autumn hour apart.
    return f"{to_local(instant):%Y-%m-%d %H:%M %Z}"
