"""Values worked out once per revision of the schedule, and shared by the requests that follow.

The database raises ``schedule_revisions.value`` in the same transaction as every change to
appointments, time off, working hours, chiropractors, appointment types and patients' names. A
request reads the revision first and what it shows after it, so a value kept under a revision was
made from data at least that new: a later change raises the revision and the next request makes
the value afresh.

Use it only in read-only requests: a transaction that has written reads its own uncommitted
revision, which a rollback would hand to somebody else's change.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

REVISION = text("SELECT value FROM schedule_revisions WHERE id = 1")
# How long a request waits for another one making the same value before making it itself.
WAIT_FOR_MAKER_SECONDS = 5.0

T = TypeVar("T")


class RevisionCache(Generic[T]):
    """The most recently used ``size`` values, each kept under the schedule revision it was made at (0: none)."""

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[tuple, T] = OrderedDict()
        self._being_made: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, question: Hashable, make: Callable[[], T]) -> T:
        """Return ``make()``, calling it at most once per question and revision.

        ``question`` must hold everything the value depends on besides the schedule (day,
        language…); ``make`` may raise, in which case nothing is kept.

        Requests that ask while another one is making the same value wait for it: every change
        of the schedule empties the cache at once, and each of the requests that arrive in the
        next few milliseconds would otherwise make the value again.
        """
        revision = session.execute(REVISION).scalar()
        if revision is None:  # the row is gone (a test emptied every table): nothing can be trusted
            return make()
        # The engine tells databases apart (the tests run many); it is kept alive by the key.
        key = (session.get_bind(), revision, question)
        with self._lock:
            kept = self._kept(key)
            if kept is not None:
                return kept
            made_elsewhere = self._being_made.get(key)
            if made_elsewhere is None:
                done = self._being_made[key] = threading.Event()
        if made_elsewhere is not None:
            made_elsewhere.wait(WAIT_FOR_MAKER_SECONDS)
            with self._lock:
                kept = self._kept(key)
            # Not there if its maker raised or is slow: make it here, without keeping it.
            return kept if kept is not None else make()
        try:
            value = make()
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        finally:
            with self._lock:
                del self._being_made[key]
            done.set()
        return value

    def _kept(self, key: tuple) -> T | None:
        kept = self._entries.get(key)
        if kept is not None:
            self._entries.move_to_end(key)
        return kept
