"""Overtraining / insufficient-recovery warning: physiological signals F1–F5, symptoms S, level 0–3."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from .hrv import HrvHistory
from .loads import LoadHistory, recent_to_previous_ratio
from .result import Measurement, OvertrainingAssessment
from .rulebook import (
    AcwrSpike, ComplaintDefinition, HrvSuppressed, LastingDoms, MonotonyStrain, OvertrainingSettings,
    SymptomCriterion, WellnessWorse,
)
from .stats import percentile
from .tolerance import consecutive_below
from .wellness import ComplaintReport, HooperHistory


@dataclass(frozen=True)
class RecoveryEvidence:
    """Everything the overtraining rule looks at, on ``today``."""

    today: date
    loads: LoadHistory
    hrv: HrvHistory
    hooper: HooperHistory
    worst_doms: float | None
    hours_since_session: float | None
    complaints: ComplaintReport | None


def _last_days(today: date, count: int) -> list[date]:
    return [today - timedelta(days=offset) for offset in range(count)]


def acwr_spike(evidence: RecoveryEvidence, criteria: AcwrSpike) -> tuple[Measurement, ...]:
    """F1: the ACWR reached the spike threshold on a recent day; the highest, and its day."""
    ratios = [(ratio.ratio, day) for day in _last_days(evidence.today, criteria.within_days)
              if (ratio := evidence.loads.ratios.get(day)) is not None and ratio.ratio is not None
              and ratio.ratio >= criteria.acwr_gte]
    if not ratios:
        return ()
    highest, day = max(ratios, key=lambda pair: (pair[0], pair[1]))
    return (Measurement("acwr", highest, ">=", criteria.acwr_gte, on=day),)


def hrv_suppressed(evidence: RecoveryEvidence, criteria: HrvSuppressed) -> tuple[Measurement, ...]:
    """F2: lnRMSSD_7d stayed below the SWC band on consecutive days up to today; today's z-score."""
    recent = evidence.hrv.recent_z(evidence.today, criteria.consecutive_days)
    run = consecutive_below(recent, criteria.z_lt)
    if run < criteria.consecutive_days:
        return ()
    return (Measurement("hrv_z", recent[0], "<", criteria.z_lt, days=run),)


def wellness_worse(evidence: RecoveryEvidence, criteria: WellnessWorse) -> tuple[Measurement, ...]:
    """F3: Hooper z-score (or the fatigue item) high on enough of the last days; the highest, and on how many."""
    days = _last_days(evidence.today, criteria.of_last_days)
    high_z = [z for z in (evidence.hooper.summary(day).z for day in days) if z is not None and z >= criteria.z_gte]
    tired = [f for f in (evidence.hooper.item(day, "fatigue") for day in days)
             if f is not None and f >= criteria.fatigue_item_gte]
    if len(high_z) >= criteria.min_days:
        return (Measurement("hooper_z", max(high_z), ">=", criteria.z_gte, days=len(high_z),
                            of_days=criteria.of_last_days),)
    if len(tired) >= criteria.min_days:
        return (Measurement("fatigue", max(tired), ">=", criteria.fatigue_item_gte, days=len(tired),
                            of_days=criteria.of_last_days),)
    return ()


def monotony_strain(evidence: RecoveryEvidence, criteria: MonotonyStrain) -> tuple[Measurement, ...]:
    """F4: monotonous week with strain at the athlete's own high percentile."""
    week = evidence.loads.weeks.get(evidence.today)
    if week is None or week.monotony <= criteria.monotony_gt:
        return ()
    strains = [w.strain for day in _last_days(evidence.today, criteria.window_days)
               if (w := evidence.loads.weeks.get(day)) is not None]
    if len(strains) < criteria.min_days:
        return ()
    own_high = percentile(strains, criteria.strain_percentile_gte)
    if week.strain < own_high:
        return ()
    return (Measurement("monotony", week.monotony, ">", criteria.monotony_gt),
            Measurement("strain", week.strain, ">=", own_high))


def lasting_doms(evidence: RecoveryEvidence, criteria: LastingDoms) -> tuple[Measurement, ...]:
    """F5: DOMS still high well after the last significant session (DOMS normally resolves in 5–7 d)."""
    if (evidence.worst_doms is None or evidence.hours_since_session is None
            or evidence.worst_doms < criteria.doms_gte
            or evidence.hours_since_session <= criteria.days_after_session_gt * 24):
        return ()
    return (Measurement("doms", evidence.worst_doms, ">=", criteria.doms_gte),
            Measurement("days_since_session", evidence.hours_since_session / 24, ">", criteria.days_after_session_gt))


SIGNAL_TESTS = {
    "acwr_spike": acwr_spike,
    "hrv_suppressed": hrv_suppressed,
    "wellness_worse": wellness_worse,
    "monotony_strain": monotony_strain,
    "lasting_doms": lasting_doms,
}


SYMPTOM_KINDS = ("recovery_symptom", "performance_decline")


def _persisting(report: ComplaintReport | None, complaints: Mapping[str, ComplaintDefinition],
                kinds: tuple[str, ...], days_gt: int) -> bool:
    return report is not None and any(
        complaints[name].kind in kinds and report.persisting_days(name) > days_gt for name in report.complaints)


def _longest(report: ComplaintReport, complaints: Mapping[str, ComplaintDefinition]) -> int:
    return max(report.persisting_days(name) for name in report.complaints if complaints[name].kind in SYMPTOM_KINDS)


def _reports_kind(report: ComplaintReport | None, complaints: Mapping[str, ComplaintDefinition], kind: str) -> bool:
    return report is not None and any(complaints[name].kind == kind for name in report.complaints)


def _reduced_load(evidence: RecoveryEvidence, criterion: SymptomCriterion) -> bool:
    ratio = recent_to_previous_ratio(evidence.loads.daily, criterion.reduced_load_days,
                                     criterion.reduced_load_reference_days)
    return ratio is not None and ratio < criterion.reduced_load_ratio_lt


def _needs_referral(evidence: RecoveryEvidence, criterion: SymptomCriterion,
                    complaints: Mapping[str, ComplaintDefinition]) -> bool:
    report = evidence.complaints
    return (_persisting(report, complaints, SYMPTOM_KINDS, criterion.refer_persisting_days_gt)
            or _reports_kind(report, complaints, "systemic_symptom")
            or (_persisting(report, complaints, ("performance_decline",), criterion.persisting_days_gt)
                and _reduced_load(evidence, criterion)))


def assess_overtraining(evidence: RecoveryEvidence, settings: OvertrainingSettings,
                        complaints: Mapping[str, ComplaintDefinition]) -> OvertrainingAssessment:
    """Return the warning level and the signals behind it (DOMAIN.md §5).

    Level 1: exactly one of F1–F5 and no S. Level 2: S, or two or more of F1–F5. Level 3: S with
    complaints beyond the referral duration, with a systemic symptom, or with reduced performance
    despite reduced load.
    """
    found = [(signal.reason.instantiate(), measured) for name, signal in settings.signals.items()
             if (measured := SIGNAL_TESTS[name](evidence, signal.criteria))]
    physiological = [reason for reason, _ in found]
    criterion = settings.symptoms
    has_symptoms = _persisting(evidence.complaints, complaints, SYMPTOM_KINDS, criterion.persisting_days_gt)
    symptoms = [settings.symptom_reason.instantiate()] if has_symptoms else []
    if has_symptoms:
        found.append((symptoms[0], (Measurement("complaint_days", _longest(evidence.complaints, complaints), ">",
                                                criterion.persisting_days_gt),)))
    if has_symptoms and _needs_referral(evidence, criterion, complaints):
        level = 3
    elif has_symptoms or len(physiological) >= 2:
        level = 2
    else:
        level = len(physiological)  # 0 or 1 here
    return OvertrainingAssessment(level, tuple(physiological + symptoms), tuple(measured for _, measured in found))
