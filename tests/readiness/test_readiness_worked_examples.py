"""DOMAIN.md §4.7 worked examples, end to end from records to verdicts and rule ids."""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import pytest
from readiness_builders import check_ins, daily_sessions, flags, inputs, local, screened

from clinic.localtime import CLINIC_TZ
from clinic.readiness import Band, Phase, TrainingSession, Verdict, WellnessCheckIn, evaluate


def _alternating(days: int, low, high) -> list:
    return [low if offset % 2 == 0 else high for offset in range(days)]


def _hooper(index: int) -> dict:
    items = {"sleep": 2, "fatigue": 2, "stress": 2, "soreness": 2}
    for item in list(items)[: index - 8]:
        items[item] += 1
    return items


def _wellness(today: date, *, current_ln: list[float], hooper_today: int, doms: float,
              complaints: dict | None = None) -> list[WellnessCheckIn]:
    """Return 45 days of check-ins: a 4.0/4.2 lnRMSSD and 8/10 Hooper baseline, then today's state.

    The current HRV week (days −6…0) reads ``current_ln``; today's check-in also carries the
    Hooper index, DOMS and complaints given.
    """
    ln_values = _alternating(45 - len(current_ln), 4.0, 4.2) + current_ln
    hooper = _alternating(44, 8, 10) + [hooper_today]
    rows = [{"rmssd_ms": math.exp(ln), **_hooper(index)} for ln, index in zip(ln_values, hooper)]
    rows[-1] |= {"doms": doms, "doms_region": "benen", "complaints": complaints or {}}
    return check_ins(today, rows)


def decisive(result, modality: str) -> set[str]:
    return {reason.rule for reason in result.modalities[modality].decisive_reasons}


def all_rules(result, modality: str) -> set[str]:
    return {reason.rule for reason in result.modalities[modality].reasons}


# Example 1 – 28-y runner, 18 h after intervals (RPE 8 × 60 min = 480 AU, below her own P90),
# DOMS 5, Hooper z ≈ 0, HRV z ≈ 0, ACWR ≈ 1.1, race in 5 days, no flags.
RUNNER_AT = local(2025, 6, 12, 12)


def runner(indications=frozenset()):
    # Six weeks of [600, 0, 300, 0, 400, 200, 480]: the 480-AU intervals end yesterday at 18:00.
    sessions = daily_sessions(RUNNER_AT.date() - timedelta(days=1), [600, 0, 300, 0, 400, 200, 480] * 6, minutes=60)
    wellness = _wellness(RUNNER_AT.date(), current_ln=[4.1] * 7, hooper_today=9, doms=5)
    return inputs(date_of_birth=date(1997, 2, 1), sessions=sessions, check_ins=wellness,
                  screening=screened(indications=indications), next_competition_at=RUNNER_AT + timedelta(days=5))


def test_example_1_runner_derived_values():
    result = evaluate(runner(), RUNNER_AT)
    points = {component.name: component.points for component in result.load_tolerance.components}
    # f = 1.0, 18 h → ACUTE; only DOMS 5 scores (1 point) → HIGH
    assert (result.phase, result.hours_since_significant_session) == (Phase.ACUTE, 18.0)
    assert 0.8 <= result.load.acwr < 1.3
    assert points == {"acwr": 0, "hrv": 0, "hooper": 0, "doms": 1, "monotony": 0, "session_load": 0}
    assert (result.load_tolerance.band, result.load_tolerance.score) == (Band.HIGH, 1)
    assert result.overtraining_level == 0


@pytest.mark.parametrize(("modality", "verdict", "rules"), [
    ("massage", Verdict.RECOMMENDED, {"MAS-ACUTE"}),                # "Massage RECOMMENDED (light)"
    ("dry_needling", Verdict.NOT_ADVISED, {"DN-ACUTE"}),            # "dry needling NOT_ADVISED (acute)"
    ("decompression", Verdict.NOT_ADVISED, {"DEC-NO-INDICATION"}),  # "decompression NOT_ADVISED (no indication)"
    ("adjustment", Verdict.NOT_ADVISED, {"ADJ-NO-INDICATION"}),     # "adjustment NOT_ADVISED unless …indication"
    ("active_recovery", Verdict.RECOMMENDED, {"AR-ACUTE"}),         # "active recovery RECOMMENDED"
])
def test_example_1_runner_verdicts(modality, verdict, rules):
    result = evaluate(runner(), RUNNER_AT)
    assert result.modalities[modality].verdict is verdict
    assert decisive(result, modality) == rules


def test_example_1_runner_with_a_spinal_pain_indication_may_be_adjusted():
    result = evaluate(runner(indications={"spinal_pain_mechanical"}), RUNNER_AT)
    assert result.modalities["adjustment"].verdict is Verdict.ALLOWED
    assert decisive(result, "adjustment") == {"ADJ-ACUTE"}  # DOMS 5 < 7: no caution


# Example 2 – 56-y cyclist, 60 h after the last hard ride, ACWR ≥ 1.5, HRV z < −0.5 for days,
# Hooper z > +1, DOMS 3, fatigue and poor sleep for 9 days.
CYCLIST_AT = local(2025, 6, 12, 20)


def cyclist():
    # 40 days of 100-AU spins, three 1500-AU rides (RPE 7.5 × 200 min) ending 8–10 June at 08:00,
    # then easy 80-AU spins (RPE 2 × 40 min, below her median) on 11 and 12 June.
    hard_end = datetime.combine(date(2025, 6, 10), time(8), tzinfo=CLINIC_TZ)
    base = daily_sessions(date(2025, 6, 7), [100] * 40, minutes=50)
    hard = [TrainingSession(hard_end - timedelta(days=back), 200, 7.5) for back in range(3)]
    easy = [TrainingSession(datetime.combine(day, time(10), tzinfo=CLINIC_TZ), 40, 2)
            for day in (date(2025, 6, 11), date(2025, 6, 12))]
    began = CYCLIST_AT.date() - timedelta(days=9)
    wellness = _wellness(CYCLIST_AT.date(), current_ln=[3.9] * 7, hooper_today=11, doms=3,
                         complaints={"fatigue": began, "poor_sleep": began})
    return inputs(date_of_birth=date(1969, 1, 15), sessions=base + hard + easy, check_ins=wellness)


def test_example_2_cyclist_derived_values():
    result = evaluate(cyclist(), CYCLIST_AT)
    points = {component.name: component.points for component in result.load_tolerance.components}
    # f = 1.25 → regeneration window 30–90 h; 60 h → REGENERATION
    assert (result.phase, result.recovery_factor, result.hours_since_significant_session) == (
        Phase.REGENERATION, 1.25, 60.0)
    # ACWR 2 + HRV 2 + Hooper 2 (+ 1 for the 1500-AU ride above her own P90) → LOW
    assert result.load.acwr >= 1.5
    assert points == {"acwr": 2, "hrv": 2, "hooper": 2, "doms": 0, "monotony": 0, "session_load": 1}
    assert result.load_tolerance.band is Band.LOW
    # Overtraining: symptoms for 9 days (> 7, not > 14) plus ≥ 2 physiological flags → level 2
    assert result.overtraining_level == 2
    assert {"OT-F1", "OT-F2", "OT-S"} <= {signal.rule for signal in result.overtraining.signals}
    # The cyclist is over 50: the age factor stretches the recovery windows, shown as the clinic's heuristic.
    assert [notice.rule for notice in result.notices] == ["PH-AGE", "OT-WARNING"]


def test_example_2_cyclist_verdicts():
    result = evaluate(cyclist(), CYCLIST_AT)
    # "Massage RECOMMENDED (light, relaxation)" – with the low-tolerance note
    assert result.modalities["massage"].verdict is Verdict.RECOMMENDED
    assert {"MAS-REGEN", "TOL-LOW-PASSIVE"} <= all_rules(result, "massage")
    # "dry needling NOT_ADVISED"
    assert result.modalities["dry_needling"].verdict is Verdict.NOT_ADVISED
    assert decisive(result, "dry_needling") == {"DN-REGEN-REDUCED-TOLERANCE", "OT-NO-PROVOCATION"}
    # "active recovery RECOMMENDED with explicit load reduction and … → sports physician"
    assert result.modalities["active_recovery"].verdict is Verdict.RECOMMENDED
    assert decisive(result, "active_recovery") == {"AR-REGEN", "AR-LOW-TOLERANCE", "OT-LOAD-REDUCTION"}


def test_example_2_the_age_factor_keeps_a_56_year_old_in_regeneration_at_80_hours():
    at = CYCLIST_AT + timedelta(hours=20)  # 80 h after the hard ride: < 90 h for 56 y, ≥ 72 h for 28 y
    assert evaluate(cyclist(), at).phase is Phase.REGENERATION
    younger = inputs(date_of_birth=date(1997, 1, 15), sessions=cyclist().sessions)
    assert evaluate(younger, at).phase is Phase.ADAPTATION


# Example 3 – 35-y footballer on apixaban, 100 h since the last session, match in 30 h,
# hamstring trigger points.
FOOTBALLER_AT = local(2025, 6, 12, 16)


def footballer():
    session = TrainingSession(FOOTBALLER_AT - timedelta(hours=100), 90, 7)
    wellness = _wellness(FOOTBALLER_AT.date(), current_ln=[4.1] * 7, hooper_today=9, doms=2)
    return inputs(date_of_birth=date(1990, 3, 3), sessions=[session], check_ins=wellness,
                  screening=screened(flags("anticoagulant"), {"myofascial_trigger_points"}),
                  next_competition_at=FOOTBALLER_AT + timedelta(hours=30))


def test_example_3_footballer_derived_values():
    result = evaluate(footballer(), FOOTBALLER_AT)
    assert (result.phase, result.load_tolerance.band) == (Phase.ADAPTATION, Band.HIGH)
    # One session is too little history for ACWR, monotony or an own P90: listed, not scored.
    assert result.load_tolerance.missing == ("acwr", "monotony", "session_load")


def test_example_3_footballer_dry_needling_waits_until_after_the_match():
    dry_needling = evaluate(footballer(), FOOTBALLER_AT).modalities["dry_needling"]
    rules = {reason.rule: reason.verdict for reason in dry_needling.reasons}
    # anticoagulant → CAUTION; competition < 48 h → NOT_ADVISED; final NOT_ADVISED
    assert rules["CI-ANTICOAG-DN"] is Verdict.CAUTION
    assert rules["DN-COMP-48"] is Verdict.NOT_ADVISED
    assert dry_needling.verdict is Verdict.NOT_ADVISED
    assert [reason.rule for reason in dry_needling.decisive_reasons] == ["DN-COMP-48"]


def test_example_3_footballer_massage_is_cautious_for_the_anticoagulant_only():
    result = evaluate(footballer(), FOOTBALLER_AT)
    # competition 30 h: no massage override (only < 24 h); anticoagulant → CAUTION → final CAUTION
    assert result.modalities["massage"].verdict is Verdict.CAUTION
    assert decisive(result, "massage") == {"CI-ANTICOAG-MAS"}
    assert not {"MAS-COMP-2", "MAS-COMP-24"} & all_rules(result, "massage")
