"""Heart-rate variability: 7-day mean of ln(RMSSD) and its z-score against the athlete's baseline."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta

from .inputs import WellnessCheckIn
from .result import HrvSummary
from .rulebook import HrvSettings
from .stats import mean, sample_sd


def _days_back(day: date, count: int) -> list[date]:
    return [day - timedelta(days=offset) for offset in range(count)]


class HrvHistory:
    """Morning ln(RMSSD) readings by day; several readings on one day are averaged."""

    def __init__(self, check_ins: Iterable[WellnessCheckIn], settings: HrvSettings) -> None:
        readings: dict[date, list[float]] = {}
        for check_in in check_ins:
            if check_in.rmssd_ms is not None:
                readings.setdefault(check_in.day, []).append(math.log(check_in.rmssd_ms))
        self._ln_by_day = {day: mean(values) for day, values in readings.items()}
        self._settings = settings

    def _readings(self, days: Iterable[date]) -> list[float]:
        return [self._ln_by_day[day] for day in days if day in self._ln_by_day]

    def rolling_mean(self, day: date) -> float | None:
        """Return the mean ln(RMSSD) of the window ending on ``day``; None with too few readings."""
        readings = self._readings(_days_back(day, self._settings.window_days))
        return mean(readings) if len(readings) >= self._settings.min_readings_per_window else None

    def baseline(self, day: date) -> tuple[float, float] | None:
        """Return mean and sample SD of the rolling means over the reference period before ``day``'s window.

        The reference period is the ``baseline_days`` before the current window; each of its
        windows needs enough readings (Plews 2014), and a baseline without spread gives no z-score.
        """
        settings = self._settings
        reference = _days_back(day - timedelta(days=settings.window_days), settings.baseline_days)
        windows = [reference[start:start + settings.window_days]
                   for start in range(0, settings.baseline_days, settings.window_days)]
        if any(len(self._readings(window)) < settings.min_readings_per_window for window in windows):
            return None
        means = [value for value in map(self.rolling_mean, reference) if value is not None]
        spread = sample_sd(means) if len(means) >= 2 else 0.0
        return (mean(means), spread) if spread > 0 else None

    def summary(self, day: date) -> HrvSummary:
        """Return the rolling mean, baseline and z-score on ``day``."""
        current, baseline = self.rolling_mean(day), self.baseline(day)
        if baseline is None:
            return HrvSummary(current, None, None, None)
        centre, spread = baseline
        z = None if current is None else (current - centre) / spread
        return HrvSummary(current, centre, spread, z)

    def recent_z(self, day: date, days: int) -> tuple[float | None, ...]:
        """Return the z-scores of ``day`` and the ``days`` − 1 days before it, newest first."""
        return tuple(self.summary(each).z for each in _days_back(day, days))
