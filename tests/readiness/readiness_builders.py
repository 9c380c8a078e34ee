"""Builders shared by the readiness tests: inputs with sensible defaults and decision situations."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from clinic.localtime import CLINIC_TZ
from clinic.readiness import (
    FlagCheck, ReadinessInputs, Screening, TrainingSession, WellnessCheckIn, default_rules,
)
from clinic.readiness.decision import assess_modalities
from clinic.readiness.situation import Situation
from clinic.readiness.states import Band, Phase, ScreeningStatus

RULES = default_rules()
ALL_INDICATIONS = frozenset(RULES.indications)
CHECKED_ON = date(2025, 1, 6)
# The examples are evaluated over 2025; a screening that is current all that year.
SCREENED_AT = datetime.combine(CHECKED_ON, time(9), tzinfo=CLINIC_TZ)
SCREENING_DUE_ON = date(2026, 1, 6)


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """Return an aware Europe/Amsterdam datetime."""
    return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=CLINIC_TZ)


def flags(*names: str, region: str | None = None) -> dict[str, FlagCheck]:
    """Return screening flags as recorded by a clinician."""
    return {name: FlagCheck(CHECKED_ON, "dr. Schol", region) for name in names}


def screened(flag_checks=None, indications=frozenset(), *, at: datetime = SCREENED_AT,
             due_on: date = SCREENING_DUE_ON) -> Screening:
    """Return a screening gone through at ``at`` that finds ``flag_checks`` and ``indications``."""
    return Screening(flag_checks or {}, indications, at, due_on)


def situation(**overrides) -> Situation:
    """Return a situation where nothing restricts: screened, adaptation, high tolerance, every indication."""
    values = dict(screening_status=ScreeningStatus.CURRENT, phase=Phase.ADAPTATION, band=Band.HIGH, effective_band=None, worst_doms=None,
                  doms_region=None, flags={}, indications=ALL_INDICATIONS, hours_to_competition=None,
                  overtraining_level=0)
    values.update(overrides)
    if values["effective_band"] is None:
        unknown = values["band"] is Band.UNKNOWN
        values["effective_band"] = RULES.tolerance.unknown_band_evaluated_as if unknown else values["band"]
    return Situation(**values)


def assess(**overrides):
    """Return the modality assessments for a situation built with ``situation(**overrides)``."""
    return assess_modalities(situation(**overrides), RULES)


def rule_verdicts(assessment) -> dict[str, str | None]:
    """Return rule id → verdict key of a modality's reasons."""
    return {reason.rule: None if reason.verdict is None else reason.verdict.key for reason in assessment.reasons}


def daily_sessions(end_day: date, loads: list[float], *, hour: int = 18, minutes: float = 60) -> list[TrainingSession]:
    """Return one session per day ending on ``end_day`` whose sRPE loads are ``loads`` (0 = rest day).

    Each load is RPE × ``minutes``; a load of 0 gives no session at all.
    """
    first = end_day - timedelta(days=len(loads) - 1)
    return [TrainingSession(datetime.combine(first + timedelta(days=offset), time(hour), tzinfo=CLINIC_TZ),
                            minutes, load / minutes)
            for offset, load in enumerate(loads) if load]


def check_ins(end_day: date, rows: list[dict]) -> list[WellnessCheckIn]:
    """Return one check-in per day ending on ``end_day``; an empty dict skips that day."""
    first = end_day - timedelta(days=len(rows) - 1)
    return [WellnessCheckIn(first + timedelta(days=offset), **row) for offset, row in enumerate(rows) if row]


def inputs(**overrides) -> ReadinessInputs:
    """Return readiness inputs for a 30-year-old, screened without findings, with no data unless overridden."""
    values = dict(date_of_birth=date(1995, 3, 1), sessions=(), check_ins=(), screening=screened(),
                  next_competition_at=None)
    values.update(overrides)
    return ReadinessInputs(**values)
