"""Value types of the availability engine: ranges, weekly hours, calendars, policies and results.

Every instant is an aware datetime held in UTC; wall-clock values appear only in ``WeeklyHours``.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from itertools import accumulate
from operator import attrgetter
from typing import Iterable

from clinic.localtime import require_aware


def as_utc(instant: datetime) -> datetime:
    """Return the aware ``instant`` expressed in UTC; refuse a naive datetime."""
    # Python compares and subtracts two datetimes of the same zone by wall clock, ignoring fold
    # (02:30 CEST would equal 02:30 CET) and adding timedelta(weeks=8) in wall-clock time across a
    # clock change; in UTC every comparison and every sum is between real instants.
    if instant.tzinfo is timezone.utc:
        # Already UTC (every instant read from the database): the hot path of the availability query.
        return instant
    return require_aware(instant).astimezone(timezone.utc)


def _require_date(value: date, name: str) -> None:
    # datetime is a subclass of date; a datetime here would silently drop its time of day.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError(f"{name} must be a date, got {value!r}")


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open span of real time [start, end); ranges that only touch do not overlap."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))
        object.__setattr__(self, "end", as_utc(self.end))
        if self.end <= self.start:
            raise ValueError(f"range must end after it starts: {self.start} .. {self.end}")

    def overlaps(self, other: TimeRange) -> bool:
        """Tell whether the two ranges share at least one instant."""
        return self.start < other.end and other.start < self.end


class RangeIndex:
    """Ranges sorted by start that answer "what overlaps this span?" in logarithmic time.

    Ranges may overlap or nest (a week of leave around a day of courses), so sorting by start
    alone cannot bound a search; the running maximum of the ends can.
    """

    __slots__ = ("ranges", "_starts", "_latest_ending_so_far")

    def __init__(self, ranges: Iterable[TimeRange]) -> None:
        self.ranges: tuple[TimeRange, ...] = tuple(sorted(ranges, key=attrgetter("start", "end")))
        self._starts = [r.start for r in self.ranges]
        self._latest_ending_so_far = list(accumulate(self.ranges, _later_ending))

    def first_overlap(self, span: TimeRange) -> TimeRange | None:
        """Return a range overlapping ``span`` (the latest-ending one that starts before it ends)."""
        candidates = bisect_left(self._starts, span.end)
        if candidates and self._latest_ending_so_far[candidates - 1].end > span.start:
            return self._latest_ending_so_far[candidates - 1]
        return None

    def blocking_within(self, start: datetime, end: datetime) -> list[TimeRange]:
        """Return ranges, sorted by start, whose union covers every overlap with [start, end).

        Of the ranges that start before ``start`` only the one reaching furthest is returned: it
        covers the share of the window that the others cover.
        """
        first_inside = bisect_left(self._starts, start)
        reaching_in = []
        if first_inside and self._latest_ending_so_far[first_inside - 1].end > start:
            reaching_in.append(self._latest_ending_so_far[first_inside - 1])
        return reaching_in + list(self.ranges[first_inside:bisect_left(self._starts, end)])


def _later_ending(a: TimeRange, b: TimeRange) -> TimeRange:
    return b if b.end > a.end else a


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """One recurring working interval in local wall-clock time, valid from a date, optionally until one.

    ``weekday`` counts from 0 = Monday; ``valid_to`` is the last date the hours apply (inclusive).
    """

    weekday: int
    start: time
    end: time
    valid_from: date
    valid_to: date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.weekday, bool) or self.weekday not in range(7):
            raise ValueError(f"weekday must be 0 (Monday) .. 6 (Sunday), got {self.weekday!r}")
        for name in ("start", "end"):
            wall_clock = getattr(self, name)
            if not isinstance(wall_clock, time) or wall_clock.tzinfo is not None:
                raise ValueError(f"{name} must be a local wall-clock time without tzinfo, got {wall_clock!r}")
            # Whole minutes let a time in the spring-forward gap be moved exactly to the gap's end.
            if wall_clock.second or wall_clock.microsecond:
                raise ValueError(f"{name} must be a whole minute, got {wall_clock}")
        if self.end <= self.start:
            raise ValueError(f"working hours must end after they start: {self.start} .. {self.end}")
        _require_date(self.valid_from, "valid_from")
        if self.valid_to is not None:
            _require_date(self.valid_to, "valid_to")
            if self.valid_to < self.valid_from:
                raise ValueError(f"valid_to {self.valid_to} is before valid_from {self.valid_from}")

    def applies_on(self, day: date) -> bool:
        """Tell whether these hours are worked on the local date ``day``."""
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )

    def clashes_with(self, other: WeeklyHours) -> bool:
        """Tell whether both could apply on the same date with overlapping times."""
        return (
            self.weekday == other.weekday
            and self.start < other.end
            and other.start < self.end
            and (other.valid_to is None or self.valid_from <= other.valid_to)
            and (self.valid_to is None or other.valid_from <= self.valid_to)
        )


@dataclass(frozen=True)
class ChiropractorCalendar:
    """Everything that decides when one chiropractor can be booked.

    ``busy`` holds the active appointments, each already extended by its own buffer-after;
    which statuses count as active is the caller's decision.
    """

    chiropractor_id: int
    working_hours: tuple[WeeklyHours, ...]
    time_off: tuple[TimeRange, ...] = ()
    busy: tuple[TimeRange, ...] = ()
    time_off_index: RangeIndex = field(init=False, repr=False, compare=False)
    busy_index: RangeIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hours = tuple(self.working_hours)
        for position, one in enumerate(hours):
            if not isinstance(one, WeeklyHours):
                raise ValueError(f"working_hours must hold WeeklyHours, got {one!r}")
            for other in hours[position + 1:]:
                # Overlapping intervals would offer the same slot twice.
                if one.clashes_with(other):
                    raise ValueError(f"working hours overlap: {one} and {other}")
        time_off = RangeIndex(_require_ranges(self.time_off, "time_off"))
        busy = RangeIndex(_require_ranges(self.busy, "busy"))
        object.__setattr__(self, "working_hours", hours)
        object.__setattr__(self, "time_off", time_off.ranges)
        object.__setattr__(self, "busy", busy.ranges)
        object.__setattr__(self, "time_off_index", time_off)
        object.__setattr__(self, "busy_index", busy)


@dataclass(frozen=True)
class SharedCalendar:
    """What every chiropractor shares when booking one appointment type.

    ``closed`` holds the clinic's closures. ``resource_busy`` holds the active appointments that
    need the resource the type needs (each already extended by its own buffer-after); empty when
    the type needs none.
    """

    closed: tuple[TimeRange, ...] = ()
    resource_busy: tuple[TimeRange, ...] = ()
    closed_index: RangeIndex = field(init=False, repr=False, compare=False)
    resource_busy_index: RangeIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("closed", "resource_busy"):
            index = RangeIndex(_require_ranges(getattr(self, name), name))
            object.__setattr__(self, name, index.ranges)
            object.__setattr__(self, f"{name}_index", index)

    def blocking_within(self, start: datetime, end: datetime) -> list[TimeRange]:
        """Return ranges whose union covers every overlap with [start, end), unsorted (the caller
        sorts them together with the chiropractor's own)."""
        return self.closed_index.blocking_within(start, end) + self.resource_busy_index.blocking_within(start, end)


def _require_ranges(ranges: Iterable[TimeRange], name: str) -> tuple[TimeRange, ...]:
    ranges = tuple(ranges)
    for one in ranges:
        if not isinstance(one, TimeRange):
            raise ValueError(f"{name} must hold TimeRange values, got {one!r}")
    return ranges


# Nothing shared is taken: the calendar of a type that needs no resource.
NOTHING_SHARED = SharedCalendar()


@dataclass(frozen=True, slots=True)
class AppointmentLength:
    """How long an appointment type takes, and how long the room needs afterwards."""

    duration: timedelta
    buffer_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0):
            raise ValueError(f"duration must be positive, got {self.duration}")
        if self.buffer_after < timedelta(0):
            raise ValueError(f"buffer_after must not be negative, got {self.buffer_after}")

    @property
    def occupied(self) -> timedelta:
        """Return how long the chiropractor is taken: the appointment plus its buffer."""
        return self.duration + self.buffer_after


@dataclass(frozen=True, slots=True)
class SlotPolicy:
    """Which starts are offered: the grid step, the minimum notice and the booking horizon.

    ``horizon`` None means no limit. ``enforce_grid`` makes ``check_booking`` refuse starts off
    the grid, for callers that may only book what ``free_slots`` offered.
    """

    grid: timedelta
    min_notice: timedelta = timedelta(0)
    horizon: timedelta | None = None
    enforce_grid: bool = False

    def __post_init__(self) -> None:
        if self.grid <= timedelta(0):
            raise ValueError(f"grid must be positive, got {self.grid}")
        if self.min_notice < timedelta(0):
            raise ValueError(f"min_notice must not be negative, got {self.min_notice}")
        if self.horizon is not None and self.horizon <= self.min_notice:
            raise ValueError(f"horizon {self.horizon} must be longer than min_notice {self.min_notice}")


@dataclass(frozen=True, slots=True)
class Slot:
    """A free appointment time [start, end) for one chiropractor, in UTC."""

    chiropractor_id: int
    start: datetime
    end: datetime


class ViolationCode(StrEnum):
    """Stable identifiers of the booking rules, for callers that word their own messages."""

    IN_PAST = "in_past"
    TOO_SOON = "too_soon"
    BEYOND_HORIZON = "beyond_horizon"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    OFF_GRID = "off_grid"
    TIME_OFF = "time_off"
    OVERLAPS_APPOINTMENT = "overlaps_appointment"
    RESOURCE_TAKEN = "resource_taken"
    CLINIC_CLOSED = "clinic_closed"


@dataclass(frozen=True, slots=True)
class Violation:
    """One booking rule a requested appointment breaks, with a human-readable explanation."""

    code: ViolationCode
    message: str
