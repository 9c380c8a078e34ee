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
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from clinic.scheduling import Slot, SlotPolicy

# With no notice and no horizon, a "now" long past lets every start through.
LONG_AGO = datetime(2000, 1, 1, tzinfo=timezone.utc)
REVISION = text("SELECT value FROM schedule_revisions WHERE id = 1")

SlotFinder = Callable[[SlotPolicy, datetime], list[Slot]]


class FreeSlotCache:
    """The most recently used ``size`` answers of a slot finder, kept per schedule revision (0: none)."""

    def __init__(self, size: int = 512):
        self.size = size
        self._entries: OrderedDict[tuple, list[Slot]] = OrderedDict()
        self._lock = threading.Lock()

    def free_slots(
        self, session: Session, question: Hashable, find: SlotFinder, *, policy: SlotPolicy, now: datetime
    ) -> list[Slot]:
        """Return ``find(policy, now)``, calling ``find`` at most once per question and revision.

        ``question`` must hold everything the answer depends on besides the schedule and the
        clock (type, days, chiropractor); ``find`` is asked without notice or horizon, and may
        raise, in which case nothing is kept.
        """
        revision = session.execute(REVISION).scalar()
        if revision is None:  # the row is gone (a test emptied every table): nothing can be trusted
            return find(policy, now)
        # The engine tells databases apart (the tests run many); it is kept alive by the key.
        key = (session.get_bind(), revision, question, policy.grid)
        with self._lock:
            slots = self._entries.get(key)
            if slots is not None:
                self._entries.move_to_end(key)
        if slots is None:
            slots = find(replace(policy, min_notice=timedelta(0), horizon=None), LONG_AGO)
            with self._lock:
                self._entries[key] = slots
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        earliest = now + policy.min_notice
        latest = None if policy.horizon is None else now + policy.horizon
        return [slot for slot in slots if earliest <= slot.start and (latest is None or slot.start < latest)]
