"""Load and validate the versioned rules file (``rules.yaml``) into a ``Rules`` value."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from . import schema
from .conditions import has_flag_selector, read_when
from .rulebook import (
    COMPLAINT_KINDS, SIGNAL_CRITERIA, STEPS, TOLERANCE_COMPONENTS, URGENCIES, AbovePercentile, AnyItem,
    ComplaintDefinition, ComponentSettings, FlagDefinition, HooperSettings, HrvSettings, LoadSettings,
    FindingExpiry, NumericBand, OvertrainingSettings, PhaseSettings, Rule, Rules, ScoreBand, ScreeningSettings,
    Signal, SustainedLow, SymptomCriterion, ToleranceSettings,
)
from .regions import normalise
from .schema import Catalogue, RulesFileError, join
from .states import BAND_KEYS, MATRIX_BAND_KEYS, PHASE_KEYS, Band, Phase
from .verdicts import VERDICT_KEYS

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.yaml")
EVIDENCE_LABELS = ("E1", "E2", "E3", "H")
OVERTRAINING_LEVELS = (1, 2, 3)
SECTIONS = ("version", "verdicts", "evidence_labels", "urgencies", "modalities", "phases", "bands", "references",
            "regions", "always_treats", "indications", "complaints", "flags", "phase", "load", "hrv", "hooper", "tolerance",
            "overtraining", "screening", "phase_matrix", "matrix_reasons", "rules")


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader that refuses repeated keys (plain YAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    result = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in result:
            raise RulesFileError(f"line {key_node.start_mark.line + 1}", f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=deep)
    return result


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_rules(path: Path | str = DEFAULT_RULES_PATH) -> Rules:
    """Load and validate a rules file; raise ``RulesFileError`` naming the offending key path."""
    path = Path(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise RulesFileError(path.name, f"not valid YAML: {exc}") from None
    return parse_rules(document)


@cache
def default_rules() -> Rules:
    """Return the clinic's rules file, loaded and validated once per process."""
    return load_rules(DEFAULT_RULES_PATH)


def parse_rules(document: object) -> Rules:
    """Validate an already parsed rules document and return it as typed ``Rules``."""
    root = schema.mapping(document, "(root)")
    schema.expect_keys(root, "", SECTIONS)
    region_labels, region_terms = _regions(root["regions"])
    catalogue = Catalogue(
        modalities=schema.labels(root["modalities"], "modalities"),
        references=_references(root["references"]),
        evidence_labels=EVIDENCE_LABELS,
        flags=_flags(root["flags"]),
        indications=schema.labels(root["indications"], "indications"),
        regions=tuple(region_labels),
    )
    return Rules(
        version=_version(root["version"]),
        verdict_labels=_frozen(schema.labels(root["verdicts"], "verdicts", exactly=VERDICT_KEYS)),
        evidence_labels=_frozen(schema.labels(root["evidence_labels"], "evidence_labels", exactly=EVIDENCE_LABELS)),
        urgency_labels=_frozen(schema.labels(root["urgencies"], "urgencies", exactly=URGENCIES)),
        modalities=_frozen(catalogue.modality_labels),
        phase_labels=_frozen(schema.labels(root["phases"], "phases", exactly=PHASE_KEYS)),
        band_labels=_frozen(schema.labels(root["bands"], "bands", exactly=BAND_KEYS)),
        references=_frozen(catalogue.reference_texts),
        regions=_frozen(region_labels),
        region_terms=_frozen(region_terms),
        always_treats=_frozen(_always_treats(root["always_treats"], catalogue)),
        indications=_frozen(catalogue.indication_labels),
        complaints=_frozen(_complaints(root["complaints"], catalogue)),
        flags=_frozen(catalogue.flags),
        phase=schema.settings(PhaseSettings, _without(root["phase"], "phase", "age_notice"), "phase"),
        age_notice=schema.reason_template(schema.mapping(root["phase"], "phase").get("age_notice"),
                                          join("phase", "age_notice"), catalogue),
        load=schema.settings(LoadSettings, root["load"], "load"),
        hrv=schema.settings(HrvSettings, root["hrv"], "hrv"),
        hooper=schema.settings(HooperSettings, root["hooper"], "hooper"),
        tolerance=_tolerance(root["tolerance"], catalogue),
        overtraining=_overtraining(root["overtraining"], catalogue),
        screening=_screening(root["screening"], catalogue),
        phase_matrix=_phase_matrix(root["phase_matrix"], root["matrix_reasons"], catalogue),
        rules=_rules(root["rules"], catalogue),
    )


def _without(value: object, path: str, key: str) -> dict:
    """Return the mapping at ``path`` without ``key`` (read on its own)."""
    return {name: entry for name, entry in schema.mapping(value, path).items() if name != key}


def _frozen(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _version(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip():
        raise RulesFileError("version", f"expected an integer or a quoted string, got {value!r}")
    return str(value)


def _references(value: object) -> dict[str, str]:
    node = schema.mapping(value, "references")
    return {key: schema.string(entry, join("references", key)) for key, entry in node.items()}


def _regions(value: object) -> tuple[dict[str, Text], dict[str, str]]:
    """Return region → label and normalised term → region; a term may name one region only."""
    node = schema.mapping(value, "regions")
    labels, terms = {}, {}
    for name, entry in node.items():
        path = join("regions", name)
        entry = schema.mapping(entry, path)
        schema.expect_keys(entry, path, ("label", "terms"))
        labels[schema.string(name, "regions")] = schema.text(entry["label"], join(path, "label"))
        for index, raw in enumerate(schema.sequence(entry["terms"], join(path, "terms"))):
            term = normalise(schema.string(raw, f"{join(path, 'terms')}[{index}]"))
            if terms.setdefault(term, name) != name:
                raise RulesFileError(f"{join(path, 'terms')}[{index}]", f"term {term!r} already names {terms[term]!r}")
    return labels, terms


def _always_treats(value: object, catalogue: Catalogue) -> dict[str, tuple[str, ...]]:
    node = schema.mapping(value, "always_treats")
    return {schema.choice(modality, join("always_treats", modality), catalogue.modalities, "modality"):
            schema.choices(regions, join("always_treats", modality), catalogue.regions, "region")
            for modality, regions in node.items()}


def _complaints(value: object, catalogue: Catalogue) -> dict[str, ComplaintDefinition]:
    node = schema.mapping(value, "complaints")
    red_flags = tuple(name for name, flag in catalogue.flags.items() if flag.red_flag)
    result = {}
    for name, entry in node.items():
        path = join("complaints", name)
        entry = schema.mapping(entry, path)
        schema.expect_keys(entry, path, ("label", "kind"), ("red_flag",))
        red_flag = entry.get("red_flag")
        result[name] = ComplaintDefinition(
            label=schema.text(entry["label"], join(path, "label")),
            kind=schema.choice(entry["kind"], join(path, "kind"), COMPLAINT_KINDS, "complaint kind"),
            red_flag=None if red_flag is None else schema.choice(red_flag, join(path, "red_flag"), red_flags, "red flag"),
        )
    return result


def _flags(value: object) -> dict[str, FlagDefinition]:
    node = schema.mapping(value, "flags")
    result = {}
    for name, entry in node.items():
        path = join("flags", name)
        entry = schema.mapping(entry, path)
        schema.expect_keys(entry, path, ("label",), ("regional", "red_flag"))
        result[name] = FlagDefinition(
            label=schema.text(entry["label"], join(path, "label")),
            regional=schema.boolean(entry.get("regional", False), join(path, "regional")),
            red_flag=schema.boolean(entry.get("red_flag", False), join(path, "red_flag")),
        )
    return result


def _tolerance(value: object, catalogue: Catalogue) -> ToleranceSettings:
    path = "tolerance"
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("components", "core_components", "min_core_components", "score_bands",
                                    "unknown_band"))
    components = _components(node["components"], join(path, "components"), catalogue)
    core = schema.choices(node["core_components"], join(path, "core_components"), tuple(TOLERANCE_COMPONENTS),
                          "component")
    minimum = schema.integer(node["min_core_components"], join(path, "min_core_components"))
    if not 1 <= minimum <= len(core):
        raise RulesFileError(join(path, "min_core_components"), f"must be from 1 to {len(core)}")
    evaluated_as, notice = _unknown_band(node["unknown_band"], join(path, "unknown_band"), catalogue)
    return ToleranceSettings(
        components=_frozen(components),
        core_components=core,
        min_core_components=minimum,
        score_bands=_score_bands(node["score_bands"], join(path, "score_bands"), _max_score(components)),
        unknown_band_evaluated_as=evaluated_as,
        unknown_band_notice=notice,
    )


def _components(value: object, path: str, catalogue: Catalogue) -> dict[str, ComponentSettings]:
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, tuple(TOLERANCE_COMPONENTS))
    return {name: _component(name, node[name], join(path, name), catalogue) for name in TOLERANCE_COMPONENTS}


def _component(name: str, value: object, path: str, catalogue: Catalogue) -> ComponentSettings:
    node = schema.mapping(value, path)
    scoring_keys = TOLERANCE_COMPONENTS[name]
    schema.expect_keys(node, path, ("cite", "evidence", *scoring_keys))
    return ComponentSettings(
        cite=schema.citations(node["cite"], join(path, "cite"), catalogue.references),
        evidence=schema.choice(node["evidence"], join(path, "evidence"), EVIDENCE_LABELS, "evidence label"),
        **{key: _SCORING_READERS[key](node[key], join(path, key)) for key in scoring_keys},
    )


def _numeric_bands(value: object, path: str) -> tuple[NumericBand, ...]:
    return tuple(_numeric_band(band, f"{path}[{index}]") for index, band in enumerate(schema.sequence(value, path)))


def _numeric_band(value: object, path: str) -> NumericBand:
    node = schema.mapping(value, path)
    bounds = ("gt", "gte", "lt", "lte")
    schema.expect_keys(node, path, ("points",), bounds)
    return NumericBand(points=schema.integer(node["points"], join(path, "points")),
                       **{key: schema.number(node[key], join(path, key)) for key in bounds if key in node})


_SCORING_READERS = {
    "bands": _numeric_bands,
    "sustained": lambda value, path: schema.settings(SustainedLow, value, path),
    "any_item": lambda value, path: schema.settings(AnyItem, value, path),
    "above_percentile": lambda value, path: schema.settings(AbovePercentile, value, path),
}


def _most_points(component: ComponentSettings) -> int:
    extras = (component.sustained, component.any_item, component.above_percentile)
    return max([band.points for band in component.bands] + [extra.points for extra in extras if extra])


def _max_score(components: dict[str, ComponentSettings]) -> int:
    return sum(_most_points(component) for component in components.values())


def _score_bands(value: object, path: str, max_score: int) -> tuple[ScoreBand, ...]:
    bands = []
    for index, entry in enumerate(schema.sequence(value, path)):
        at = f"{path}[{index}]"
        entry = schema.mapping(entry, at)
        schema.expect_keys(entry, at, ("band",), ("min_score", "max_score"))
        bands.append(ScoreBand(
            band=Band(schema.choice(entry["band"], join(at, "band"), MATRIX_BAND_KEYS, "band")),
            min_score=schema.integer(entry["min_score"], join(at, "min_score")) if "min_score" in entry else None,
            max_score=schema.integer(entry["max_score"], join(at, "max_score")) if "max_score" in entry else None,
        ))
    # Every reachable score must give exactly one band, or the band would depend on list order.
    for score in range(max_score + 1):
        matches = [band for band in bands if band.contains(score)]
        if len(matches) != 1:
            raise RulesFileError(path, f"score {score} falls in {len(matches)} bands; exactly one expected")
    return tuple(bands)


def _unknown_band(value: object, path: str, catalogue: Catalogue):
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("evaluate_as", "notice"))
    evaluated_as = Band(schema.choice(node["evaluate_as"], join(path, "evaluate_as"), MATRIX_BAND_KEYS, "band"))
    return evaluated_as, schema.reason_template(node["notice"], join(path, "notice"), catalogue)


def _overtraining(value: object, catalogue: Catalogue) -> OvertrainingSettings:
    path = "overtraining"
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("signals", "symptoms", "levels"))
    signals_path = join(path, "signals")
    signals = schema.mapping(node["signals"], signals_path)
    schema.expect_keys(signals, signals_path, tuple(SIGNAL_CRITERIA))
    symptoms = _explained(SymptomCriterion, node["symptoms"], join(path, "symptoms"), catalogue)
    levels_path = join(path, "levels")
    levels = schema.mapping(node["levels"], levels_path)
    schema.expect_keys(levels, levels_path, OVERTRAINING_LEVELS)
    return OvertrainingSettings(
        signals=_frozen({name: Signal(*_explained(criteria, signals[name], join(signals_path, name), catalogue))
                         for name, criteria in SIGNAL_CRITERIA.items()}),
        symptoms=symptoms[0],
        symptom_reason=symptoms[1],
        levels=_frozen({level: schema.reason_template(levels[level], join(levels_path, level), catalogue)
                        for level in OVERTRAINING_LEVELS}),
    )


def _explained(criteria_class: type, value: object, path: str, catalogue: Catalogue):
    """Read ``{criteria: {...}, id, text, cite, evidence}``: thresholds plus how they are explained."""
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("criteria", "id", "text", "cite", "evidence"))
    criteria = schema.settings(criteria_class, node["criteria"], join(path, "criteria"))
    explanation = {key: entry for key, entry in node.items() if key != "criteria"}
    return criteria, schema.reason_template(explanation, path, catalogue)


def _screening(value: object, catalogue: Catalogue) -> ScreeningSettings:
    path = "screening"
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("findings_expire", "reported_red_flag"))
    expiring_path = join(path, "findings_expire")
    expiring = schema.mapping(node["findings_expire"], expiring_path)
    findings = {}
    for flag, entry in expiring.items():
        entry_path = join(expiring_path, flag)
        schema.choice(flag, entry_path, tuple(catalogue.flags), "flag")
        entry = schema.mapping(entry, entry_path)
        schema.expect_keys(entry, entry_path, ("after_hours", "id", "text", "cite", "evidence"))
        explanation = {key: value for key, value in entry.items() if key != "after_hours"}
        after_hours = schema.number(entry["after_hours"], join(entry_path, "after_hours"))
        if after_hours <= 0:
            raise RulesFileError(join(entry_path, "after_hours"), "must be more than 0")
        findings[flag] = FindingExpiry(after_hours, schema.reason_template(explanation, entry_path, catalogue))
    reported = schema.reason_template(node["reported_red_flag"], join(path, "reported_red_flag"), catalogue,
                                      allow_flag_placeholder=True)
    return ScreeningSettings(findings_expire=_frozen(findings), reported_red_flag=reported)


def _phase_matrix(matrix_value: object, reasons_value: object, catalogue: Catalogue):
    """Return (phase, band, modality) → reason, joining the verdict table with its explanations."""
    verdicts = _matrix_verdicts(matrix_value, catalogue.modalities)
    reasons_root = schema.mapping(reasons_value, "matrix_reasons")
    schema.expect_keys(reasons_root, "matrix_reasons", PHASE_KEYS)
    result = {}
    for phase in PHASE_KEYS:
        phase_path = join("matrix_reasons", phase)
        by_modality = schema.mapping(reasons_root[phase], phase_path)
        schema.expect_keys(by_modality, phase_path, catalogue.modalities)
        for modality in catalogue.modalities:
            used = {verdicts[phase, band, modality] for band in MATRIX_BAND_KEYS}
            templates = _matrix_reasons_for(by_modality[modality], join(phase_path, modality), used, catalogue)
            for band in MATRIX_BAND_KEYS:
                result[Phase[phase.upper()], Band(band), modality] = templates[verdicts[phase, band, modality]]
    return _frozen(result)


def _matrix_verdicts(value: object, modalities: tuple[str, ...]) -> dict[tuple[str, str, str], str]:
    root = schema.mapping(value, "phase_matrix")
    schema.expect_keys(root, "phase_matrix", PHASE_KEYS)
    verdicts = {}
    for phase in PHASE_KEYS:
        phase_path = join("phase_matrix", phase)
        by_band = schema.mapping(root[phase], phase_path)
        schema.expect_keys(by_band, phase_path, MATRIX_BAND_KEYS)
        for band in MATRIX_BAND_KEYS:
            band_path = join(phase_path, band)
            row = schema.mapping(by_band[band], band_path)
            schema.expect_keys(row, band_path, modalities)
            for modality in modalities:
                verdicts[phase, band, modality] = schema.verdict(row[modality], join(band_path, modality)).key
    return verdicts


def _matrix_reasons_for(value: object, path: str, used: set[str], catalogue: Catalogue):
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, sorted(used))
    return {key: schema.reason_template(node[key], join(path, key), catalogue,
                                        verdict_value=schema.verdict(key, path)) for key in used}


def _rules(value: object, catalogue: Catalogue) -> tuple[Rule, ...]:
    node = schema.mapping(value, "rules")
    rules = tuple(_rule(rule_id, entry, join("rules", rule_id), catalogue) for rule_id, entry in node.items())
    _check_referrals(rules, catalogue)
    return rules


def _rule(rule_id: object, value: object, path: str, catalogue: Catalogue) -> Rule:
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, ("step", "modalities", "verdict", "text", "cite", "evidence"), ("when", "urgency"))
    when = read_when(node.get("when", {}), join(path, "when"), catalogue)
    explanation = {key: node[key] for key in ("text", "cite", "evidence")}
    step = schema.choice(node["step"], join(path, "step"), STEPS, "step")
    urgency = None
    if "urgency" in node:
        urgency = schema.choice(node["urgency"], join(path, "urgency"), URGENCIES, "urgency")
        if step != "red_flag" or len(when.get("flag_any", ())) != 1:
            raise RulesFileError(join(path, "urgency"), "only a red_flag rule of one flag (flag_any) has an urgency")
    return Rule(
        step=step,
        modalities=schema.choices(node["modalities"], join(path, "modalities"), catalogue.modalities, "modality"),
        when=_frozen(when),
        reason=schema.reason_template(
            {"id": rule_id, **explanation}, path, catalogue,
            verdict_value=schema.verdict(node["verdict"], join(path, "verdict"), allow_note=True),
            allow_flag_placeholder=has_flag_selector(when),
        ),
        urgency=urgency,
    )


def _check_referrals(rules: tuple[Rule, ...], catalogue: Catalogue) -> None:
    """Require exactly one referral rule (a rule with an urgency) per red flag, and none for other flags."""
    referred = [flag for rule in rules if rule.urgency is not None for flag in rule.when["flag_any"]]
    for flag in referred:
        if not catalogue.flags[flag].red_flag:
            raise RulesFileError("rules", f"{flag!r} has a referral rule but is no red flag")
    for name, flag in catalogue.flags.items():
        if flag.red_flag and referred.count(name) != 1:
            raise RulesFileError("rules", f"red flag {name!r} needs exactly one rule with an urgency, "
                                          f"has {referred.count(name)}")
