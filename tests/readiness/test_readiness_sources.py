"""Every reason of the rules file says what it rests on: a citation that exists, or the clinic's own heuristic (H)."""
from __future__ import annotations

from datetime import date

import pytest
from readiness_builders import RULES, inputs, local

from clinic.readiness import evaluate
from clinic.readiness.reasons import ReasonTemplate

MARKED = ("[unverified", "[verify")


def every_reason() -> list[ReasonTemplate]:
    """Return every reason the rules file can give, whichever section it is written in."""
    overtraining = RULES.overtraining
    return [
        *(rule.reason for rule in RULES.rules),
        *{reason.rule: reason for reason in RULES.phase_matrix.values()}.values(),
        *(signal.reason for signal in overtraining.signals.values()),
        overtraining.symptom_reason, *overtraining.levels.values(),
        *(expiry.prompt for expiry in RULES.screening.findings_expire.values()), RULES.screening.reported_red_flag,
        RULES.tolerance.unknown_band_notice, RULES.age_notice,
    ]


REASONS = {reason.rule: reason for reason in every_reason()}


def is_marked(key: str) -> bool:
    return any(mark in RULES.references[key] for mark in MARKED)


@pytest.mark.parametrize("rule", sorted(REASONS))
def test_every_reason_cites_a_checked_source_or_is_labelled_the_clinics_heuristic(rule):
    reason = REASONS[rule]
    assert set(reason.cite) <= set(RULES.references), "unknown citation key"
    if reason.evidence != "H":
        checked = [key for key in reason.cite if not is_marked(key)]
        assert checked, f"{rule} is {reason.evidence} but rests on no checked source"
        # Batavia 2004 shows that massage sources disagree; it says no single contraindication holds.
        assert checked != ["Batavia2004"], f"{rule} rests on Batavia 2004 alone"


def test_every_tolerance_component_cites_a_known_source():
    for name, component in RULES.tolerance.components.items():
        assert set(component.cite) <= set(RULES.references), name
        assert component.cite or component.evidence == "H", name


def test_corrected_citations():
    assert "FernandezDeLasPenas2022" not in RULES.references and "PMC5106437" not in RULES.references
    assert RULES.references["Munoz2022"].startswith("Muñoz M, Dommerholt J, Pérez-Palomares S, Herrero P, Calvo S.")
    assert "1363477" in RULES.references["Munoz2022"]
    assert RULES.references["Ziaeifar2016"].startswith("Ziaeifar M") and "PMC5106437" in RULES.references["Ziaeifar2016"]
    # WHO 2005's list of contraindications to manipulation has no pregnancy.
    assert "WHO2005" not in REASONS["CI-PREGNANCY-ADJ"].cite and REASONS["CI-PREGNANCY-ADJ"].evidence == "H"


def test_the_age_factor_and_needling_in_adaptation_are_labelled_heuristics():
    assert RULES.age_notice.evidence == "H"
    assert REASONS["DN-ADAPT-HIGH"].evidence == "H"


def test_the_dutch_says_napijn_na_dry_needling_not_prikpijn():
    texts = [reason.text for reason in REASONS.values()]
    assert not any("prikpijn" in text.nl.lower() for text in texts)
    assert any("napijn na dry needling" in text.nl for text in texts)


@pytest.mark.parametrize("phrase", [" voor u ", "Blijf ", "hervat ", "plan rustigere", "Do not stay", "Resume ", "plan easier"])
def test_texts_address_the_clinician_not_the_patient(phrase):
    assert not any(phrase in f" {reason.text.nl} " or phrase in f" {reason.text.en} " for reason in REASONS.values())


def test_an_older_patient_is_told_the_age_factor_is_a_heuristic():
    at = local(2025, 6, 12, 12)
    older = evaluate(inputs(date_of_birth=date(1960, 1, 1)), at)
    younger = evaluate(inputs(), at)
    assert [(notice.rule, notice.evidence) for notice in older.notices if notice.rule == "PH-AGE"] == [("PH-AGE", "H")]
    assert not any(notice.rule == "PH-AGE" for notice in younger.notices)
