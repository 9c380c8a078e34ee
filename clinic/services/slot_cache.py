"""Free slots computed once per revision of the schedule, and shared by the requests that follow.

The database raises ``schedule_revisions.value`` in the same transaction as every change to
appointments, time off, working hours, chiropractors or appointment types. A request reads the
revision first and the schedule after it, so slots kept under a revision were computed from a
schedule at least that new: a later change raises the revision and the next request computes
afresh. Only the notice and horizon depend on the clock; they are applied to the kept slots on
every request, exactly as ``free_slots`` applies them.

Use it only in read-only requests: a transaction that has written reads its own uncommitted
revision, which a rollback would hand to somebody else's change.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.scheduling import Slot, SlotPolicy

# With no notice and no horizon, a "now" long past lets every start through.
LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)
REVISION = text("SELECT value FROM schedule_revisions WHERE id = 1")

SlotFinder = Callable[[SlotPolicy, datetime], list[Slot]]
T = TypeVar("T")


def as_is(slot: Slot) -> Slot:
    return slot


class FreeSlotCache(Generic[T]):
    """The most recently used ``size`` answers of a slot finder, kept per schedule revision (0: none).

    ``shape`` turns each slot into what callers receive (e.g. its JSON form), once per kept answer.
    """

    def __init__(self, size: int = 512, shape: Callable[[Slot], T] = as_is):
        self.size = size
        self.shape = shape
        self._entries: OrderedDict[tuple, list[tuple[datetime, T]]] = OrderedDict()
        self._lock = threading.Lock()

    def free_slots(
        self, session: Session, question: Hashable, find: SlotFinder, *, policy: SlotPolicy, now: datetime
    ) -> list[T]:
        """Return ``find(policy, now)``, shaped, calling ``find`` at most once per question and revision.

        ``question`` must hold everything the answer depends on besides the schedule and the
        clock (type, days, chiropractor); ``find`` is asked without notice or horizon, and may
        raise, in which case nothing is kept.
        """
        revision = session.execute(REVISION).scalar()
        if revision is None:  # the row is gone (a test emptied every table): nothing can be trusted
            return [self.shape(slot) for slot in find(policy, now)]
        # The engine tells databases apart (the tests run many); it is kept alive by the key.
        key = (session.get_bind(), revision, question, policy.grid)
        with self._lock:
            kept = self._entries.get(key)
            if kept is not None:
                self._entries.move_to_end(key)
        if kept is None:
            unlimited = replace(policy, min_notice=timedelta(0), horizon=None)
            kept = [(slot.start, self.shape(slot)) for slot in find(unlimited, LONG_AGO)]
            with self._lock:
                self._entries[key] = kept
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        earliest = now + policy.min_notice
        latest = None if policy.horizon is None else now + policy.horizon
        return [shaped for start, shaped in kept if earliest <= start and (latest is None or start < latest)]
