"""Shared by the attack tests: a count of the attacks tried, printed at the end of the run.

``attempts`` is a session-wide counter. A test records how many attacks it tried with
``attempts.record(category, n)`` (``category`` is a short name such as ``"csrf"``, ``"xss"``,
``"sql"``, ``"input"``); the terminal summary then prints one line with every category's total,
so a run shows how much was tried, not only that nothing got through.
"""
from __future__ import annotations

from collections import Counter

import pytest


class Attempts:
    """How many attacks each category tried in this test session."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def record(self, category: str, n: int = 1) -> None:
        self.counts[category] += n


ATTEMPTS = Attempts()


@pytest.fixture(scope="session")
def attempts() -> Attempts:
    return ATTEMPTS


def pytest_terminal_summary(terminalreporter) -> None:
    if ATTEMPTS.counts:
        totals = ", ".join(f"{category} {n}" for category, n in sorted(ATTEMPTS.counts.items()))
        terminalreporter.write_line(f"attack attempts (both databases together): {totals}")
