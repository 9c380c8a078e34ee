"""A local finding restricts only its own region (a wound on the foot, a fractured wrist), never another."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readiness_builders import RULES, ALL_INDICATIONS, flags, inputs, local, screened

from clinic.readiness import Verdict, evaluate
from clinic.readiness.regions import place

AT = local(2025, 6, 12, 12)
REGIONAL_FLAGS = sorted(name for name, flag in RULES.flags.items() if flag.regional)
TERMS_OF = {region: sorted(term for term, named in RULES.region_terms.items() if named == region)
            for region in RULES.regions}


def result_with(flag_checks=None, **treated):
    return evaluate(inputs(screening=screened(flag_checks, ALL_INDICATIONS)), AT, treated=treated)


def rules_of(assessment) -> set[str]:
    return {reason.rule for reason in assessment.reasons}


def test_a_wound_on_the_foot_restricts_massage_of_the_foot_only():
    result = result_with(flags("open_wound_region", region="linker voet"))

    assert result.modalities["massage"].verdict is Verdict.ALLOWED
    (foot,) = result.regions
    assert foot.region == "linker voet"
    assert foot.modalities["massage"].verdict is Verdict.CONTRAINDICATED
    assert "CI-SKIN-LOCAL" in rules_of(foot.modalities["massage"])
    assert result.to_dict()["regions"][0]["modalities"]["massage"]["verdict"] == "contraindicated"


def test_a_wrist_fracture_does_not_block_spinal_decompression_a_lumbar_one_does():
    wrist = result_with(flags("recent_fracture_region", region="right wrist"))
    lumbar = result_with(flags("recent_fracture_region", region="lower back"))

    assert wrist.modalities["decompression"].verdict is Verdict.CAUTION
    assert wrist.regions[0].modalities["decompression"].verdict is Verdict.CAUTION
    assert wrist.regions[0].modalities["adjustment"].verdict is Verdict.CONTRAINDICATED
    assert lumbar.modalities["decompression"].verdict is Verdict.CONTRAINDICATED
    assert "CI-RECENT-DEC" in rules_of(lumbar.modalities["decompression"])


@pytest.mark.parametrize(("treated", "verdict"), [
    (["left foot"], Verdict.CONTRAINDICATED),
    (["Linkervoet", "kuiten"], Verdict.CONTRAINDICATED),
    (["foot"], Verdict.CONTRAINDICATED),  # no side given: it may be the left one
    (["right foot"], Verdict.ALLOWED),
    (["lower back", "hamstrings"], Verdict.ALLOWED),
    (["somewhere vague"], Verdict.CONTRAINDICATED),  # not recognised: it may be the foot
])
def test_the_verdict_for_the_treated_regions_counts_only_their_findings(treated, verdict):
    result = result_with(flags("open_wound_region", region="left foot"), massage=treated)
    assert result.treated["massage"].assessment.verdict is verdict
    assert result.to_dict()["treated"]["massage"]["regions"] == treated


def test_pregnancy_contraindicates_needling_the_trunk_or_pelvis_not_the_calf():
    pregnant = flags("pregnancy")
    assert result_with(pregnant).modalities["dry_needling"].verdict is Verdict.CAUTION
    for trunk in (["bekken"], ["lower back"], ["gluteus medius"], ["buik"]):
        treated = result_with(pregnant, dry_needling=trunk).treated["dry_needling"].assessment
        assert treated.verdict is Verdict.CONTRAINDICATED, trunk
        assert "CI-PREGNANCY-DN-TRUNK" in rules_of(treated)
    calf = result_with(pregnant, dry_needling=["gastrocnemius"]).treated["dry_needling"].assessment
    assert calf.verdict is Verdict.CAUTION


def test_high_dose_anticoagulants_contraindicate_manipulation():
    result = result_with(flags("anticoagulant_high_dose"))
    assert result.modalities["adjustment"].verdict is Verdict.CONTRAINDICATED
    assert result.modalities["massage"].verdict is Verdict.CAUTION


def test_a_local_finding_without_a_region_still_restricts_everywhere():
    result = result_with(flags("open_wound_region"))
    assert result.modalities["massage"].verdict is Verdict.CONTRAINDICATED
    assert result.regions == ()


def test_every_region_term_is_recognised_as_its_region():
    for region, terms in TERMS_OF.items():
        assert all(place(term, RULES.region_terms).region == region for term in terms)


sides = st.sampled_from(["", "left ", "right ", "linker ", "rechter "])


@settings(max_examples=60, deadline=None)
@given(flag=st.sampled_from(REGIONAL_FLAGS), regions=st.lists(st.sampled_from(sorted(RULES.regions)), min_size=2,
       max_size=2, unique=True), data=st.data(), side_of_finding=sides, side_of_treatment=sides)
def test_a_local_finding_never_changes_a_verdict_for_another_region(flag, regions, data, side_of_finding,
                                                                    side_of_treatment):
    found_at, treated_at = (side + data.draw(st.sampled_from(TERMS_OF[region]))
                            for side, region in zip((side_of_finding, side_of_treatment), regions))
    treated = {modality: [treated_at] for modality in RULES.modalities}
    without = result_with(None, **treated)
    with_finding = result_with(flags(flag, region=found_at), **treated)

    for modality in RULES.modalities:
        # Decompression always treats the spine: a spinal finding is in its own region.
        if place(found_at, RULES.region_terms).may_be_in(RULES.always_treats.get(modality, ())):
            continue
        assert with_finding.treated[modality].assessment.verdict is without.treated[modality].assessment.verdict
        assert with_finding.modalities[modality].verdict is without.modalities[modality].verdict
