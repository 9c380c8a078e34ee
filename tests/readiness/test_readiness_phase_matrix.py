"""DOMAIN.md §4.5a: the phase × load-tolerance matrix, one row per cell, and its conditional parts."""
from __future__ import annotations

import pytest
from readiness_builders import ALL_INDICATIONS, assess, flags, rule_verdicts

from clinic.readiness import Band, Phase, Verdict

A, R, G = Phase.ACUTE, Phase.REGENERATION, Phase.ADAPTATION
HIGH, MODERATE, LOW = Band.HIGH, Band.MODERATE, Band.LOW

MATRIX = [
    # phase, band, modality, verdict, rule id
    # §4.5a Massage × ACUTE: HIGH/MOD/LOW RECOMMENDED (light–moderate, 5–15 min)
    (A, HIGH, "massage", Verdict.RECOMMENDED, "MAS-ACUTE"),
    (A, MODERATE, "massage", Verdict.RECOMMENDED, "MAS-ACUTE"),
    (A, LOW, "massage", Verdict.RECOMMENDED, "MAS-ACUTE"),
    # §4.5a Massage × REGENERATION: RECOMMENDED (largest DOMS effects at 48–72 h)
    (R, HIGH, "massage", Verdict.RECOMMENDED, "MAS-REGEN"),
    (R, MODERATE, "massage", Verdict.RECOMMENDED, "MAS-REGEN"),
    (R, LOW, "massage", Verdict.RECOMMENDED, "MAS-REGEN"),
    # §4.5a Massage × ADAPTATION: ALLOWED (no specific recovery indication)
    (G, HIGH, "massage", Verdict.ALLOWED, "MAS-ADAPT"),
    (G, MODERATE, "massage", Verdict.ALLOWED, "MAS-ADAPT"),
    (G, LOW, "massage", Verdict.ALLOWED, "MAS-ADAPT"),
    # §4.5a Dry needling × ACUTE: NOT_ADVISED (all bands)
    (A, HIGH, "dry_needling", Verdict.NOT_ADVISED, "DN-ACUTE"),
    (A, MODERATE, "dry_needling", Verdict.NOT_ADVISED, "DN-ACUTE"),
    (A, LOW, "dry_needling", Verdict.NOT_ADVISED, "DN-ACUTE"),
    # §4.5a Dry needling × REGENERATION: HIGH CAUTION; MOD/LOW NOT_ADVISED
    (R, HIGH, "dry_needling", Verdict.CAUTION, "DN-REGEN-HIGH"),
    (R, MODERATE, "dry_needling", Verdict.NOT_ADVISED, "DN-REGEN-REDUCED-TOLERANCE"),
    (R, LOW, "dry_needling", Verdict.NOT_ADVISED, "DN-REGEN-REDUCED-TOLERANCE"),
    # §4.5a Dry needling × ADAPTATION: HIGH RECOMMENDED (with trigger points); MOD CAUTION; LOW NOT_ADVISED
    (G, HIGH, "dry_needling", Verdict.RECOMMENDED, "DN-ADAPT-HIGH"),
    (G, MODERATE, "dry_needling", Verdict.CAUTION, "DN-ADAPT-MODERATE"),
    (G, LOW, "dry_needling", Verdict.NOT_ADVISED, "DN-ADAPT-LOW"),
    # §4.5a Spinal decompression × ACUTE: CAUTION
    (A, HIGH, "decompression", Verdict.CAUTION, "DEC-ACUTE"),
    (A, MODERATE, "decompression", Verdict.CAUTION, "DEC-ACUTE"),
    (A, LOW, "decompression", Verdict.CAUTION, "DEC-ACUTE"),
    # §4.5a Spinal decompression × REGENERATION: CAUTION (evidence weak/negative)
    (R, HIGH, "decompression", Verdict.CAUTION, "DEC-REGEN"),
    (R, MODERATE, "decompression", Verdict.CAUTION, "DEC-REGEN"),
    (R, LOW, "decompression", Verdict.CAUTION, "DEC-REGEN"),
    # §4.5a Spinal decompression × ADAPTATION: CAUTION (ceiling: NICE advises against traction)
    (G, HIGH, "decompression", Verdict.CAUTION, "DEC-ADAPT"),
    (G, MODERATE, "decompression", Verdict.CAUTION, "DEC-ADAPT"),
    (G, LOW, "decompression", Verdict.CAUTION, "DEC-ADAPT"),
    # §4.5a Adjustment × ACUTE: ALLOWED
    (A, HIGH, "adjustment", Verdict.ALLOWED, "ADJ-ACUTE"),
    (A, MODERATE, "adjustment", Verdict.ALLOWED, "ADJ-ACUTE"),
    (A, LOW, "adjustment", Verdict.ALLOWED, "ADJ-ACUTE"),
    # §4.5a Adjustment × REGENERATION: ALLOWED (adjunct to exercise)
    (R, HIGH, "adjustment", Verdict.ALLOWED, "ADJ-REGEN"),
    (R, MODERATE, "adjustment", Verdict.ALLOWED, "ADJ-REGEN"),
    (R, LOW, "adjustment", Verdict.ALLOWED, "ADJ-REGEN"),
    # §4.5a Adjustment × ADAPTATION: ALLOWED (adjunct to exercise)
    (G, HIGH, "adjustment", Verdict.ALLOWED, "ADJ-ADAPT"),
    (G, MODERATE, "adjustment", Verdict.ALLOWED, "ADJ-ADAPT"),
    (G, LOW, "adjustment", Verdict.ALLOWED, "ADJ-ADAPT"),
    # §4.5a Active recovery × ACUTE: RECOMMENDED (walking/cycling, mobility)
    (A, HIGH, "active_recovery", Verdict.RECOMMENDED, "AR-ACUTE"),
    (A, MODERATE, "active_recovery", Verdict.RECOMMENDED, "AR-ACUTE"),
    (A, LOW, "active_recovery", Verdict.RECOMMENDED, "AR-ACUTE"),
    # §4.5a Active recovery × REGENERATION: RECOMMENDED (plus sleep, hydration, protein)
    (R, HIGH, "active_recovery", Verdict.RECOMMENDED, "AR-REGEN"),
    (R, MODERATE, "active_recovery", Verdict.RECOMMENDED, "AR-REGEN"),
    (R, LOW, "active_recovery", Verdict.RECOMMENDED, "AR-REGEN"),
    # §4.5a Active recovery × ADAPTATION: RECOMMENDED (resume progressive loading)
    (G, HIGH, "active_recovery", Verdict.RECOMMENDED, "AR-ADAPT"),
    (G, MODERATE, "active_recovery", Verdict.RECOMMENDED, "AR-ADAPT"),
    (G, LOW, "active_recovery", Verdict.RECOMMENDED, "AR-ADAPT"),
]


@pytest.mark.parametrize(("phase", "band", "modality", "verdict", "rule"), MATRIX)
def test_matrix_cell(phase, band, modality, verdict, rule):
    assessment = assess(phase=phase, band=band)[modality]
    assert assessment.verdict is verdict
    assert rule in {reason.rule for reason in assessment.decisive_reasons}


def test_the_matrix_table_covers_every_cell():
    cells = {(phase, band, modality) for phase, band, modality, _, _ in MATRIX}
    assert len(cells) == len(MATRIX) == 3 * 3 * 5


def test_unknown_band_is_evaluated_as_moderate():
    # §4.3: fewer than 2 core components → UNKNOWN, evaluated as MODERATE.
    assessment = assess(phase=R, band=Band.UNKNOWN, effective_band=MODERATE)["dry_needling"]
    assert assessment.verdict is Verdict.NOT_ADVISED
    assert "DN-REGEN-REDUCED-TOLERANCE" in rule_verdicts(assessment)


# The conditional parts of the §4.5a cells.

@pytest.mark.parametrize(("doms", "verdict"), [(6, Verdict.ALLOWED), (7, Verdict.CAUTION)])
def test_adjustment_acute_with_severe_doms_in_the_region(doms, verdict):
    # §4.5a Adjustment × ACUTE: "CAUTION if DOMS ≥ 7 in treated region"
    assessment = assess(phase=A, worst_doms=doms, doms_region="onderrug")["adjustment"]
    assert assessment.verdict is verdict
    if verdict is Verdict.CAUTION:
        reason = assessment.decisive_reasons[0]
        assert (reason.rule, reason.region) == ("ADJ-ACUTE-SEVERE-DOMS", "onderrug")


@pytest.mark.parametrize(("doms", "verdict"), [(3, Verdict.CAUTION), (4, Verdict.NOT_ADVISED)])
def test_dry_needling_regeneration_on_sore_muscles(doms, verdict):
    # §4.5a Dry needling × REGENERATION: "any target region DOMS ≥ 4 → NOT_ADVISED"
    assessment = assess(phase=R, band=HIGH, worst_doms=doms)["dry_needling"]
    assert assessment.verdict is verdict
    assert ("DN-REGEN-SORE" in rule_verdicts(assessment)) is (doms >= 4)


def test_dry_needling_adaptation_is_recommended_only_with_trigger_points():
    # §4.5a Dry needling × ADAPTATION HIGH: "RECOMMENDED *if* myofascial trigger-point indication"
    without = assess(indications=ALL_INDICATIONS - {"myofascial_trigger_points"})["dry_needling"]
    assert without.verdict is Verdict.ALLOWED
    assert [reason.rule for reason in without.decisive_reasons] == ["DN-ADAPT-NO-TRIGGER-POINTS"]


def test_decompression_acute_with_a_recent_injury():
    # §4.5a Spinal decompression × ACUTE: "NOT_ADVISED if acute injury/flare < 72 h"
    assessment = assess(phase=A, flags=flags("acute_injury_region_lt72h", region="lumbaal"))["decompression"]
    assert assessment.verdict is Verdict.NOT_ADVISED
    assert "CI-ACUTE-INJURY-DEC" in rule_verdicts(assessment)


@pytest.mark.parametrize(("modality", "indication", "rule"), [
    # §4.4 step 3 / §4.5a Spinal decompression "only with chronic LBP/disc indication"
    ("decompression", "chronic_lbp_disc_related", "DEC-NO-INDICATION"),
    # §4.4 step 3 / §4.5a Adjustment "only with mechanical spinal-pain indication"
    ("adjustment", "spinal_pain_mechanical", "ADJ-NO-INDICATION"),
])
def test_indication_gate(modality, indication, rule):
    assessment = assess(indications=ALL_INDICATIONS - {indication})[modality]
    assert assessment.verdict is Verdict.NOT_ADVISED
    assert rule in {reason.rule for reason in assessment.decisive_reasons}


@pytest.mark.parametrize("modality", ["adjustment", "massage", "dry_needling", "decompression"])
def test_low_band_adds_the_passive_treatment_note(modality):
    # §4.5a: "For all modalities with band LOW, add … passieve behandeling vervangt geen belastingsreductie"
    reasons = rule_verdicts(assess(band=LOW)[modality])
    assert reasons["TOL-LOW-PASSIVE"] is None  # a note: it never changes the verdict


def test_low_band_asks_for_explicit_load_reduction():
    # §4.5a Active recovery × ADAPTATION: "LOW band: explicit load reduction"
    assert rule_verdicts(assess(band=LOW)["active_recovery"])["AR-LOW-TOLERANCE"] == "recommended"
