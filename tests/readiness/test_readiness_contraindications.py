"""DOMAIN.md §4.5c (contraindication → verdict map) and §4.5b (competition-window overrides).

Each row lists the reasons a flag (or a competition window) adds to every modality, compared with
the same situation without it: adaptation phase, high tolerance, every indication present.
"""
from __future__ import annotations

import pytest
from readiness_builders import RULES, assess, flags

from clinic.readiness import Verdict

HANDS_ON = ("adjustment", "massage", "dry_needling", "decompression")
CI, NA, CA, RE = "contraindicated", "not_advised", "caution", "recommended"


def red_flag_row(referral: str, **specific: dict) -> dict:
    """Return the §4.5c "red_flag_* (any)" row: the flag's own referral rule, plus extra reasons."""
    row = {modality: {referral: CI} for modality in HANDS_ON} | {"active_recovery": {"RF-AWAIT-REFERRAL": NA}}
    for modality, reasons in specific.items():
        row[modality] = row[modality] | reasons
    return row


CONTRAINDICATIONS = [
    # §4.5c row "red_flag_* (any)": hands-on CONTRA (refer), active recovery NOT_ADVISED (refer)
    pytest.param("red_flag_cauda_equina", red_flag_row("RF-CAUDA-EQUINA"), id="red_flag_cauda_equina"),
    pytest.param("red_flag_progressive_neuro", red_flag_row("RF-PROGRESSIVE-NEURO"), id="red_flag_progressive_neuro"),
    pytest.param("red_flag_fracture_suspected", red_flag_row("RF-FRACTURE"), id="red_flag_fracture_suspected"),
    pytest.param("red_flag_malignancy", red_flag_row("RF-MALIGNANCY"), id="red_flag_malignancy"),
    pytest.param("red_flag_night_pain", red_flag_row("RF-NIGHT-PAIN"), id="red_flag_night_pain"),  # §2.0 list
    pytest.param("red_flag_weight_loss", red_flag_row("RF-WEIGHT-LOSS"), id="red_flag_weight_loss"),  # reported in check-ins
    pytest.param("red_flag_palpitations", red_flag_row("RF-PALPITATIONS"), id="red_flag_palpitations"),  # reported in check-ins
    # §4.5c row "red_flag_dvt_suspected": CONTRA (refer) everywhere hands-on; massage: embolisation
    pytest.param("red_flag_dvt_suspected", red_flag_row("RF-DVT", massage={"RF-DVT-MASSAGE": CI}), id="red_flag_dvt"),
    # §4.5c row "fever / systemic infection": hands-on CONTRA; active recovery NOT_ADVISED (no exercise)
    pytest.param("red_flag_fever_systemic", red_flag_row("RF-FEVER", active_recovery={"RF-FEVER-NO-EXERCISE": NA}),
                 id="red_flag_fever"),
    # §4.5c row "red_flag_cervical_arterial": adjustment CONTRA (cervical) – IFOMPT
    pytest.param("red_flag_cervical_arterial", red_flag_row("RF-CERVICAL-ARTERIAL", adjustment={"CI-CERVICAL-ADJ": CI}),
                 id="red_flag_cervical_arterial"),
    # §4.5c row "anticoagulant": massage/DN/decompression/adjustment CAUTION
    pytest.param("anticoagulant", {"massage": {"CI-ANTICOAG-MAS": CA}, "dry_needling": {"CI-ANTICOAG-DN": CA},
                                   "decompression": {"CI-ANTICOAG-DEC": CA}, "adjustment": {"CI-ANTICOAG-ADJ": CA}},
                 id="anticoagulant"),
    # Hawk 2020: high-dose anticoagulant therapy contraindicates manipulation; the rest as for anticoagulants
    pytest.param("anticoagulant_high_dose", {"massage": {"CI-ANTICOAG-MAS": CA},
                                             "dry_needling": {"CI-ANTICOAG-DN": CA},
                                             "decompression": {"CI-ANTICOAG-DEC": CA},
                                             "adjustment": {"CI-ANTICOAG-ADJ": CA, "CI-ANTICOAG-HIGH-ADJ": CI}},
                 id="anticoagulant_high_dose"),
    # §4.5c row "bleeding_disorder_severe": massage CAUTION, DN CONTRA, decompression CAUTION, adjustment CONTRA
    pytest.param("bleeding_disorder_severe", {"massage": {"CI-BLEEDING-SOFT": CA},
                                              "dry_needling": {"CI-BLEEDING-DN": CI},
                                              "decompression": {"CI-BLEEDING-SOFT": CA},
                                              "adjustment": {"CI-BLEEDING-ADJ": CI}}, id="bleeding_disorder_severe"),
    # §4.5c row "pregnancy": massage CAUTION, DN CAUTION, decompression CONTRA, adjustment CAUTION
    pytest.param("pregnancy", {"massage": {"CI-PREGNANCY-MAS": CA}, "dry_needling": {"CI-PREGNANCY-DN": CA},
                               "decompression": {"CI-PREGNANCY-DEC": CI}, "adjustment": {"CI-PREGNANCY-ADJ": CA}},
                 id="pregnancy"),
    # §4.5c row "needle_phobia / unable_to_consent": DN CONTRA ("consent rules apply to all" → a note)
    pytest.param("needle_phobia", {"dry_needling": {"CI-CONSENT-DN": CI}}, id="needle_phobia"),
    pytest.param("unable_to_consent", {"dry_needling": {"CI-CONSENT-DN": CI},
                                       "adjustment": {"CI-CONSENT-NOTE": None},
                                       "massage": {"CI-CONSENT-NOTE": None},
                                       "decompression": {"CI-CONSENT-NOTE": None}}, id="unable_to_consent"),
    # §4.5c row "lymphoedema (region)": massage CAUTION (specialised MLD only), DN CONTRA in region
    pytest.param("lymphoedema_region", {"massage": {"CI-LYMPHOEDEMA-MAS": CA},
                                        "dry_needling": {"CI-LYMPHOEDEMA-DN": CI}}, id="lymphoedema_region"),
    # §4.5c row "local infection / open wound (region)": massage and DN CONTRA in region
    pytest.param("local_skin_infection_region", {"massage": {"CI-SKIN-LOCAL": CI},
                                                 "dry_needling": {"CI-SKIN-LOCAL": CI}},
                 id="local_skin_infection_region"),
    pytest.param("open_wound_region", {"massage": {"CI-SKIN-LOCAL": CI}, "dry_needling": {"CI-SKIN-LOCAL": CI}},
                 id="open_wound_region"),
    # §4.5c row "metal_allergy": DN CONTRA unless hypoallergenic needles
    pytest.param("metal_allergy", {"dry_needling": {"CI-METAL-DN": CI}}, id="metal_allergy"),
    # §4.5c row "immunocompromised / diabetes_neuropathy / epilepsy": DN CAUTION
    pytest.param("immunocompromised", {"dry_needling": {"CI-RELATIVE-DN": CA}}, id="immunocompromised"),
    pytest.param("diabetes_neuropathy", {"dry_needling": {"CI-RELATIVE-DN": CA}}, id="diabetes_neuropathy"),
    pytest.param("epilepsy", {"dry_needling": {"CI-RELATIVE-DN": CA}}, id="epilepsy"),
    # §4.5c row "thorax_target_region": DN CAUTION (trained safe technique only)
    pytest.param("thorax_target_region", {"dry_needling": {"CI-THORAX-DN": CA}}, id="thorax_target_region"),
    # §4.5c row "acute_injury_region_lt72h": NOT_ADVISED in region / decompression; active recovery RECOMMENDED
    pytest.param("acute_injury_region_lt72h", {"massage": {"CI-ACUTE-INJURY-LOCAL": NA},
                                               "dry_needling": {"CI-ACUTE-INJURY-LOCAL": NA},
                                               "adjustment": {"CI-ACUTE-INJURY-LOCAL": NA},
                                               "decompression": {"CI-ACUTE-INJURY-DEC": NA},
                                               "active_recovery": {"CI-ACUTE-INJURY-AR": RE}},
                 id="acute_injury_region_lt72h"),
    # §4.5c row "recent_fracture / recent_surgery (region)": CONTRA in region; active recovery per surgeon
    *[pytest.param(flag, {"massage": {"CI-RECENT-LOCAL": CI}, "dry_needling": {"CI-RECENT-LOCAL": CI},
                          "adjustment": {"CI-RECENT-LOCAL": CI}, "decompression": {"CI-RECENT-DEC": CI},
                          "active_recovery": {"CI-RECENT-AR": CA}}, id=flag)
      for flag in ("recent_fracture_region", "recent_surgery_region")],
    # §4.5c row "osteoporosis_severe": massage CAUTION (no deep pressure), decompression and adjustment CONTRA
    pytest.param("osteoporosis_severe", {"massage": {"CI-OSTEOPOROSIS-MAS": CA},
                                         "decompression": {"CI-OSTEOPOROSIS-SPINE": CI},
                                         "adjustment": {"CI-OSTEOPOROSIS-SPINE": CI}}, id="osteoporosis_severe"),
    # §4.5c row "spinal_fusion_or_implant": decompression CONTRA, adjustment CONTRA (at level)
    pytest.param("spinal_fusion_or_implant", {"decompression": {"CI-IMPLANT-SPINE": CI},
                                              "adjustment": {"CI-IMPLANT-SPINE": CI}}, id="spinal_fusion_or_implant"),
    # §4.5c row "spinal_instability / spinal_tumour_or_infection": massage CAUTION/CONTRA local,
    # decompression and adjustment CONTRA
    pytest.param("spinal_instability", {"massage": {"CI-INSTABILITY-MAS": CA},
                                        "decompression": {"CI-SPINE-STRUCTURAL": CI},
                                        "adjustment": {"CI-SPINE-STRUCTURAL": CI}}, id="spinal_instability"),
    pytest.param("spinal_tumour_or_infection", {"massage": {"CI-TUMOUR-INFECTION-MAS": CI},
                                                "decompression": {"CI-SPINE-STRUCTURAL": CI},
                                                "adjustment": {"CI-SPINE-STRUCTURAL": CI}},
                 id="spinal_tumour_or_infection"),
    # §4.5c row "aortic_aneurysm": massage and DN CAUTION (no abdominal), decompression CONTRA, adjustment CONTRA
    pytest.param("aortic_aneurysm", {"massage": {"CI-ANEURYSM-SOFT": CA}, "dry_needling": {"CI-ANEURYSM-SOFT": CA},
                                     "decompression": {"CI-ANEURYSM-SPINE": CI},
                                     "adjustment": {"CI-ANEURYSM-SPINE": CI}}, id="aortic_aneurysm"),
    # §4.5c row "inflammatory_arthritis_active": massage CAUTION, decompression CONTRA, adjustment CONTRA
    pytest.param("inflammatory_arthritis_active", {"massage": {"CI-ARTHRITIS-MAS": CA},
                                                   "decompression": {"CI-ARTHRITIS-SPINE": CI},
                                                   "adjustment": {"CI-ARTHRITIS-SPINE": CI}},
                 id="inflammatory_arthritis_active"),
    # §4.5c row "active_cancer": massage and DN CAUTION, decompression CONTRA (spinal), adjustment CONTRA
    pytest.param("active_cancer", {"massage": {"CI-CANCER-SOFT": CA}, "dry_needling": {"CI-CANCER-SOFT": CA},
                                   "decompression": {"CI-CANCER-SPINE": CI}, "adjustment": {"CI-CANCER-SPINE": CI}},
                 id="active_cancer"),
    # §4.5b: smt_naive only matters within 24 h of a competition
    pytest.param("smt_naive", {}, id="smt_naive"),
]


def added_reasons(before, after) -> dict[str, dict[str, str | None]]:
    """Return, per modality, the reasons (rule → verdict) present in ``after`` but not in ``before``."""
    return {modality: {reason.rule: None if reason.verdict is None else reason.verdict.key
                       for reason in after[modality].reasons if reason not in before[modality].reasons}
            for modality in after}


def expected_verdict(baseline, added: dict[str, str | None]) -> Verdict:
    """Return the most restrictive of the baseline verdict and the added reasons' verdicts."""
    return max([baseline, *(Verdict.from_key(key) for key in added.values() if key is not None)])


@pytest.mark.parametrize(("flag", "expected"), CONTRAINDICATIONS)
def test_contraindication_row(flag, expected):
    baseline = assess()
    flagged = assess(flags=flags(flag))
    added = added_reasons(baseline, flagged)
    assert added == {modality: expected.get(modality, {}) for modality in RULES.modalities}
    for modality, assessment in flagged.items():
        assert assessment.verdict is expected_verdict(baseline[modality].verdict, added[modality])


def test_every_screening_flag_has_a_row():
    assert {param.values[0] for param in CONTRAINDICATIONS} == set(RULES.flags)


def test_red_flag_reason_names_the_flag():
    reason = assess(flags=flags("red_flag_cauda_equina"))["active_recovery"].reasons[0]
    assert reason.text.nl.startswith("Rode vlag (vermoeden van caudasyndroom)")
    assert reason.text.en.startswith("Red flag (suspected cauda equina syndrome)")


def test_a_regional_flag_names_its_region():
    reason = assess(flags=flags("open_wound_region", region="linker kuit"))["massage"].reasons[0]
    assert (reason.rule, reason.region) == ("CI-SKIN-LOCAL", "linker kuit")
    assert reason.text.nl.endswith("(regio: linker kuit)")
    assert reason.text.en.endswith("(region: linker kuit)")


COMPETITION = [
    # hours to competition, modality, flags, reasons the window adds
    # §4.5b Massage: c < 2 h CAUTION (brief/light + active warm-up); 2 ≤ c < 24 h CAUTION (light); later: none
    (1, "massage", (), {"MAS-COMP-2": CA}),
    (2, "massage", (), {"MAS-COMP-24": CA}),
    (23.9, "massage", (), {"MAS-COMP-24": CA}),
    (24, "massage", (), {}),
    (60, "massage", (), {}),
    # §4.5b Dry needling: NOT_ADVISED below 48 h (c < 2, 2–24, 24–48), CAUTION 48–72 h
    (1, "dry_needling", (), {"DN-COMP-48": NA}),
    (12, "dry_needling", (), {"DN-COMP-48": NA}),
    (30, "dry_needling", (), {"DN-COMP-48": NA}),
    (48, "dry_needling", (), {"DN-COMP-72": CA}),
    (71.9, "dry_needling", (), {"DN-COMP-72": CA}),
    (72, "dry_needling", (), {}),
    # §4.5b Decompression: NOT_ADVISED below 24 h; no override from 24 h
    (1, "decompression", (), {"DEC-COMP-24": NA}),
    (12, "decompression", (), {"DEC-COMP-24": NA}),
    (24, "decompression", (), {}),
    (60, "decompression", (), {}),
    # §4.5b Adjustment: NOT_ADVISED if smt_naive, else ALLOWED, below 24 h; no override from 24 h
    (1, "adjustment", ("smt_naive",), {"ADJ-COMP-NAIVE-24": NA}),
    (12, "adjustment", ("smt_naive",), {"ADJ-COMP-NAIVE-24": NA}),
    (12, "adjustment", (), {}),
    (24, "adjustment", ("smt_naive",), {}),
    # §4.5b Active recovery: RECOMMENDED (= warm-up) below 2 h, RECOMMENDED (light opener) 2–24 h
    (1, "active_recovery", (), {"AR-COMP-2": RE}),
    (12, "active_recovery", (), {"AR-COMP-24": RE}),
    (30, "active_recovery", (), {}),
]


@pytest.mark.parametrize(("hours", "modality", "flag_names", "expected"), COMPETITION)
def test_competition_window(hours, modality, flag_names, expected):
    baseline = assess(flags=flags(*flag_names))
    before_competition = assess(flags=flags(*flag_names), hours_to_competition=hours)
    added = added_reasons(baseline, before_competition)[modality]
    assert added == expected
    assert before_competition[modality].verdict is expected_verdict(baseline[modality].verdict, added)


def test_naive_adjustment_before_competition_is_not_advised_but_familiar_one_is_allowed():
    # §4.5b Adjustment: "NOT_ADVISED if smt_naive, else ALLOWED"
    assert assess(hours_to_competition=12, flags=flags("smt_naive"))["adjustment"].verdict is Verdict.NOT_ADVISED
    assert assess(hours_to_competition=12)["adjustment"].verdict is Verdict.ALLOWED
