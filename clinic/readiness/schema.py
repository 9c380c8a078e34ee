"""Typed readers for the rules file; every problem is reported with its key path."""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import fields, is_dataclass
from typing import get_args, get_origin, get_type_hints

from .reasons import FLAG_PLACEHOLDER, ReasonTemplate, Text
from .verdicts import Verdict

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


class RulesFileError(ValueError):
    """The rules file is malformed; ``path`` names the offending key, e.g. ``rules.DN-ACUTE.verdict``."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def join(path: str, key: object) -> str:
    """Return the key path of ``key`` inside ``path``."""
    return f"{path}.{key}" if path else str(key)


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def mapping(value: object, path: str) -> dict:
    """Return ``value`` if it is a mapping."""
    if not isinstance(value, dict):
        raise RulesFileError(path, f"expected a mapping, got {_describe(value)}")
    return value


def sequence(value: object, path: str) -> list:
    """Return ``value`` if it is a list."""
    if not isinstance(value, list):
        raise RulesFileError(path, f"expected a list, got {_describe(value)}")
    return value


def expect_keys(node: dict, path: str, required: Collection[str], optional: Collection[str] = ()) -> None:
    """Raise unless ``node`` has every required key and nothing unknown."""
    for key in node:
        if key not in required and key not in optional:
            expected = ", ".join(sorted(str(name) for name in [*required, *optional]))
            raise RulesFileError(join(path, key), f"unknown key (expected one of: {expected})")
    for key in required:
        if key not in node:
            raise RulesFileError(join(path, key), "missing required key")


def number(value: object, path: str) -> float:
    """Return ``value`` as a float if it is an int or a float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RulesFileError(path, f"expected a number, got {_describe(value)}")
    return float(value)


def integer(value: object, path: str) -> int:
    """Return ``value`` if it is an int (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesFileError(path, f"expected an integer, got {_describe(value)}")
    return value


def boolean(value: object, path: str) -> bool:
    """Return ``value`` if it is true or false."""
    if not isinstance(value, bool):
        raise RulesFileError(path, f"expected true or false, got {_describe(value)}")
    return value


def string(value: object, path: str) -> str:
    """Return ``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise RulesFileError(path, f"expected a non-empty string, got {_describe(value)}")
    return value


def choice(value: object, path: str, known: Collection[str], what: str) -> str:
    """Return ``value`` if it is one of the ``known`` names."""
    if not isinstance(value, str) or value not in known:
        raise RulesFileError(path, f"unknown {what} {value!r} (expected one of: {', '.join(known)})")
    return value


def choices(value: object, path: str, known: Collection[str], what: str) -> tuple[str, ...]:
    """Return a non-empty list of ``known`` names without repeats."""
    items = sequence(value, path)
    if not items:
        raise RulesFileError(path, f"expected at least one {what}")
    names = tuple(choice(item, f"{path}[{index}]", known, what) for index, item in enumerate(items))
    if len(set(names)) != len(names):
        raise RulesFileError(path, f"repeated {what}")
    return names


def verdict(value: object, path: str, *, allow_note: bool = False) -> Verdict | None:
    """Return the named verdict; ``null`` means a note when ``allow_note``."""
    if value is None and allow_note:
        return None
    if not isinstance(value, str):
        raise RulesFileError(path, f"expected a verdict name, got {_describe(value)}")
    try:
        return Verdict.from_key(value)
    except ValueError:
        raise RulesFileError(path, f"unknown verdict {value!r}") from None


def text(value: object, path: str, *, allow_flag_placeholder: bool = False) -> Text:
    """Return a Dutch/English text pair; both translations are required."""
    node = mapping(value, path)
    for language in ("nl", "en"):
        if language not in node:
            raise RulesFileError(join(path, language), "missing translation")
    expect_keys(node, path, ("nl", "en"))
    nl, en = string(node["nl"], join(path, "nl")), string(node["en"], join(path, "en"))
    for language, phrase in (("nl", nl), ("en", en)):
        _check_placeholders(phrase, join(path, language), allow_flag_placeholder)
    return Text(nl, en)


def _check_placeholders(phrase: str, path: str, allow_flag_placeholder: bool) -> None:
    for placeholder in _PLACEHOLDER.findall(phrase):
        if placeholder != FLAG_PLACEHOLDER or not allow_flag_placeholder:
            raise RulesFileError(path, f"placeholder {placeholder} is not available here")


def labels(value: object, path: str, *, exactly: Collection[str] | None = None) -> dict[str, Text]:
    """Return a mapping of names to Dutch/English labels."""
    node = mapping(value, path)
    if exactly is not None:
        expect_keys(node, path, exactly)
    return {string(name, path): text(label, join(path, name)) for name, label in node.items()}


def citations(value: object, path: str, references: Collection[str]) -> tuple[str, ...]:
    """Return citation keys, each of which must be in the references list."""
    keys = sequence(value, path)
    for index, key in enumerate(keys):
        if key not in references:
            raise RulesFileError(f"{path}[{index}]", f"unknown citation key {key!r} (not in references)")
    return tuple(keys)


def reason_template(value: object, path: str, catalogue: Catalogue, *, verdict_value: Verdict | None = None,
                    allow_flag_placeholder: bool = False) -> ReasonTemplate:
    """Return a reason written as ``{id, text, cite, evidence}`` with a verdict decided by its context."""
    node = mapping(value, path)
    expect_keys(node, path, ("id", "text", "cite", "evidence"))
    return ReasonTemplate(
        rule=catalogue.claim_rule_id(node["id"], join(path, "id")),
        verdict=verdict_value,
        text=text(node["text"], join(path, "text"), allow_flag_placeholder=allow_flag_placeholder),
        cite=citations(node["cite"], join(path, "cite"), catalogue.references),
        evidence=choice(node["evidence"], join(path, "evidence"), catalogue.evidence_labels, "evidence label"),
    )


class Catalogue:
    """The names defined early in the file that later sections refer to."""

    def __init__(self, *, modalities: dict[str, Text], references: dict[str, str],
                 evidence_labels: tuple[str, ...], flags: dict, indications: dict[str, Text],
                 regions: tuple[str, ...]) -> None:
        self.modality_labels = modalities
        self.reference_texts = references
        self.indication_labels = indications
        self.modalities = tuple(modalities)
        self.references = frozenset(references)
        self.evidence_labels = evidence_labels
        self.flags = flags
        self.indications = tuple(indications)
        self.regions = regions
        self._rule_ids: set[str] = set()

    def claim_rule_id(self, value: object, path: str) -> str:
        """Return a rule id, refusing one already used elsewhere in the file."""
        rule_id = string(value, path)
        if rule_id in self._rule_ids:
            raise RulesFileError(path, f"duplicate rule id {rule_id!r}")
        self._rule_ids.add(rule_id)
        return rule_id


def settings(cls: type, value: object, path: str):
    """Return the dataclass ``cls`` read from a mapping whose keys are its fields.

    Field types drive the checks: int, float, bool, str, nested dataclasses and tuples of them.
    A ``ValueError`` from the dataclass's own invariants is reported at ``path``.
    """
    node = mapping(value, path)
    names = [field.name for field in fields(cls)]
    expect_keys(node, path, names)
    hints = get_type_hints(cls)
    values = {name: _typed(hints[name], node[name], join(path, name)) for name in names}
    try:
        return cls(**values)
    except ValueError as exc:
        raise RulesFileError(path, str(exc)) from None


def _typed(hint: object, value: object, path: str):
    readers = {bool: boolean, int: integer, float: number, str: string}
    if hint in readers:
        return readers[hint](value, path)
    if is_dataclass(hint):
        return settings(hint, value, path)
    if get_origin(hint) is tuple:
        item_hint = get_args(hint)[0]
        return tuple(_typed(item_hint, item, f"{path}[{index}]") for index, item in enumerate(sequence(value, path)))
    raise TypeError(f"no reader for {hint!r} at {path}")
