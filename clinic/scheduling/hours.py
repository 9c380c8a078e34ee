"""Place weekly wall-clock working hours in real time, one local date at a time.

Rules for the two clock-change nights in Europe/Amsterdam (last Sunday of March and of October):

- A working interval opens (closes) at the first instant the clinic's clock reads its start (end)
  time or later. A start or end inside the spring-forward gap therefore means the moment the clocks
  jump forward; one inside the repeated autumn hour means its first occurrence (summer time).
- Candidate starts are counted on the wall clock from the interval's start. A candidate inside the
  spring-forward gap does not exist and is skipped. A candidate inside the repeated autumn hour is
  offered once, at its first occurrence (summer time, ``fold=0``); its second occurrence is not a
  grid start.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from operator import attrgetter
from typing import Iterator

from clinic.localtime import CLINIC_TZ, Fold, exists, to_utc
from clinic.scheduling.types import WeeklyHours


@dataclass(frozen=True, slots=True)
class OpenInterval:
    """One working interval on one local date: its wall-clock bounds and the instants they fall on."""

    wall_start: datetime
    wall_end: datetime
    opens_at: datetime
    closes_at: datetime

    def contains(self, start: datetime, end: datetime) -> bool:
        """Tell whether the real span [start, end) lies inside this interval."""
        return self.opens_at <= start and end <= self.closes_at

    def grid_starts(self, grid: timedelta, duration: timedelta) -> Iterator[datetime]:
        """Yield, in order, every grid start whose [start, start + duration) fits in the interval."""
        latest_start = self.closes_at - duration
        if self.closes_at - self.opens_at == self.wall_end - self.wall_start:
            # A clock change inside the interval would make its real length differ from its
            # wall-clock length. Without one, a wall-clock step is a real step, and the zone
            # lookups per candidate (the expensive part) can be skipped.
            start = self.opens_at
            while start <= latest_start:
                yield start
                start += grid
            return
        wall_clock = self.wall_start
        while wall_clock < self.wall_end:
            if exists(wall_clock):
                start = to_utc(wall_clock, fold=Fold.EARLIER)
                if start <= latest_start:
                    yield start
            wall_clock += grid

    def is_on_grid(self, start: datetime, grid: timedelta) -> bool:
        """Tell whether ``start`` is one of the grid starts counted from this interval's start."""
        wall_clock = start.astimezone(CLINIC_TZ).replace(tzinfo=None, fold=0)
        return (
            wall_clock >= self.wall_start
            and (wall_clock - self.wall_start) % grid == timedelta(0)
            and to_utc(wall_clock, fold=Fold.EARLIER) == start
        )


def open_intervals(working_hours: tuple[WeeklyHours, ...], day: date) -> list[OpenInterval]:
    """Return the working intervals of the local date ``day``, in time order."""
    intervals = []
    for hours in working_hours:
        if not hours.applies_on(day):
            continue
        intervals.append(
            OpenInterval(
                wall_start=datetime.combine(day, hours.start),
                wall_end=datetime.combine(day, hours.end),
                # Hours lying wholly inside the spring-forward gap open and close at the same
                # instant that night, and so offer nothing.
                opens_at=_first_instant_reading(day, hours.start),
                closes_at=_first_instant_reading(day, hours.end),
            )
        )
    intervals.sort(key=attrgetter("opens_at"))
    return intervals


# Cached because the zone lookups cost more than the rest of a day's work, and the same few
# opening and closing times on the same dates are asked for every chiropractor and every request.
@lru_cache(maxsize=4096)
def _first_instant_reading(day: date, wall_clock: time) -> datetime:
    """Return the first instant of local ``day`` at which the clinic's clock reads ``wall_clock`` or later."""
    aware = datetime.combine(day, wall_clock, tzinfo=CLINIC_TZ)
    if aware.utcoffset() == aware.replace(fold=1).utcoffset():
        # Both folds agree only outside the gap and the repeated hour (PEP 495): the common case.
        return aware.astimezone(timezone.utc)
    local = datetime.combine(day, wall_clock)
    while not exists(local):
        # Inside the spring-forward gap: the clock first reads a later time when it jumps forward.
        # Gaps end on a whole minute and working hours are whole minutes, so this lands exactly.
        local += timedelta(minutes=1)
    return to_utc(local, fold=Fold.EARLIER)
