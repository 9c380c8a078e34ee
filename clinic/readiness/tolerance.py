"""Load tolerance (belastbaarheid): transparent points per component and the band they give."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .result import LoadTolerance, ToleranceComponent
from .rulebook import TOLERANCE_COMPONENTS, ComponentSettings, ToleranceSettings, points_for
from .states import Band
from .stats import percentile


@dataclass(frozen=True)
class Measurements:
    """The values the tolerance components score; None means insufficient data."""

    acwr: float | None
    hrv_recent_z: tuple[float | None, ...]
    hooper_z: float | None
    hooper_worst_item: int | None
    worst_doms: float | None
    monotony: float | None
    session_load: float | None
    own_session_loads: tuple[float, ...] | None


def consecutive_below(values: tuple[float | None, ...], threshold: float) -> int:
    """Return how many leading values (newest first) are below ``threshold``; a gap ends the run."""
    run = 0
    for value in values:
        if value is None or value >= threshold:
            break
        run += 1
    return run


def _banded(value: float | None, settings: ComponentSettings) -> tuple[float | None, int | None]:
    return value, None if value is None else points_for(value, settings.bands)


def _hrv(measurements: Measurements, settings: ComponentSettings) -> tuple[float | None, int | None]:
    recent, sustained = measurements.hrv_recent_z, settings.sustained
    z, points = _banded(recent[0], settings)
    if points is not None and consecutive_below(recent, sustained.z_lt) >= sustained.days:
        points = max(points, sustained.points)
    return z, points


def _hooper(measurements: Measurements, settings: ComponentSettings) -> tuple[float | None, int | None]:
    z, points = _banded(measurements.hooper_z, settings)
    if points is not None and measurements.hooper_worst_item >= settings.any_item.gte:
        points = max(points, settings.any_item.points)
    return z, points


def _session_load(measurements: Measurements, settings: ComponentSettings) -> tuple[float | None, int | None]:
    load, own_loads = measurements.session_load, measurements.own_session_loads
    if load is None or own_loads is None:
        return load, None
    rule = settings.above_percentile
    return load, rule.points if load >= percentile(own_loads, rule.percentile) else 0


_SCORERS: dict[str, Callable[[Measurements, ComponentSettings], tuple[float | None, int | None]]] = {
    "acwr": lambda measurements, settings: _banded(measurements.acwr, settings),
    "hrv": _hrv,
    "hooper": _hooper,
    "doms": lambda measurements, settings: _banded(measurements.worst_doms, settings),
    "monotony": lambda measurements, settings: _banded(measurements.monotony, settings),
    "session_load": _session_load,
}


def score_tolerance(measurements: Measurements, settings: ToleranceSettings) -> LoadTolerance:
    """Return the band from the points of the components that have data (DOMAIN.md §4.3).

    Missing components score nothing and are listed; with too few core components the band is
    UNKNOWN and the rules evaluate it as ``unknown_band.evaluate_as``.
    """
    components = tuple(ToleranceComponent(name, *_SCORERS[name](measurements, settings.components[name]))
                       for name in TOLERANCE_COMPONENTS)
    score = sum(component.points for component in components if not component.is_missing)
    scored_core = sum(1 for component in components
                      if component.name in settings.core_components and not component.is_missing)
    if scored_core < settings.min_core_components:
        return LoadTolerance(Band.UNKNOWN, settings.unknown_band_evaluated_as, score, components)
    band = next(entry.band for entry in settings.score_bands if entry.contains(score))
    return LoadTolerance(band, band, score, components)
