"""How long an account stays locked after repeated failed logins.

Pure Python. A soft lock-out (ASVS V2.2.1, NIST SP 800-63B §5.2.2): from the fifth failure in a
row, each further failure locks the account for twice as long as the one before, up to a cap, so a
guesser is slowed to a crawl while a colleague who mistyped is kept out for only a minute or two.
Attempts during a lock are not checked and not counted, so nobody can extend a lock forever.
"""
from __future__ import annotations

from datetime import datetime, timedelta

LOCKOUT_THRESHOLD = 5
FIRST_LOCKOUT = timedelta(minutes=1)
LONGEST_LOCKOUT = timedelta(minutes=30)


def lockout_for(consecutive_failures: int) -> timedelta | None:
    """Return how long to lock the account after this many failures in a row (``None``: not at all)."""
    if consecutive_failures < LOCKOUT_THRESHOLD:
        return None
    doublings = consecutive_failures - LOCKOUT_THRESHOLD
    # 2**doublings grows without bound; the cap is reached after five doublings anyway.
    return min(FIRST_LOCKOUT * 2 ** min(doublings, 16), LONGEST_LOCKOUT)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Tell whether a lock that runs until ``locked_until`` is still in force at ``now``."""
    return locked_until is not None and now < locked_until
