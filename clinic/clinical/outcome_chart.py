"""The outcome chart of a care episode: one strip per measure, its values over the days of the episode,
and the line the values must cross for a clinically important improvement (first value ± MCID).

Pure Python (no Flask), drawn by the template as inline SVG like the load timeline (``timeline``),
whose ``Tick`` and scale it shares.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from clinic.clinical.timeline import Tick, _scale
from clinic.outcomes.measures import SCALES, Measure
from clinic.outcomes.progress import Change

# About as wide as a phone's card, so that on a phone the labels are drawn near their own size; on a wide
# screen the chart grows. The ticks are at most three characters ("−7", "80"): a narrow left margin.
WIDTH = 320
LEFT, RIGHT = 30, 8
PANEL_HEIGHT = 100
# Room above each panel for its title on two lines (the template wraps a long measure name).
TITLE_LINES = 2
TITLE_LINE_HEIGHT = 15
PANEL_GAP = 26 + TITLE_LINES * TITLE_LINE_HEIGHT
TOP = 6 + TITLE_LINES * TITLE_LINE_HEIGHT
# The characters of a title line: what fits in WIDTH - LEFT at the title's font size.
TITLE_LINE_CHARACTERS = 32


@dataclass(frozen=True)
class OutcomePoint:
    day: date
    change: Change


@dataclass(frozen=True)
class OutcomePanel:
    measure: str
    top: float
    height: float
    ticks: tuple[Tick, ...]
    line: str  # polyline points
    dots: tuple[tuple[float, float, float], ...]  # x, y, value
    # The value to reach for a clinically important improvement, and its y (None: out of the scale's reach).
    target: float | None
    target_y: float | None

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class OutcomeChart:
    width: float
    height: float
    left: float
    right: float
    panels: tuple[OutcomePanel, ...]
    days: tuple[tuple[float, date], ...]  # x and date of the first and last day
    title_line_height: float = TITLE_LINE_HEIGHT
    title_line_characters: int = TITLE_LINE_CHARACTERS


def target_of(change: Change) -> float | None:
    """Return the value a clinically important improvement reaches (GROC: the rating itself), within the scale."""
    scale = SCALES[change.measure]
    if change.measure is Measure.GROC:
        target = change.minimal_important_change
    elif scale.higher_is_better:
        target = change.first + change.minimal_important_change
    else:
        target = change.first - change.minimal_important_change
    return target if scale.low <= target <= scale.high else None


def outcome_chart(points: Sequence[OutcomePoint], first_day: date, last_day: date) -> OutcomeChart:
    """Return the coordinates of the outcome chart of ``points`` (in the order measured) over the episode's days."""
    span = max((last_day - first_day).days, 1)

    def x(day: date) -> float:
        return LEFT + (min(max((day - first_day).days, 0), span) / span) * (WIDTH - LEFT - RIGHT)

    panels, top = [], TOP
    for measure in Measure:
        measured = [point for point in points if point.change.measure is measure]
        if not measured:
            continue
        scale = SCALES[measure]
        y = _scale(top, PANEL_HEIGHT, scale.low, scale.high)
        dots = tuple((x(p.day), y(p.change.value), p.change.value) for p in measured)
        target = target_of(measured[0].change)
        ticks = tuple(Tick(y(v), v, 0) for v in (scale.low, (scale.low + scale.high) / 2, scale.high))
        panels.append(OutcomePanel(measure.value, top, PANEL_HEIGHT, ticks,
                                   " ".join(f"{dx:.1f},{dy:.1f}" for dx, dy, _ in dots), dots, target,
                                   None if target is None else y(target)))
        top += PANEL_HEIGHT + PANEL_GAP
    height = max(top - PANEL_GAP + 24, TOP + 24)
    return OutcomeChart(WIDTH, height, LEFT, WIDTH - RIGHT, tuple(panels), ((x(first_day), first_day),
                                                                           (x(last_day), last_day)))
