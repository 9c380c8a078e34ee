"""The rules file: the shipped one is valid, and a malformed copy fails with its key path."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from clinic.readiness import RulesFileError, default_rules, load_rules
from clinic.readiness.rules_file import DEFAULT_RULES_PATH, parse_rules

DOCUMENT = yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))
VERSION_LINE = f"version: {DOCUMENT['version']}\n"


def test_the_shipped_rules_file_is_valid_and_versioned():
    rules = default_rules()
    assert rules.version == str(DOCUMENT["version"])
    assert set(rules.modalities) == {"adjustment", "massage", "dry_needling", "decompression", "active_recovery"}


def test_every_label_has_dutch_and_english():
    rules = default_rules()
    labels = [*rules.modalities.values(), *rules.indications.values(),
              *(flag.label for flag in rules.flags.values()), *(c.label for c in rules.complaints.values())]
    assert all(label.nl and label.en for label in labels)


def _set(document: dict, path: tuple, value) -> None:
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _delete(document: dict, path: tuple, _: None) -> None:
    node = document
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


def _append(document: dict, path: tuple, value) -> None:
    node = document
    for key in path:
        node = node[key]
    node.append(value)


MALFORMED = [
    # what is wrong, how the copy is broken, the expected message
    pytest.param(_set, ("phase_matrix", "regeneration", "moderate", "massage"), "maybe",
                 "phase_matrix.regeneration.moderate.massage: unknown verdict 'maybe'", id="matrix verdict"),
    pytest.param(_set, ("rules", "DN-COMP-48", "verdict"), "forbidden",
                 "rules.DN-COMP-48.verdict: unknown verdict 'forbidden'", id="rule verdict"),
    pytest.param(_delete, ("matrix_reasons", "acute", "massage", "recommended", "text", "en"), None,
                 "matrix_reasons.acute.massage.recommended.text.en: missing translation", id="missing translation"),
    pytest.param(_delete, ("flags", "pregnancy", "label", "nl"), None,
                 "flags.pregnancy.label.nl: missing translation", id="missing flag label"),
    pytest.param(_append, ("rules", "CI-ANTICOAG-DN", "cite"), "Nobody2099",
                 "rules.CI-ANTICOAG-DN.cite[2]: unknown citation key 'Nobody2099' (not in references)",
                 id="unknown citation"),
    pytest.param(_set, ("phase", "acute_end_hours"), "24",
                 "phase.acute_end_hours: expected a number, got str '24'", id="number as text"),
    pytest.param(_set, ("load", "acwr", "min_history_days"), 27.5,
                 "load.acwr.min_history_days: expected an integer, got float 27.5", id="float for integer"),
    pytest.param(_set, ("tolerance", "components", "acwr", "bands", 0, "points"), True,
                 "tolerance.components.acwr.bands[0].points: expected an integer, got bool True",
                 id="bool for integer"),
    pytest.param(_set, ("phase", "severity_extension", "enabled"), "no",
                 "phase.severity_extension.enabled: expected true or false, got str 'no'", id="text for bool"),
    pytest.param(_set, ("version",), 1.1,
                 "version: expected an integer or a quoted string, got 1.1", id="float version"),
    pytest.param(_delete, ("version",), None, "version: missing required key", id="missing version"),
    pytest.param(_set, ("surprise",), {}, "surprise: unknown key", id="unknown section"),
    pytest.param(_set, ("rules", "DN-COMP-48", "when", "moon_phase"), "full",
                 "rules.DN-COMP-48.when.moon_phase: unknown key", id="unknown condition"),
    pytest.param(_set, ("rules", "CI-METAL-DN", "when", "flag_any"), ["metal_allergie"],
                 "rules.CI-METAL-DN.when.flag_any[0]: unknown flag 'metal_allergie'", id="unknown flag"),
    pytest.param(_set, ("rules", "CI-METAL-DN", "modalities"), ["reiki"],
                 "rules.CI-METAL-DN.modalities[0]: unknown modality 'reiki'", id="unknown modality"),
    pytest.param(_set, ("rules", "DEC-NO-INDICATION", "when", "indication_absent"), "sore_back",
                 "rules.DEC-NO-INDICATION.when.indication_absent: unknown indication 'sore_back'",
                 id="unknown indication"),
    pytest.param(_set, ("rules", "CI-METAL-DN", "evidence"), "E4",
                 "rules.CI-METAL-DN.evidence: unknown evidence label 'E4'", id="unknown evidence label"),
    pytest.param(_set, ("rules", "CI-METAL-DN", "step"), "whenever",
                 "rules.CI-METAL-DN.step: unknown step 'whenever'", id="unknown step"),
    pytest.param(_set, ("rules", "MAS-COMP-2", "text", "nl"), "Voor {flag}: licht.",
                 "rules.MAS-COMP-2.text.nl: placeholder {flag} is not available here", id="placeholder without flag"),
    pytest.param(_set, ("phase_matrix", "adaptation", "high", "massage"), "contraindicated",
                 "matrix_reasons.adaptation.massage.contraindicated: missing required key",
                 id="matrix verdict without a reason"),
    pytest.param(_delete, ("phase_matrix", "acute", "low", "decompression"), None,
                 "phase_matrix.acute.low.decompression: missing required key", id="missing matrix cell"),
    pytest.param(_set, ("phase_matrix", "regeneration", "amber"), {},
                 "phase_matrix.regeneration.amber: unknown key", id="unknown band"),
    pytest.param(_set, ("tolerance", "score_bands", 1, "max_score"), 2,
                 "tolerance.score_bands: score 3 falls in 0 bands; exactly one expected", id="score band gap"),
    pytest.param(_set, ("phase", "acute_end_hours"), 80,
                 "phase: need 0 < acute_end_hours < regeneration_end_hours", id="phase cut-points out of order"),
    pytest.param(_set, ("load", "monotony", "sd"), "median",
                 "load.monotony: sd must be 'population' or 'sample', got 'median'", id="unknown SD convention"),
    pytest.param(_set, ("overtraining", "levels", 4), {}, "overtraining.levels.4: unknown key", id="unknown level"),
    pytest.param(_set, ("rules", "DN-ACUTE"), None, "rules.DN-ACUTE: expected a mapping, got NoneType None",
                 id="rule that is not a mapping"),
    pytest.param(_delete, ("rules", "RF-DVT"), None,
                 "rules: red flag 'red_flag_dvt_suspected' needs exactly one rule with an urgency, has 0",
                 id="red flag without referral"),
    pytest.param(_set, ("rules", "RF-DVT", "urgency"), "tomorrow",
                 "rules.RF-DVT.urgency: unknown urgency 'tomorrow'", id="unknown urgency"),
    pytest.param(_set, ("rules", "CI-METAL-DN", "urgency"), "gp",
                 "rules.CI-METAL-DN.urgency: only a red_flag rule of one flag (flag_any) has an urgency",
                 id="urgency outside the red-flag step"),
]


@pytest.mark.parametrize(("change", "path", "value", "message"), MALFORMED)
def test_a_malformed_rules_file_names_the_key_path(change, path, value, message):
    document = copy.deepcopy(DOCUMENT)
    change(document, path, value)
    with pytest.raises(RulesFileError) as raised:
        parse_rules(document)
    assert str(raised.value).startswith(message)


def test_a_rule_id_may_be_used_only_once():
    document = copy.deepcopy(DOCUMENT)
    document["rules"]["DN-ACUTE"] = document["rules"]["DN-COMP-48"]  # DN-ACUTE is a matrix reason's id
    with pytest.raises(RulesFileError, match=r"^rules\.DN-ACUTE\.id: duplicate rule id 'DN-ACUTE'$"):
        parse_rules(document)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_repeated_yaml_key_is_refused_not_silently_overwritten(tmp_path):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace(VERSION_LINE, VERSION_LINE * 2)
    with pytest.raises(RulesFileError, match=r"^line \d+: duplicate key 'version'$"):
        load_rules(_write(tmp_path, text))


def test_invalid_yaml_names_the_file(tmp_path):
    with pytest.raises(RulesFileError, match=r"^rules\.yaml: not valid YAML"):
        load_rules(_write(tmp_path, "version: [1\n"))


def test_a_valid_copy_with_a_new_version_loads(tmp_path):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace(VERSION_LINE, 'version: "2025-11-25.2"\n')
    assert load_rules(_write(tmp_path, text)).version == "2025-11-25.2"
