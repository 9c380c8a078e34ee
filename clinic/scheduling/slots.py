"""Find the free appointment slots of one chiropractor, or of any of several.

Durations (notice, horizon, appointment length, buffer) are real elapsed time; only working hours
are wall-clock time. See ``clinic.scheduling.hours`` for what happens on the clock-change nights.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Iterable, Iterator, Sequence

from clinic.scheduling.hours import open_intervals
from clinic.scheduling.types import (
    AppointmentLength,
    ChiropractorCalendar,
    NOTHING_SHARED,
    SharedCalendar,
    Slot,
    SlotPolicy,
    TimeRange,
    as_utc,
)


def free_slots(
    calendar: ChiropractorCalendar,
    days: Iterable[date],
    *,
    length: AppointmentLength,
    policy: SlotPolicy,
    now: datetime,
    shared: SharedCalendar = NOTHING_SHARED,
) -> list[Slot]:
    """Return the free slots of one chiropractor on the local dates ``days``, sorted by start.

    ``shared`` says when what the type needs besides the chiropractor (a resource) is taken.
    """
    now = as_utc(now)
    earliest = now + policy.min_notice
    latest = None if policy.horizon is None else now + policy.horizon
    slots = []
    for day in _distinct_days(days):
        for interval in open_intervals(calendar.working_hours, day):
            starts = (
                start
                for start in interval.grid_starts(policy.grid, length.duration)
                if earliest <= start and (latest is None or start < latest)
            )
            # A buffer may run past closing time, so ranges just after the interval still count.
            window_end = interval.closes_at + length.buffer_after
            blocked = sorted(
                calendar.time_off_index.blocking_within(interval.opens_at, window_end)
                + calendar.busy_index.blocking_within(interval.opens_at, window_end)
                + shared.blocking_within(interval.opens_at, window_end),
                key=attrgetter("start"),
            )
            slots.extend(
                Slot(calendar.chiropractor_id, start, start + length.duration)
                for start in _unblocked(starts, blocked, length.occupied)
            )
    return slots


def free_slots_for_any(
    calendars: Iterable[ChiropractorCalendar],
    days: Iterable[date],
    *,
    length: AppointmentLength,
    policy: SlotPolicy,
    now: datetime,
    shared: SharedCalendar = NOTHING_SHARED,
) -> list[Slot]:
    """Return the free slots of every given chiropractor, sorted by (start, chiropractor_id)."""
    calendars = list(calendars)
    ids = [calendar.chiropractor_id for calendar in calendars]
    if len(set(ids)) != len(ids):
        raise ValueError(f"each chiropractor may appear once, got ids {ids}")
    days = _distinct_days(days)
    slots = [
        slot
        for calendar in calendars
        for slot in free_slots(calendar, days, length=length, policy=policy, now=now, shared=shared)
    ]
    slots.sort(key=attrgetter("start", "chiropractor_id"))
    return slots


def _distinct_days(days: Iterable[date]) -> list[date]:
    """Return the dates once each, in order; refuse datetimes, whose time of day would be ignored."""
    days = set(days)
    for day in days:
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValueError(f"days must hold dates, got {day!r}")
    return sorted(days)


def _unblocked(
    starts: Iterable[datetime], blocked: list[TimeRange], occupied: timedelta
) -> Iterator[datetime]:
    """Yield the ascending ``starts`` whose [start, start + occupied) misses every range of ``blocked``.

    ``blocked`` must be sorted by start. One forward pass over both replaces checking every start
    against every range.
    """
    upcoming = iter(blocked)
    current = next(upcoming, None)
    for start in starts:
        # A range that ends by this start cannot block it, nor any later start.
        while current is not None and current.end <= start:
            current = next(upcoming, None)
        # ``current`` starts no later than every range still ahead, so it alone decides.
        if current is None or start + occupied <= current.start:
            yield start


def clear_of(slots: Iterable[Slot], busy: Sequence[TimeRange]) -> list[Slot]:
    """Return the slots that overlap none of the ``busy`` ranges (a patient's own appointments, say).

    A slot is the patient's time [start, end); the chiropractor's buffer after it does not keep
    the patient, so a slot may end where the patient's next appointment starts.
    """
    return [slot for slot in slots if not any(TimeRange(slot.start, slot.end).overlaps(taken) for taken in busy)]
