"""Recovery phase: hours since the last significant session, stretched by age and, optionally, severity."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from clinic.localtime import hours_between

from .inputs import TrainingSession
from .rulebook import PhaseSettings
from .states import Phase
from .stats import percentile


@dataclass(frozen=True)
class Recovery:
    """Where the patient is in recovery and why."""

    phase: Phase
    factor: float
    hours_since_session: float | None
    last_session: TrainingSession | None


def age_on(date_of_birth: date, day: date) -> int:
    """Return the age in whole years on ``day``."""
    had_birthday = (day.month, day.day) >= (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - (0 if had_birthday else 1)


def own_percentile(own_loads: tuple[float, ...] | None, p: float) -> float | None:
    """Return the athlete's own ``p``-th percentile session load, or None with too few sessions."""
    return None if own_loads is None else percentile(own_loads, p)


def last_significant_session(sessions: Iterable[TrainingSession], settings: PhaseSettings,
                             own_loads: tuple[float, ...] | None) -> TrainingSession | None:
    """Return the latest session that was hard (RPE) or heavy for this athlete (own load percentile).

    Light and active-recovery sessions do not reset the recovery clock. Without enough sessions for
    a percentile only the RPE criterion applies.
    """
    rule = settings.significant_session
    heavy_from = own_percentile(own_loads, rule.load_percentile_gte)
    significant = [session for session in sessions
                   if session.rpe >= rule.rpe_gte or (heavy_from is not None and session.load >= heavy_from)]
    # Ties on the end time are broken on load so the input order never matters.
    return max(significant, key=lambda session: (session.ended_at, session.load), default=None)


def recovery_factor(settings: PhaseSettings, age_years: int, worst_doms: float | None,
                    last_session: TrainingSession | None, own_loads: tuple[float, ...] | None) -> float:
    """Return f = f_age × f_sev, the multiplier of the phase cut-points (DOMAIN.md §4.2)."""
    return settings.age_factor(age_years) * _severity_factor(settings, worst_doms, last_session, own_loads)


def _severity_factor(settings: PhaseSettings, worst_doms: float | None, last_session: TrainingSession | None,
                     own_loads: tuple[float, ...] | None) -> float:
    extension = settings.severity_extension
    if not extension.enabled:
        return 1.0
    very_sore = worst_doms is not None and worst_doms >= extension.doms_gte
    heavy_from = own_percentile(own_loads, extension.load_percentile_gte)
    very_heavy = last_session is not None and heavy_from is not None and last_session.load >= heavy_from
    return extension.factor if very_sore or very_heavy else 1.0


def recovery_phase(hours_since_session: float | None, factor: float, settings: PhaseSettings) -> Phase:
    """Return the phase for the hours since the last significant session.

    With no significant session on record there is nothing to recover from: adaptation.
    """
    if hours_since_session is None or hours_since_session >= settings.regeneration_end_hours * factor:
        return Phase.ADAPTATION
    if hours_since_session >= settings.acute_end_hours * factor:
        return Phase.REGENERATION
    return Phase.ACUTE


def assess_recovery(sessions: tuple[TrainingSession, ...], at: datetime, settings: PhaseSettings, *,
                    age_years: int, worst_doms: float | None, own_loads: tuple[float, ...] | None) -> Recovery:
    """Return the recovery phase at ``at`` from the sessions that ended by then."""
    last_session = last_significant_session(sessions, settings, own_loads)
    hours = None if last_session is None else hours_between(last_session.ended_at, at)
    factor = recovery_factor(settings, age_years, worst_doms, last_session, own_loads)
    return Recovery(recovery_phase(hours, factor, settings), factor, hours, last_session)
