"""Which waiting patients a free time suits: the rules of the waitlist, in plain values.

A wish names an appointment type and, optionally, the chiropractors, the weekdays and the local
hours that suit the patient, until a last day; an empty choice means any. A free time suits a wish
when it is of the type, in the future, with one of the chiropractors, on one of the weekdays,
starts and ends within the hours (Europe/Amsterdam wall clock), falls on or before the last day,
and the patient has no appointment of their own then.

A freed time is the freed chiropractor's; when the freed appointment held a shared resource (the
decompression table), the resource is free then for every chiropractor, so a free time of another
chiropractor within it is opened too, for the types that need that resource.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinic.localtime import to_local
from clinic.scheduling.types import Slot, SlotPolicy, TimeRange

# Freed times are offered on a five-minute grid: every start the desk books is on it, so the start
# of a cancelled appointment is offered as it was.
WAITLIST_POLICY = SlotPolicy(grid=timedelta(minutes=5))
WEEKDAYS = range(7)
# How far ahead a patient may wait: the booking horizon of the desk's calendar.
LONGEST_WAIT = timedelta(days=366)


@dataclass(frozen=True)
class Wish:
    """What a patient on the waitlist is waiting for."""

    appointment_type_id: int
    until: date
    chiropractor_ids: frozenset[int] = frozenset()
    weekdays: frozenset[int] = frozenset()
    from_time: time | None = None
    to_time: time | None = None


@dataclass(frozen=True)
class FreedSpan:
    """A time that became free: the chiropractor's, and the shared resource's it held (if any)."""

    chiropractor_id: int
    start: datetime
    end: datetime
    resource_id: int | None = None


def frees_others(freed: FreedSpan, resource_id: int | None) -> bool:
    """Tell whether the freed time opens times of other chiropractors for a type needing ``resource_id``:
    it held that very resource."""
    return freed.resource_id is not None and freed.resource_id == resource_id


def opened_by(freed: FreedSpan, slot: Slot, resource_id: int | None) -> bool:
    """Tell whether the free ``slot`` (for a type needing ``resource_id``, or none) is one the freed
    time opened: it starts within the freed time, with the freed chiropractor or, when the freed
    time held the resource the type needs, with any chiropractor."""
    return (freed.start <= slot.start < freed.end
            and (slot.chiropractor_id == freed.chiropractor_id or frees_others(freed, resource_id)))


def weekdays_mask(weekdays: Iterable[int]) -> int:
    """Return the weekdays (0 = Monday) as the bits of one number, as the database keeps them."""
    return sum(1 << day for day in set(weekdays))


def weekdays_of(mask: int) -> frozenset[int]:
    """Return the weekdays whose bits are set in ``mask`` (none: any day)."""
    return frozenset(day for day in WEEKDAYS if mask & (1 << day))


def wish_problems(wish: Wish, today: date) -> dict[str, str]:
    """Return what is wrong with a new wish, per field (empty: it can go on the list)."""
    problems = {}
    if wish.until < today:
        problems["until"] = "day_passed"
    elif wish.until > today + LONGEST_WAIT:
        problems["until"] = "too_far_ahead"
    if any(day not in WEEKDAYS for day in wish.weekdays):
        problems["weekdays"] = "unknown_weekday"
    if wish.from_time is not None and wish.to_time is not None and wish.from_time >= wish.to_time:
        problems["to_time"] = "before_from_time"
    return problems


def suits(wish: Wish, appointment_type_id: int, slot: Slot, *, patient_busy: Sequence[TimeRange] = (),
          now: datetime) -> bool:
    """Tell whether the free ``slot`` (a time for ``appointment_type_id``) suits the wish."""
    start, end = to_local(slot.start), to_local(slot.end)
    return (
        appointment_type_id == wish.appointment_type_id
        and slot.start > now
        and (not wish.chiropractor_ids or slot.chiropractor_id in wish.chiropractor_ids)
        and (not wish.weekdays or start.weekday() in wish.weekdays)
        and start.date() <= wish.until
        and (wish.from_time is None or start.time() >= wish.from_time)
        and (wish.to_time is None or (end.date() == start.date() and end.time() <= wish.to_time))
        and not any(TimeRange(slot.start, slot.end).overlaps(taken) for taken in patient_busy)
    )


def first_suiting(wish: Wish, appointment_type_id: int, slots: Iterable[Slot], *,
                  patient_busy: Sequence[TimeRange] = (), now: datetime) -> Slot | None:
    """Return the earliest of the free ``slots`` that suits the wish, if any."""
    return next((slot for slot in sorted(slots, key=lambda s: (s.start, s.chiropractor_id))
                 if suits(wish, appointment_type_id, slot, patient_busy=patient_busy, now=now)), None)
