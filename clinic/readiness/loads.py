"""Training load from session-RPE: daily loads, EWMA acute:chronic ratio, monotony and strain."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from clinic.localtime import to_local

from .inputs import TrainingSession
from .rulebook import AcwrSettings, LoadSettings, MonotonySettings, SessionPercentiles
from .stats import mean, population_sd, sample_sd


@dataclass(frozen=True)
class WorkloadRatio:
    """EWMA acute and chronic daily load and their ratio (None when the chronic load is 0)."""

    acute: float
    chronic: float
    ratio: float | None


@dataclass(frozen=True)
class WeekLoad:
    """The 7-day window ending on a day: total load W, monotony and strain = W × monotony."""

    total: float
    monotony: float
    strain: float


@dataclass(frozen=True)
class LoadHistory:
    """Daily loads from the first session to today and the metrics derived per day."""

    daily: Mapping[date, float]
    ratios: Mapping[date, WorkloadRatio]
    weeks: Mapping[date, WeekLoad]


def local_day(instant: datetime) -> date:
    """Return the Europe/Amsterdam calendar day of an aware instant."""
    return to_local(instant).date()


def daily_loads(sessions: Iterable[TrainingSession], today: date) -> dict[date, float]:
    """Return the sRPE load of each local day from the first session's day to ``today``.

    A day without sessions is a rest day with load 0, not missing data; days before the first
    session are not history at all.
    """
    totals: dict[date, list[float]] = {}
    for session in sessions:
        totals.setdefault(local_day(session.ended_at), []).append(session.load)
    if not totals:
        return {}
    first = min(totals)
    days = (first + timedelta(days=offset) for offset in range((today - first).days + 1))
    return {day: math.fsum(totals.get(day, ())) for day in days}


def workload_ratios(daily: Mapping[date, float], settings: AcwrSettings) -> dict[date, WorkloadRatio]:
    """Return the EWMA acute:chronic workload ratio of each day with enough history.

    EWMA_t = λ·L_t + (1 − λ)·EWMA_t−1 with λ = 2/(N + 1) (Williams 2017). Both averages are seeded
    on day ``seed_days`` with the mean load of the first ``seed_days`` days and updated from the
    next day on; no ratio is given before ``min_history_days`` days of history.
    """
    days, loads = list(daily), list(daily.values())
    if len(loads) < settings.min_history_days:
        return {}
    acute_weight, chronic_weight = 2 / (settings.acute_days + 1), 2 / (settings.chronic_days + 1)
    acute = chronic = mean(loads[:settings.seed_days])
    ratios = {}
    for index in range(settings.seed_days - 1, len(loads)):
        if index >= settings.seed_days:
            acute = acute_weight * loads[index] + (1 - acute_weight) * acute
            chronic = chronic_weight * loads[index] + (1 - chronic_weight) * chronic
        if index + 1 >= settings.min_history_days:
            ratios[days[index]] = WorkloadRatio(acute, chronic, acute / chronic if chronic > 0 else None)
    return ratios


def week_load(loads: Sequence[float], settings: MonotonySettings) -> WeekLoad:
    """Return total, monotony and strain of one window of daily loads (rest days included as 0).

    Monotony = mean / SD. The SD is the population SD by default (the window is the whole week
    being described, not a sample); it is floored at ``sd_floor`` AU and monotony is capped at
    ``cap``, so identical daily loads give the cap instead of infinity.
    """
    spread = population_sd(loads) if settings.sd == "population" else sample_sd(loads)
    monotony = min(mean(loads) / max(spread, settings.sd_floor), settings.cap)
    total = math.fsum(loads)
    return WeekLoad(total, monotony, total * monotony)


def week_loads(daily: Mapping[date, float], settings: MonotonySettings) -> dict[date, WeekLoad]:
    """Return the week load of each day that ends a full window of history."""
    days, loads = list(daily), list(daily.values())
    size = settings.window_days
    return {days[end]: week_load(loads[end - size + 1:end + 1], settings) for end in range(size - 1, len(loads))}


def load_history(sessions: Iterable[TrainingSession], today: date, settings: LoadSettings) -> LoadHistory:
    """Return daily loads and the per-day ratio and week metrics derived from them."""
    daily = daily_loads(sessions, today)
    return LoadHistory(daily, workload_ratios(daily, settings.acwr), week_loads(daily, settings.monotony))


def own_session_loads(sessions: Iterable[TrainingSession], at: datetime,
                      settings: SessionPercentiles) -> tuple[float, ...] | None:
    """Return the loads of the sessions in the percentile window, or None when there are too few."""
    window_start = at - timedelta(days=settings.window_days)
    loads = tuple(session.load for session in sessions if window_start < session.ended_at <= at)
    return loads if len(loads) >= settings.min_sessions else None


def recent_to_previous_ratio(daily: Mapping[date, float], recent_days: int, previous_days: int) -> float | None:
    """Return mean daily load of the last ``recent_days`` over that of the ``previous_days`` before them."""
    loads = list(daily.values())
    if len(loads) < recent_days + previous_days:
        return None
    recent = mean(loads[-recent_days:])
    previous = mean(loads[-(recent_days + previous_days):-recent_days])
    return recent / previous if previous > 0 else None
