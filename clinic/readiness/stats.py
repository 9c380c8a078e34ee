"""Small descriptive statistics with the conventions the readiness metrics document."""
from __future__ import annotations

import math
from collections.abc import Sequence


def mean(values: Sequence[float]) -> float:
    """Return the arithmetic mean of a non-empty sequence."""
    return math.fsum(values) / len(values)


def population_sd(values: Sequence[float]) -> float:
    """Return the SD with divisor n: the values are the whole population described."""
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / len(values))


def sample_sd(values: Sequence[float]) -> float:
    """Return the SD with divisor n − 1: the values estimate a wider population (needs n ≥ 2)."""
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1))


def percentile(values: Sequence[float], p: float) -> float:
    """Return the ``p``-th percentile by linear interpolation between closest ranks.

    This is the "inclusive" definition (numpy's default, Excel PERCENTILE.INC): position
    (n − 1)·p/100 in the sorted values.
    """
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
