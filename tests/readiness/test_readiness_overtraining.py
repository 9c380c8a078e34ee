"""DOMAIN.md §5: the overtraining / insufficient-recovery warning rule, signal by signal and level by level."""
from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from readiness_builders import RULES, check_ins, daily_sessions

from clinic.readiness import WellnessCheckIn
from clinic.readiness.hrv import HrvHistory
from clinic.readiness.loads import load_history
from clinic.readiness.overtraining import RecoveryEvidence, assess_overtraining
from clinic.readiness.wellness import HooperHistory, latest_complaints

TODAY = date(2025, 6, 12)
SEVEN_DAYS_H = 7 * 24


def evidence(*, sessions=(), wellness=(), worst_doms=None, hours_since_session=None) -> RecoveryEvidence:
    """Return what the overtraining rule looks at, built from records as the engine does."""
    return RecoveryEvidence(
        today=TODAY,
        loads=load_history(sessions, TODAY, RULES.load),
        hrv=HrvHistory(wellness, RULES.hrv),
        hooper=HooperHistory(wellness, RULES.hooper),
        worst_doms=worst_doms,
        hours_since_session=hours_since_session,
        complaints=latest_complaints(wellness, TODAY, RULES.overtraining.symptoms.report_max_age_days),
    )


def signals_of(recovery_evidence: RecoveryEvidence) -> list[str]:
    assessment = assess_overtraining(recovery_evidence, RULES.overtraining, RULES.complaints)
    return [signal.rule for signal in assessment.signals]


def level_of(recovery_evidence: RecoveryEvidence) -> int:
    return assess_overtraining(recovery_evidence, RULES.overtraining, RULES.complaints).level


# 28 days whose last day is a spike: ACWR 1.57 on the spike day, 1.39 the day after, then lower.
SPIKE = [100, 0, 200, 0, 300, 0, 100] + [100] * 20 + [500]


@pytest.mark.parametrize(("days_since_spike", "present"), [(0, True), (6, True), (7, False)])
def test_f1_acwr_spike_in_the_last_seven_days(days_since_spike, present):
    sessions = daily_sessions(TODAY, SPIKE + [100] * days_since_spike, minutes=100)
    assert ("OT-F1" in signals_of(evidence(sessions=sessions))) is present


def _hrv(ln_values: list[float]) -> list[WellnessCheckIn]:
    return check_ins(TODAY, [{"rmssd_ms": math.exp(value)} for value in ln_values])


def _alternating(days: int, low: float, high: float) -> list[float]:
    return [low if offset % 2 == 0 else high for offset in range(days)]


def test_f2_hrv_below_the_band_on_three_consecutive_days():
    # The current week reads ln 3.9 against a 4.0/4.2 baseline: z ≪ −0.5 every day of the week.
    assert "OT-F2" in signals_of(evidence(wellness=_hrv(_alternating(34, 4.0, 4.2) + [3.9] * 7)))


def test_f2_not_when_hrv_dips_on_alternate_days():
    # Alternating readings make the 7-day mean alternate around the baseline: no 3-day run below it.
    assert "OT-F2" not in signals_of(evidence(wellness=_hrv(_alternating(41, 4.0, 4.2))))


def _hooper(index: int, fatigue: int | None = None) -> dict:
    items = {"sleep": 2, "fatigue": 2, "stress": 2, "soreness": 2}
    for item in list(items)[: index - 8]:
        items[item] += 1
    if fatigue is not None:
        items["fatigue"] = fatigue
    return items


@pytest.mark.parametrize(("bad_days", "present"), [(3, True), (2, False)])
def test_f3_hooper_z_high_on_three_of_the_last_five_days(bad_days, present):
    # Baseline days alternate index 8/10 (mean 9, SD ≈ 1.02); index 12 gives z ≈ +2.9 ≥ 1.0.
    rows = [_hooper(index) for index in _alternating(33 - bad_days, 8, 10)] + [_hooper(12)] * bad_days
    assert ("OT-F3" in signals_of(evidence(wellness=check_ins(TODAY, rows)))) is present


def test_f3_fatigue_item_of_six_on_three_days_needs_no_baseline():
    rows = [_hooper(8, fatigue=6), {}, _hooper(8, fatigue=6), _hooper(8), _hooper(8, fatigue=7)]
    assert "OT-F3" in signals_of(evidence(wellness=check_ins(TODAY, rows)))


def test_f4_monotonous_week_at_the_own_strain_high():
    # 40 identical days: monotony hits the cap (10 > 2) and today's strain equals every strain, so ≥ P90.
    assert "OT-F4" in signals_of(evidence(sessions=daily_sessions(TODAY, [300] * 40, minutes=100)))


def test_f4_not_for_a_varied_week():
    sessions = daily_sessions(TODAY, [600, 0, 300, 0, 400, 200, 0] * 6, minutes=100)
    assert "OT-F4" not in signals_of(evidence(sessions=sessions))


@pytest.mark.parametrize(("doms", "hours", "present"), [
    (4, SEVEN_DAYS_H + 1, True),   # DOMS ≥ 4 more than 7 days after the last significant session
    (4, SEVEN_DAYS_H, False),      # exactly 7 days: not more than
    (3, SEVEN_DAYS_H + 1, False),  # mild soreness
    (4, None, False),              # no significant session on record
])
def test_f5_lasting_doms(doms, hours, present):
    assert ("OT-F5" in signals_of(evidence(worst_doms=doms, hours_since_session=hours))) is present


def _complaints(**days_ago: int) -> list[WellnessCheckIn]:
    return [WellnessCheckIn(TODAY, complaints={name: TODAY - timedelta(days=ago) for name, ago in days_ago.items()})]


LASTING_DOMS = dict(worst_doms=5, hours_since_session=SEVEN_DAYS_H + 1)
MONOTONOUS = daily_sessions(TODAY, [300] * 40, minutes=100)
REDUCED_LOAD = daily_sessions(TODAY, [300] * 21 + [100] * 7, minutes=100)  # last week 1/3 of the 3 before


@pytest.mark.parametrize(("recovery_evidence", "level"), [
    pytest.param(evidence(), 0, id="nothing"),
    pytest.param(evidence(**LASTING_DOMS), 1, id="one signal, no S: watch"),
    pytest.param(evidence(sessions=MONOTONOUS, **LASTING_DOMS), 2, id="two signals: warning"),
    pytest.param(evidence(wellness=_complaints(fatigue=8)), 2, id="S: fatigue > 7 days: warning"),
    pytest.param(evidence(wellness=_complaints(fatigue=7)), 0, id="fatigue for 7 days is not yet S"),
    pytest.param(evidence(wellness=_complaints(poor_sleep=15)), 3, id="S > 14 days: refer"),
    pytest.param(evidence(wellness=_complaints(poor_concentration=8, fever=1)), 3, id="S + systemic symptom: refer"),
    pytest.param(evidence(wellness=_complaints(reduced_performance=8), sessions=REDUCED_LOAD), 3,
                 id="S + performance decline despite reduced load: refer"),
    pytest.param(evidence(wellness=_complaints(reduced_performance=8), sessions=MONOTONOUS[-28:]), 2,
                 id="performance decline without reduced load: warning"),
    pytest.param(evidence(wellness=_complaints(fever=1)), 0, id="a systemic symptom alone is no S"),
])
def test_overtraining_level(recovery_evidence, level):
    assert level_of(recovery_evidence) == level


def test_complaints_of_a_stale_check_in_are_ignored():
    stale = [WellnessCheckIn(TODAY - timedelta(days=8), complaints={"fatigue": TODAY - timedelta(days=20)})]
    assert level_of(evidence(wellness=stale)) == 0


def test_symptom_signal_is_listed_after_the_physiological_ones():
    assert signals_of(evidence(wellness=_complaints(fatigue=8), **LASTING_DOMS)) == ["OT-F5", "OT-S"]


# The values behind each signal: the card shows them, so it never states a criterion without its number.


def measured_of(recovery_evidence: RecoveryEvidence) -> dict[str, list[dict]]:
    assessment = assess_overtraining(recovery_evidence, RULES.overtraining, RULES.complaints)
    return {signal["rule"]: signal["measured"] for signal in assessment.signals_to_dict()}


def test_f1_names_the_highest_ratio_of_the_window_and_its_day_not_todays():
    sessions = daily_sessions(TODAY, SPIKE + [100] * 3, minutes=100)
    [acwr] = measured_of(evidence(sessions=sessions))["OT-F1"]
    assert acwr["quantity"] == "acwr" and acwr["comparison"] == ">=" and acwr["threshold"] == 1.5
    assert acwr["value"] >= 1.5 and acwr["on"] == (TODAY - timedelta(days=3)).isoformat()


def test_f3_says_on_how_many_of_the_last_days_the_hooper_z_score_was_high():
    rows = [_hooper(index) for index in _alternating(30, 8, 10)] + [_hooper(12)] * 3
    [hooper] = measured_of(evidence(wellness=check_ins(TODAY, rows)))["OT-F3"]
    assert (hooper["quantity"], hooper["days"], hooper["of_days"]) == ("hooper_z", 3, 5) and hooper["value"] >= 1.0


def test_f5_and_symptoms_give_the_soreness_the_days_since_the_session_and_the_days_with_complaints():
    found = measured_of(evidence(wellness=_complaints(fatigue=9), **LASTING_DOMS))
    assert [(m["quantity"], m["value"]) for m in found["OT-F5"]] == [("doms", 5.0), ("days_since_session", 7.04)]
    assert [(m["quantity"], m["value"], m["threshold"]) for m in found["OT-S"]] == [("complaint_days", 9, 7)]
