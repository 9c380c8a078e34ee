"""The screening: never screened or due again caps every modality at caution; stale findings are asked again."""
from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from readiness_builders import RULES, daily_sessions, flags, inputs, local, screened

from clinic.readiness import Screening, TrainingSession, Verdict, evaluate
from clinic.readiness.rules_file import DEFAULT_RULES_PATH, parse_rules
from clinic.readiness.schema import RulesFileError

AT = local(2025, 6, 12, 12)
# An hour after a hard session: massage and active recovery are recommended when nothing else restricts.
JUST_TRAINED = [TrainingSession(AT - timedelta(hours=1), 60, 8)]


def verdicts(result) -> dict[str, Verdict]:
    return {name: assessment.verdict for name, assessment in result.modalities.items()}


def rules_of(result, modality: str) -> set[str]:
    return {reason.rule for reason in result.modalities[modality].reasons}


def test_a_patient_never_screened_is_no_better_than_caution_and_readiness_says_why():
    result = evaluate(inputs(sessions=JUST_TRAINED, screening=Screening()), AT)

    assert result.screening.to_dict() == {"status": "missing", "checked_on": None, "due_on": None, "prompts": []}
    assert all(verdict >= Verdict.CAUTION for verdict in verdicts(result).values())
    assert all("SCR-MISSING" in rules_of(result, modality) for modality in result.modalities)
    reason = next(r for r in result.modalities["massage"].reasons if r.rule == "SCR-MISSING")
    assert reason.verdict is Verdict.CAUTION and reason.evidence == "H"
    assert "gescreend" in reason.text.nl and "screened" in reason.text.en


def test_the_same_patient_screened_gets_the_phase_verdicts():
    result = evaluate(inputs(sessions=JUST_TRAINED), AT)

    assert result.screening.to_dict() == {"status": "current", "checked_on": "2025-01-06", "due_on": "2026-01-06",
                                          "prompts": []}
    assert verdicts(result)["massage"] is Verdict.RECOMMENDED
    assert verdicts(result)["active_recovery"] is Verdict.RECOMMENDED


@pytest.mark.parametrize(("at", "status"), [
    (local(2025, 7, 5, 23, 59), "current"),
    (local(2025, 7, 6, 0, 0), "due"),
    (local(2025, 12, 1, 12), "due"),
])
def test_a_full_screening_is_due_from_its_due_day_on(at, status):
    screening = screened(at=local(2025, 1, 6, 9), due_on=date(2025, 7, 6))
    result = evaluate(inputs(sessions=[TrainingSession(at - timedelta(hours=1), 60, 8)], screening=screening), at)

    assert result.screening.status.key == status
    capped = all(verdict >= Verdict.CAUTION for verdict in verdicts(result).values())
    assert capped is (status == "due")
    assert ("SCR-DUE" in rules_of(result, "massage")) is (status == "due")


@pytest.mark.parametrize(("hours_after_screening", "asked_again"), [(71, False), (72, True), (200, True)])
def test_an_acute_injury_asks_to_be_checked_again_after_72_hours_and_still_counts(hours_after_screening, asked_again):
    screening = screened(flags("acute_injury_region_lt72h", region="linker enkel"), at=AT)
    result = evaluate(inputs(screening=screening), AT + timedelta(hours=hours_after_screening))

    prompts = result.screening.prompts
    assert [prompt.rule for prompt in prompts] == (["SCR-RECHECK-ACUTE-INJURY"] if asked_again else [])
    if asked_again:
        assert prompts[0].region == "linker enkel" and prompts[0].verdict is None
        assert "72" in prompts[0].text.nl and "72" in prompts[0].text.en
    # Until the screening is updated the finding keeps restricting its region.
    (ankle,) = result.regions
    assert ankle.region == "linker enkel"
    assert "CI-ACUTE-INJURY-LOCAL" in {reason.rule for reason in ankle.modalities["massage"].reasons}


def test_pregnancy_is_asked_again_after_four_weeks():
    screening = screened(flags("pregnancy"), at=AT)

    assert evaluate(inputs(screening=screening), AT + timedelta(days=27)).screening.prompts == ()
    later = evaluate(inputs(screening=screening), AT + timedelta(days=28))
    assert [prompt.rule for prompt in later.screening.prompts] == ["SCR-REASK-PREGNANCY"]
    assert "CI-PREGNANCY-DEC" in rules_of(later, "decompression")


def test_the_screening_moment_is_part_of_the_inputs_digest():
    first = evaluate(inputs(screening=screened(at=local(2025, 1, 6, 9))), AT)
    second = evaluate(inputs(screening=screened(at=local(2025, 1, 7, 9))), AT)
    assert first.inputs_digest != second.inputs_digest


def test_a_screening_needs_both_its_moment_and_its_due_day():
    with pytest.raises(ValueError, match="both screened_at and due_on"):
        Screening(screened_at=AT)


@settings(database=None, deadline=None, max_examples=40)
@given(
    loads=st.lists(st.sampled_from([0, 120, 300, 480]), max_size=35),
    flag_names=st.sets(st.sampled_from(sorted(RULES.flags)), max_size=3),
    indications=st.frozensets(st.sampled_from(sorted(RULES.indications))),
    due_in_days=st.none() | st.integers(-400, 0),
)
def test_without_a_current_screening_no_modality_is_better_than_caution(loads, flag_names, indications, due_in_days):
    screening = (Screening(indications=indications) if due_in_days is None
                 else screened(flags(*flag_names), indications, due_on=AT.date() + timedelta(days=due_in_days)))
    result = evaluate(inputs(sessions=daily_sessions(AT.date(), loads, hour=10), screening=screening), AT)

    assert result.screening.status.key == ("missing" if due_in_days is None else "due")
    assert all(verdict >= Verdict.CAUTION for verdict in verdicts(result).values())


def _document() -> dict:
    return yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))


def test_an_expiring_finding_must_be_a_known_flag():
    document = _document()
    document["screening"]["findings_expire"]["pregnant"] = document["screening"]["findings_expire"].pop("pregnancy")
    with pytest.raises(RulesFileError, match=r"^screening\.findings_expire\.pregnant: unknown flag 'pregnant'"):
        parse_rules(document)


def test_an_expiring_finding_needs_a_positive_number_of_hours():
    document = copy.deepcopy(_document())
    document["screening"]["findings_expire"]["pregnancy"]["after_hours"] = 0
    with pytest.raises(RulesFileError, match=r"^screening\.findings_expire\.pregnancy\.after_hours: must be more than 0"):
        parse_rules(document)
