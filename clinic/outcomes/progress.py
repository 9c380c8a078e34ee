"""How far a patient has come in a care episode: each value's change from the episode's first value,
whether that change is clinically important, and whether the episode is on track.

Minimal clinically important change (improvement or worsening of at least):

- NPRS: 2 points or 30 % of the first value (Ostelo RW et al., Spine 2008;33:90–94; Farrar JT et
  al., Pain 2001;94:149–158).
- PSK/PSFS: 2 points on the mean of the activities (Stratford P et al., Physiother Can
  1995;47:258–263; Abbott JH & Schmitt J, JOSPT 2014;44:560–564 found 1.3–2.7).
- LEFS: 9 points (Binkley JM et al., Phys Ther 1999;79:371–383).
- GROC: the rating is itself a change; +3 ("somewhat better") or more, −3 or less, counts
  (Jaeschke R et al., Control Clin Trials 1989;10:407–415; Kamper SJ et al., J Man Manip Ther
  2009;17:163–170).

"Not on track": after ``review_after_visits`` visits (config ``OUTCOME_REVIEW_AFTER_VISITS``), no
measured outcome has improved by its minimal clinically important change: a prompt to reassess or
refer, not a verdict.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from clinic.outcomes.measures import SCALES, Measure

NPRS_POINTS = 2.0
NPRS_FRACTION = 0.30
MCID_POINTS: dict[Measure, float] = {Measure.NPRS: NPRS_POINTS, Measure.PSK: 2.0, Measure.LEFS: 9.0, Measure.GROC: 3.0}
SOURCES: dict[Measure, str] = {
    Measure.NPRS: "Ostelo 2008; Farrar 2001",
    Measure.PSK: "Stratford 1995; Abbott 2014",
    Measure.LEFS: "Binkley 1999",
    Measure.GROC: "Jaeschke 1989; Kamper 2009",
}
DEFAULT_REVIEW_AFTER_VISITS = 4


@dataclass(frozen=True)
class Change:
    """One value compared with the first of its measure in the episode."""

    measure: Measure
    first: float
    value: float
    # Positive: better off (less pain, more function); for GROC the rating itself.
    improvement: float
    # The change as a fraction of the first value (NPRS only, when the first value is above 0).
    fraction: float | None
    # The smallest clinically important change in points, after this first value.
    minimal_important_change: float
    is_important: bool

    @property
    def is_important_improvement(self) -> bool:
        return self.is_important and self.improvement > 0


def threshold(measure: Measure, first: float) -> float:
    """Return the smallest improvement (or worsening) in points that is clinically important after ``first``."""
    if measure is Measure.NPRS and first > 0:
        return min(NPRS_POINTS, NPRS_FRACTION * first)
    return MCID_POINTS[measure]


def change(measure: Measure, first: float, value: float) -> Change:
    """Return how ``value`` compares with the episode's ``first`` value of ``measure``."""
    if measure is Measure.GROC:
        improvement = value
        limit = MCID_POINTS[measure]
    else:
        improvement = value - first if SCALES[measure].higher_is_better else first - value
        limit = threshold(measure, first)
    fraction = improvement / first if measure is Measure.NPRS and first > 0 else None
    # A tolerance for the means of the PSK, which are rounded to two decimals.
    return Change(measure, first, value, improvement, fraction, limit,
                  abs(improvement) >= limit - 1e-9 and improvement != 0)


def changes(measure: Measure, values: Sequence[float]) -> list[Change]:
    """Return the change of each of ``values`` (in the order measured) from the first."""
    if not values:
        return []
    return [change(measure, values[0], value) for value in values]


@dataclass(frozen=True)
class Progress:
    visits: int
    review_after_visits: int
    # The latest change of each measure measured at least once.
    latest: dict[Measure, Change]

    @property
    def is_due_for_review(self) -> bool:
        return self.visits >= self.review_after_visits

    @property
    def is_on_track(self) -> bool:
        """False only once due for review: then some measure must have improved by its MCID."""
        if not self.is_due_for_review:
            return True
        return any(item.is_important_improvement for item in self.latest.values())


def progress(values: Iterable[tuple[Measure, float]], *, visits: int,
             review_after_visits: int = DEFAULT_REVIEW_AFTER_VISITS) -> Progress:
    """Return the episode's progress from its measured ``values`` (in the order measured) after ``visits`` visits."""
    by_measure: dict[Measure, list[float]] = {}
    for measure, value in values:
        by_measure.setdefault(measure, []).append(value)
    return Progress(visits, review_after_visits,
                    {measure: changes(measure, measured)[-1] for measure, measured in by_measure.items()})
