"""The patient timeline chart: daily load, EWMA acute and chronic load, the ratio, HRV and Hooper, phases shaded.

Pure Python (no Flask): ``daily_series`` reads the engine's own histories once for the whole
period (the engine evaluated per day would take seconds), and ``chart`` turns the series into
SVG coordinates the template draws. Each day is read at its end, as the engine would at 23:59.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from clinic.localtime import CLINIC_TZ, to_local
from clinic.readiness import ReadinessInputs, Rules, default_rules
from clinic.readiness.hrv import HrvHistory
from clinic.readiness.loads import load_history, own_session_loads
from clinic.readiness.phase import age_on, assess_recovery
from clinic.readiness.wellness import HooperHistory, worst_doms

TIMELINE_DAYS = 84  # twelve weeks
# The ratio band DOMAIN.md §4.3 scores 0 points; drawn as a reference, not as a "safe zone".
ACWR_BAND = (0.8, 1.3)
ACWR_MAX = 2.0


def end_of_day(day: date) -> datetime:
    """Return the last minute of a local day, as an aware instant."""
    return datetime.combine(day, time(23, 59), tzinfo=CLINIC_TZ)


@dataclass(frozen=True)
class DayPoint:
    """What the chart shows for one local day; None marks insufficient data."""

    day: date
    load: float
    acute: float | None
    chronic: float | None
    acwr: float | None
    ln_rmssd: float | None
    hooper: int | None
    phase: str


def daily_series(inputs: ReadinessInputs, last_day: date, days: int = TIMELINE_DAYS,
                 rules: Rules | None = None) -> list[DayPoint]:
    """Return one point per local day for the ``days`` days ending on ``last_day``."""
    rules = rules or default_rules()
    sessions = tuple(session for session in inputs.sessions if session.ended_at <= end_of_day(last_day))
    check_ins = tuple(check_in for check_in in inputs.check_ins if check_in.day <= last_day)
    loads = load_history(sessions, last_day, rules.load)
    hrv, hooper = HrvHistory(check_ins, rules.hrv), HooperHistory(check_ins, rules.hooper)
    points = []
    for offset in range(days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        ratio = loads.ratios.get(day)
        points.append(DayPoint(
            day=day,
            load=loads.daily.get(day, 0.0),
            acute=None if ratio is None else ratio.acute,
            chronic=None if ratio is None else ratio.chronic,
            acwr=None if ratio is None else ratio.ratio,
            ln_rmssd=hrv.rolling_mean(day),
            hooper=hooper.index(day),
            phase=_phase_on(inputs, sessions, check_ins, day, rules),
        ))
    return points


def _phase_on(inputs: ReadinessInputs, sessions, check_ins, day: date, rules: Rules) -> str:
    at = end_of_day(day)
    until = tuple(session for session in sessions if session.ended_at <= at)
    recovery = assess_recovery(until, at, rules.phase, age_years=age_on(inputs.date_of_birth, day),
                               worst_doms=worst_doms(check_ins, day).doms,
                               own_loads=own_session_loads(until, at, rules.load.session_percentiles))
    return recovery.phase.key


# Geometry ----------------------------------------------------------------------------------------

WIDTH = 840
LEFT, RIGHT = 56, 12
PANEL_HEIGHT = {"load": 170, "acwr": 90, "hrv": 90, "hooper": 90}
PANEL_GAP = 34
TOP = 16


@dataclass(frozen=True)
class Tick:
    """A labelled value on a panel's vertical axis; the template formats it in the page's language."""

    y: float
    value: float
    digits: int


@dataclass(frozen=True)
class Panel:
    """One horizontal strip of the chart with its own vertical scale."""

    name: str
    top: float
    height: float
    ticks: tuple[Tick, ...]
    lines: dict[str, list[str]]  # series name → polyline point lists (one per unbroken stretch)
    bars: tuple[tuple[float, float, float, float], ...] = ()  # x, y, width, height
    band: tuple[float, float] | None = None  # y of the upper and lower edge

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True)
class Marker:
    """A day with a treatment or a competition, marked across the panels."""

    x: float
    kind: str  # "treatment" or "competition"
    day: date


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    right: float
    phases: tuple[tuple[float, float, str], ...]  # x, width, phase
    weeks: tuple[tuple[float, date], ...]  # x of each Monday and its date
    panels: tuple[Panel, ...]
    markers: tuple[Marker, ...] = ()


def timeline_events(inputs: ReadinessInputs, treated_at: Sequence[datetime]) -> list[tuple[date, str]]:
    """Return the local days of the treatments (``treated_at``) and of the competitions in the training log."""
    treatments = {(to_local(instant).date(), "treatment") for instant in treated_at}
    competitions = {(to_local(session.ended_at).date(), "competition") for session in inputs.sessions
                    if session.is_competition}
    return sorted(treatments | competitions)


ROUND_TOPS = (100, 200, 400, 600, 800, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 10000, 15000)


def _nice_top(value: float) -> float:
    return next((top for top in ROUND_TOPS if value <= top), value)


def _polylines(points: Sequence[DayPoint], value: Callable[[DayPoint], float | None], x: Callable[[int], float],
               y: Callable[[float], float]) -> list[str]:
    stretches, current = [], []
    for index, point in enumerate(points):
        v = value(point)
        if v is None:
            if current:
                stretches.append(current)
            current = []
        else:
            current.append(f"{x(index):.1f},{y(v):.1f}")
    if current:
        stretches.append(current)
    # A single point still shows as a dot-sized line.
    return [" ".join(s if len(s) > 1 else s * 2) for s in stretches]


def chart(points: Sequence[DayPoint], events: Sequence[tuple[date, str]] = ()) -> Chart:
    """Return the coordinates of the timeline chart of ``points``, with ``events`` (day, kind) marked."""
    count = len(points)
    plot_width = WIDTH - LEFT - RIGHT
    step = plot_width / max(count, 1)

    def x(index: int) -> float:
        return LEFT + step * (index + 0.5)

    panels, top = [], TOP
    for name, height in PANEL_HEIGHT.items():
        panels.append(_panel(name, top, height, points, x, step))
        top += height + PANEL_GAP
    phases = []
    for index, point in enumerate(points):
        if phases and phases[-1][2] == point.phase:
            start, width, phase = phases[-1]
            phases[-1] = (start, width + step, phase)
        else:
            phases.append((LEFT + step * index, step, point.phase))
    weeks = tuple((LEFT + step * index, point.day) for index, point in enumerate(points) if point.day.weekday() == 0)
    index_of = {point.day: index for index, point in enumerate(points)}
    markers = tuple(Marker(x(index_of[day]), kind, day) for day, kind in events if day in index_of)
    return Chart(WIDTH, top - PANEL_GAP + 24, LEFT, WIDTH - RIGHT, tuple(phases), weeks, tuple(panels), markers)


def _scale(top: float, height: float, low: float, high: float) -> Callable[[float], float]:
    return lambda value: top + height - (min(max(value, low), high) - low) / (high - low) * height


def _panel(name: str, top: float, height: float, points: Sequence[DayPoint], x, step: float) -> Panel:
    if name == "load":
        highest = max([p.load for p in points] + [p.acute or 0 for p in points] + [p.chronic or 0 for p in points] + [1])
        high = _nice_top(highest)
        y = _scale(top, height, 0, high)
        bars = tuple((x(i) - step * 0.35, y(p.load), step * 0.7, top + height - y(p.load))
                     for i, p in enumerate(points) if p.load > 0)
        lines = {"acute": _polylines(points, lambda p: p.acute, x, y),
                 "chronic": _polylines(points, lambda p: p.chronic, x, y)}
        ticks = tuple(Tick(y(v), v, 0) for v in (0, high / 2, high))
        return Panel(name, top, height, ticks, lines, bars)
    if name == "acwr":
        y = _scale(top, height, 0, ACWR_MAX)
        ticks = tuple(Tick(y(v), v, 1) for v in (0.0, ACWR_BAND[0], ACWR_BAND[1], ACWR_MAX))
        return Panel(name, top, height, ticks, {"acwr": _polylines(points, lambda p: p.acwr, x, y)},
                     band=(y(ACWR_BAND[1]), y(ACWR_BAND[0])))
    if name == "hrv":
        values = [p.ln_rmssd for p in points if p.ln_rmssd is not None]
        low, high = (min(values) - 0.1, max(values) + 0.1) if values else (3.0, 5.0)
        y = _scale(top, height, low, high)
        ticks = tuple(Tick(y(v), v, 2) for v in (low, (low + high) / 2, high))
        return Panel(name, top, height, ticks, {"hrv": _polylines(points, lambda p: p.ln_rmssd, x, y)})
    y = _scale(top, height, 4, 28)
    ticks = tuple(Tick(y(v), v, 0) for v in (4, 16, 28))
    return Panel(name, top, height, ticks, {"hooper": _polylines(points, lambda p: p.hooper, x, y)})
