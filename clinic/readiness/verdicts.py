"""Treatment verdicts, totally ordered by how restrictive they are."""
from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class Verdict(IntEnum):
    """A modality verdict; a higher value is more restrictive."""

    # Values start at 1 so that no verdict is falsy in an ``if``.
    RECOMMENDED = 1
    ALLOWED = 2
    CAUTION = 3
    NOT_ADVISED = 4
    CONTRAINDICATED = 5

    @property
    def key(self) -> str:
        """Return the name used in the rules file and in JSON, e.g. ``not_advised``."""
        return self.name.lower()

    @classmethod
    def from_key(cls, key: str) -> Verdict:
        """Return the verdict named ``key``; raise ``ValueError`` for an unknown name."""
        try:
            return cls[key.upper()]
        except KeyError:
            raise ValueError(f"unknown verdict {key!r}") from None


VERDICT_KEYS = tuple(verdict.key for verdict in Verdict)


def most_restrictive(verdicts: Iterable[Verdict]) -> Verdict:
    """Return the most restrictive of ``verdicts``; raise ``ValueError`` when there are none."""
    return max(verdicts)


def is_at_least(verdict: Verdict, threshold: Verdict) -> bool:
    """Tell whether ``verdict`` is as restrictive as ``threshold`` or more."""
    return verdict >= threshold
