"""Free slots computed once per revision of the schedule, and shared by the requests that follow.

Kept in a ``RevisionCache`` (``clinic.services.revision_cache``): a change to the schedule raises
the revision and the next request computes afresh. Only the notice and horizon depend on the
clock; they are applied to the kept slots on every request, exactly as ``free_slots`` applies them.

Use it only in read-only requests: a transaction that has written reads its own uncommitted
revision, which a rollback would hand to somebody else's change.
"""
from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from clinic.scheduling import Slot, SlotPolicy
from clinic.services.revision_cache import RevisionCache

# With no notice and no horizon, a "now" long past lets every start through.
LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Encoded windows kept per answer: the current one and the few the notice has just moved past.
WINDOWS_KEPT = 4

SlotFinder = Callable[[SlotPolicy, datetime], list[Slot]]
T = TypeVar("T")


def as_is(slot: Slot) -> Slot:
    return slot


@dataclass
class _Answer(Generic[T]):
    """One kept answer: the slots' starts (in order) and shapes, and encoded windows of it."""

    starts: list[datetime]
    shaped: list[T]
    encoded: dict[tuple[int, int], str] = field(default_factory=dict)

    def window(self, policy: SlotPolicy, now: datetime) -> tuple[int, int]:
        """Return the index range of the slots the notice and horizon let through at ``now``."""
        first = bisect_left(self.starts, now + policy.min_notice)
        last = len(self.starts) if policy.horizon is None else bisect_left(self.starts, now + policy.horizon)
        return first, max(first, last)


class FreeSlotCache(Generic[T]):
    """The most recently used ``size`` answers of a slot finder, kept per schedule revision (0: none).

    ``shape`` turns each slot into what callers receive (e.g. its JSON form), once per kept answer.
    """

    def __init__(self, size: int = 512, shape: Callable[[Slot], T] = as_is):
        self.shape = shape
        self._answers: RevisionCache[_Answer[T]] = RevisionCache(size)
        self._lock = threading.Lock()

    def free_slots(
        self, session: Session, question: Hashable, find: SlotFinder, *, policy: SlotPolicy, now: datetime
    ) -> list[T]:
        """Return ``find(policy, now)``, shaped, calling ``find`` at most once per question and revision.

        ``question`` must hold everything the answer depends on besides the schedule and the
        clock (type, days, chiropractor); ``find`` is asked without notice or horizon, and may
        raise, in which case nothing is kept.
        """
        answer = self._answer(session, question, find, policy)
        first, last = answer.window(policy, now)
        return answer.shaped[first:last]

    def encoded_free_slots(
        self, session: Session, question: Hashable, find: SlotFinder, *, policy: SlotPolicy, now: datetime,
        encode: Callable[[list[T]], str],
    ) -> str:
        """Return ``encode(free_slots(...))``, encoding each window of a kept answer once.

        The window moves only when the notice passes a slot's start, so most requests find the
        encoded text ready: encoding a fortnight of slots costs more than finding them in the cache.
        """
        answer = self._answer(session, question, find, policy)
        window = answer.window(policy, now)
        text = answer.encoded.get(window)
        if text is None:
            text = encode(answer.shaped[window[0]:window[1]])
            with self._lock:
                if len(answer.encoded) >= WINDOWS_KEPT:
                    answer.encoded.clear()
                answer.encoded[window] = text
        return text

    def _answer(self, session: Session, question: Hashable, find: SlotFinder, policy: SlotPolicy) -> _Answer[T]:
        """Return the kept answer for the current revision, finding it first if needed."""

        def find_unlimited() -> _Answer[T]:
            # Stable: slots starting together keep the engine's order.
            slots = sorted(find(replace(policy, min_notice=timedelta(0), horizon=None), LONG_AGO),
                           key=lambda slot: slot.start)
            return _Answer([slot.start for slot in slots], [self.shape(slot) for slot in slots])

        return self._answers.get(session, (question, policy.grid), find_unlimited)
