"""Red flags are not all the same: each has its own referral text, urgency and evidence label (DOMAIN.md §2.0)."""
from __future__ import annotations

import pytest
from readiness_builders import RULES, flags, inputs, local, screened

from clinic.readiness import WellnessCheckIn, evaluate

AT = local(2025, 6, 12, 12)
RED_FLAGS = sorted(name for name, flag in RULES.flags.items() if flag.red_flag)
URGENT = {"red_flag_cauda_equina", "red_flag_cervical_arterial", "red_flag_dvt_suspected"}


def referral_of(flag: str):
    (rule,) = [rule for rule in RULES.referral_rules if rule.when["flag_any"] == frozenset({flag})]
    return rule


@pytest.mark.parametrize("flag", RED_FLAGS)
def test_cauda_equina_cervical_artery_and_dvt_are_referred_the_same_day_the_rest_to_the_gp(flag):
    result = evaluate(inputs(screening=screened(flags(flag))), AT)

    (red_flag,) = result.red_flags
    assert red_flag.flag == flag
    assert red_flag.urgency == ("urgent" if flag in URGENT else "gp")
    assert not red_flag.reported_in_check_in


@pytest.mark.parametrize("flag", sorted(URGENT))
def test_an_urgent_flag_says_today_and_when_to_call_112(flag):
    text = referral_of(flag).reason.text
    assert "vandaag" in text.nl and "112" in text.nl
    assert "today" in text.en and "112" in text.en


def test_each_red_flag_has_its_own_text():
    texts = [referral_of(flag).reason.text for flag in RED_FLAGS]
    assert len({text.nl for text in texts}) == len({text.en for text in texts}) == len(RED_FLAGS)
    assert not any("{flag}" in text.nl for text in texts)


@pytest.mark.parametrize("flag", ["red_flag_dvt_suspected", "red_flag_cervical_arterial", "red_flag_night_pain"])
def test_dvt_cervical_artery_and_night_pain_come_from_consensus_lists_not_guidelines(flag):
    # DVT rests on the NCCIH wording alone, which is still to be verified: the clinic's heuristic until then.
    assert referral_of(flag).reason.evidence == ("H" if flag == "red_flag_dvt_suspected" else "E3")


def test_the_most_urgent_flag_comes_first():
    result = evaluate(inputs(screening=screened(flags("red_flag_night_pain", "red_flag_dvt_suspected"))), AT)
    assert [(red_flag.flag, red_flag.urgency) for red_flag in result.red_flags] == [
        ("red_flag_dvt_suspected", "urgent"), ("red_flag_night_pain", "gp")]


def test_a_red_flag_reported_in_a_check_in_is_listed_as_reported():
    check_in = WellnessCheckIn(AT.date(), complaints={"numbness_weakness": AT.date()})
    result = evaluate(inputs(check_ins=[check_in]), AT)

    (red_flag,) = result.red_flags
    assert (red_flag.flag, red_flag.urgency, red_flag.reported_in_check_in) == (
        "red_flag_progressive_neuro", "gp", True)
    assert result.to_dict()["red_flags"][0] | {"text": None} == {
        "flag": "red_flag_progressive_neuro", "urgency": "gp", "reported_in_check_in": True,
        "rule": "RF-PROGRESSIVE-NEURO", "verdict": "contraindicated", "text": None,
        "cite": ["KNGF2021", "NHG-LRS", "NICE-NG59"], "evidence": "E1", "region": None}


def test_without_red_flags_the_list_is_empty():
    assert evaluate(inputs(), AT).to_dict()["red_flags"] == []
