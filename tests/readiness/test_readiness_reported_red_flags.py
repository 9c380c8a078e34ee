"""Red flags a patient reports in a check-in count from the first report until a chiropractor has reviewed them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readiness_builders import RULES, inputs, local

from clinic.readiness import Verdict, WellnessCheckIn, evaluate

AT = local(2025, 6, 12, 12)
TODAY = AT.date()
HANDS_ON = ("adjustment", "massage", "dry_needling", "decompression")
RED_FLAG_COMPLAINTS = sorted(name for name, complaint in RULES.complaints.items() if complaint.red_flag)


def reported(complaint: str, *, days_ago: int = 0, lasting_days: int = 0, reviewed: bool = False) -> WellnessCheckIn:
    day = TODAY - timedelta(days=days_ago)
    return WellnessCheckIn(day, complaints={complaint: day - timedelta(days=lasting_days)},
                           reviewed=frozenset({complaint}) if reviewed else frozenset())


def rules_of(result, modality: str) -> set[str]:
    return {reason.rule for reason in result.modalities[modality].reasons}


def refers(result, modality: str) -> bool:
    """Tell whether a red flag's referral rule restricts ``modality``."""
    referrals = {rule.reason.rule for rule in RULES.referral_rules}
    return bool(rules_of(result, modality) & referrals)


def test_the_five_warning_complaints_each_count_as_their_red_flag():
    assert {name: RULES.complaints[name].red_flag for name in RED_FLAG_COMPLAINTS} == {
        "fever": "red_flag_fever_systemic",
        "weight_loss": "red_flag_weight_loss",
        "night_pain": "red_flag_night_pain",
        "palpitations": "red_flag_palpitations",
        "numbness_weakness": "red_flag_progressive_neuro",
    }
    assert all(RULES.flags[RULES.complaints[name].red_flag].red_flag for name in RED_FLAG_COMPLAINTS)


@pytest.mark.parametrize("complaint", RED_FLAG_COMPLAINTS)
def test_a_report_of_today_contraindicates_hands_on_treatment_at_once(complaint):
    result = evaluate(inputs(check_ins=[reported(complaint)]), AT)

    assert all(result.modalities[name].verdict is Verdict.CONTRAINDICATED for name in HANDS_ON)
    assert result.modalities["active_recovery"].verdict is Verdict.NOT_ADVISED
    assert all(refers(result, name) for name in HANDS_ON)
    notice = next(notice for notice in result.notices if notice.rule == "SCR-REPORTED-RED-FLAG")
    label = RULES.complaints[complaint].label
    assert label.nl in notice.text.nl and label.en in notice.text.en


def test_fever_also_says_no_exercise():
    result = evaluate(inputs(check_ins=[reported("fever")]), AT)
    assert "RF-FEVER-NO-EXERCISE" in rules_of(result, "active_recovery")


def test_a_report_still_counts_days_later_until_it_is_reviewed():
    unreviewed = evaluate(inputs(check_ins=[reported("night_pain", days_ago=20)]), AT)
    reviewed = evaluate(inputs(check_ins=[reported("night_pain", days_ago=20, reviewed=True)]), AT)

    assert unreviewed.modalities["massage"].verdict is Verdict.CONTRAINDICATED
    assert reviewed.modalities["massage"].verdict is Verdict.ALLOWED
    assert not refers(reviewed, "massage")
    assert not any(notice.rule == "SCR-REPORTED-RED-FLAG" for notice in reviewed.notices)


def test_a_new_report_after_a_review_counts_again():
    result = evaluate(inputs(check_ins=[reported("fever", days_ago=3, reviewed=True), reported("fever")]), AT)
    assert result.modalities["massage"].verdict is Verdict.CONTRAINDICATED


def test_a_complaint_without_a_red_flag_changes_nothing_until_it_lasts_a_week():
    result = evaluate(inputs(check_ins=[reported("fatigue")]), AT)
    assert not refers(result, "massage")
    assert not any(notice.rule == "SCR-REPORTED-RED-FLAG" for notice in result.notices)


def test_a_check_in_of_a_later_day_is_not_read():
    result = evaluate(inputs(check_ins=[WellnessCheckIn(TODAY + timedelta(days=1), complaints={"fever": TODAY})]), AT)
    assert not refers(result, "massage")


def test_only_a_reported_complaint_can_be_reviewed():
    with pytest.raises(ValueError, match="only a reported complaint"):
        WellnessCheckIn(TODAY, complaints={}, reviewed=frozenset({"fever"}))


def test_the_review_is_part_of_the_inputs_digest():
    assert (evaluate(inputs(check_ins=[reported("fever")]), AT).inputs_digest
            != evaluate(inputs(check_ins=[reported("fever", reviewed=True)]), AT).inputs_digest)


@settings(database=None, deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(sorted(RULES.complaints)), st.integers(0, 40), st.booleans()),
                min_size=1, max_size=6, unique_by=lambda row: row[1]))
def test_any_unreviewed_red_flag_report_contraindicates_every_hands_on_modality(reports):
    check_ins = [reported(name, days_ago=days_ago, reviewed=was_reviewed) for name, days_ago, was_reviewed in reports]
    result = evaluate(inputs(check_ins=check_ins), AT)

    open_report = any(RULES.complaints[name].red_flag and not was_reviewed for name, _, was_reviewed in reports)
    assert all((result.modalities[name].verdict is Verdict.CONTRAINDICATED) is open_report for name in HANDS_ON)
