"""Words for the readiness picture in the visitor's language: labels from the rules file, and our own."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l

from clinic import readiness

# Each label names the number in the table's value column (the evaluation's day).
COMPONENT_LABELS = {
    "acwr": _l("Acute:chronic workload ratio"),
    "hrv": _l("Heart-rate variability: z-score of the 7-day mean lnRMSSD"),
    "hooper": _l("Wellness: Hooper index (4–28) and its z-score"),
    "doms": _l("Muscle soreness (DOMS, 0–10)"),
    "monotony": _l("Training monotony (7 days)"),
    "session_load": _l("Load of the last session (AU)"),
}
# What a value behind a warning signal is, and with how many decimals it is shown.
MEASUREMENTS = {
    "acwr": (_l("ACWR"), 2),
    "hrv_z": (_l("HRV z-score"), 2),
    "hooper_z": (_l("Hooper z-score"), 2),
    "fatigue": (_l("Fatigue (1–7)"), 0),
    "monotony": (_l("Monotony"), 2),
    "strain": (_l("Strain (AU; threshold: own 90th percentile)"), 0),
    "doms": (_l("DOMS (0–10)"), 0),
    "days_since_session": (_l("Days since the last significant session"), 1),
    "complaint_days": (_l("Days with complaints"), 0),
}
COMPARISONS = {">=": "≥", ">": ">", "<": "<"}
DETAIL_LABELS = {
    "regions": _l("Regions"),
    "technique": _l("Technique"),
    "minutes": _l("Minutes"),
    "muscles": _l("Muscles"),
    "needle_count": _l("Number of needles"),
    "local_twitch_response": _l("Local twitch response"),
    "adverse_reaction": _l("Adverse reaction"),
    "position": _l("Position"),
    "force_kg": _l("Force (kg)"),
    "advice": _l("Advice given"),
}
POSITION_LABELS = {"prone": _l("Prone"), "supine": _l("Supine")}
OVERTRAINING_LABELS = {
    0: _l("No signs of insufficient recovery"),
    1: _l("Level 1: watch"),
    2: _l("Level 2: reduce load"),
    3: _l("Level 3: refer for medical assessment"),
}


def in_language(text: readiness.Text | Mapping) -> str:
    """Return the Dutch or English of a bilingual text, as the page is shown."""
    language = get_locale().language if get_locale() else "nl"
    if isinstance(text, Mapping):
        return text.get(language) or text.get("nl", "")
    return text.en if language == "en" else text.nl


def label(kind: str, key: str) -> str:
    """Return the label the rules file gives a phase, band, verdict, evidence level, modality, flag, …"""
    rules = readiness.default_rules()
    table = {
        "phase": rules.phase_labels, "band": rules.band_labels, "verdict": rules.verdict_labels,
        "evidence": rules.evidence_labels, "urgency": rules.urgency_labels, "modality": rules.modalities, "indication": rules.indications,
        "flag": {name: flag.label for name, flag in rules.flags.items()},
        "complaint": {name: complaint.label for name, complaint in rules.complaints.items()},
    }[kind]
    return in_language(table[key]) if key in table else key


def strictest_verdict(result: Mapping, modality: str) -> str:
    """Return the most restrictive verdict of ``modality`` anywhere: elsewhere or in a region with a local finding."""
    keys = [result["modalities"][modality]["verdict"],
            *(regional["modalities"][modality]["verdict"] for regional in result.get("regions", ()))]
    return readiness.most_restrictive(readiness.Verdict.from_key(key) for key in keys).key


def number(value: float, digits: int = 0) -> str:
    """Format a number the way the page's language writes it (0,89 in Dutch, 0.89 in English)."""
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0")


def reference(key: str) -> str:
    """Return the full reference behind a citation key."""
    return readiness.default_rules().references.get(key, key)


# The references written in Dutch; the others are in English (a screen reader reads each in its language).
DUTCH_REFERENCES = frozenset({"KNGF2021", "KNGF2023", "NHG-LRS", "WGBO"})


def reference_language(key: str) -> str:
    """Return the language the reference behind ``key`` is written in."""
    return "nl" if key in DUTCH_REFERENCES else "en"


def template_helpers() -> dict:
    """Return what the clinical templates use to put the readiness picture into words."""
    return {
        "in_language": in_language,
        "number": number,
        "label": label,
        "reference": reference,
        "reference_language": reference_language,
        "strictest_verdict": strictest_verdict,
        "component_labels": COMPONENT_LABELS,
        "detail_labels": DETAIL_LABELS,
        "position_labels": POSITION_LABELS,
        "overtraining_labels": OVERTRAINING_LABELS,
        "measurements": MEASUREMENTS,
        "comparisons": COMPARISONS,
    }
