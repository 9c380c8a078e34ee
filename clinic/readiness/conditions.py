"""The condition vocabulary of ``rules.when``: how each condition is read and when it holds.

A rule fires when all its conditions hold. Flag conditions also *select* flags: the rule gives
one reason per selected flag that is present, naming the flag and its body region.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import schema
from .schema import Catalogue, RulesFileError
from .situation import Situation
from .states import MATRIX_BAND_KEYS, PHASE_KEYS, SCREENING_STATUS_KEYS, Band, Phase, ScreeningStatus

FLAG_SELECTORS = ("any_red_flag", "flag_any")


@dataclass(frozen=True)
class ConditionKind:
    """How one condition is read from the rules file and tested against a situation."""

    read: Callable[[object, str, Catalogue], object]
    holds: Callable[[object, Situation], bool]


def _read_phases(value: object, path: str, catalogue: Catalogue) -> frozenset[Phase]:
    return frozenset(Phase[key.upper()] for key in schema.choices(value, path, PHASE_KEYS, "phase"))


def _read_bands(value: object, path: str, catalogue: Catalogue) -> frozenset[Band]:
    return frozenset(Band(key) for key in schema.choices(value, path, MATRIX_BAND_KEYS, "band"))


def _read_screening(value: object, path: str, catalogue: Catalogue) -> frozenset[ScreeningStatus]:
    return frozenset(ScreeningStatus(key) for key in schema.choices(value, path, SCREENING_STATUS_KEYS, "screening status"))


def _read_red_flags(value: object, path: str, catalogue: Catalogue) -> frozenset[str]:
    if value is not True:
        raise RulesFileError(path, "any_red_flag can only be true")
    return frozenset(name for name, flag in catalogue.flags.items() if flag.red_flag)


def _read_flags(value: object, path: str, catalogue: Catalogue) -> frozenset[str]:
    return frozenset(schema.choices(value, path, tuple(catalogue.flags), "flag"))


def _read_indication(value: object, path: str, catalogue: Catalogue) -> str:
    return schema.choice(value, path, catalogue.indications, "indication")


def _read_regions(value: object, path: str, catalogue: Catalogue) -> frozenset[str]:
    return frozenset(schema.choices(value, path, catalogue.regions, "region"))


def _treats_region(regions: frozenset[str], situation: Situation) -> bool:
    return any(place.may_be_in(regions) for place in situation.treated)


def _read_number(value: object, path: str, catalogue: Catalogue) -> float:
    return schema.number(value, path)


def _read_level(value: object, path: str, catalogue: Catalogue) -> int:
    level = schema.integer(value, path)
    if not 1 <= level <= 3:
        raise RulesFileError(path, f"overtraining levels run from 1 to 3, got {level}")
    return level


def _any_flag_present(names: frozenset[str], situation: Situation) -> bool:
    return any(name in situation.flags for name in names)


def _hours_to_competition_lt(hours: float, situation: Situation) -> bool:
    return situation.hours_to_competition is not None and situation.hours_to_competition < hours


def _hours_to_competition_gte(hours: float, situation: Situation) -> bool:
    return situation.hours_to_competition is not None and situation.hours_to_competition >= hours


CONDITIONS: dict[str, ConditionKind] = {
    "phase": ConditionKind(_read_phases, lambda phases, s: s.phase in phases),
    "band": ConditionKind(_read_bands, lambda bands, s: s.effective_band in bands),
    "screening": ConditionKind(_read_screening, lambda statuses, s: s.screening_status in statuses),
    "any_red_flag": ConditionKind(_read_red_flags, _any_flag_present),
    "flag_any": ConditionKind(_read_flags, _any_flag_present),
    "indication_absent": ConditionKind(_read_indication, lambda name, s: name not in s.indications),
    "doms_gte": ConditionKind(_read_number, lambda gte, s: s.worst_doms is not None and s.worst_doms >= gte),
    "competition_hours_lt": ConditionKind(_read_number, _hours_to_competition_lt),
    "competition_hours_gte": ConditionKind(_read_number, _hours_to_competition_gte),
    "overtraining_level_gte": ConditionKind(_read_level, lambda level, s: s.overtraining_level >= level),
    # A place treated (named in the note) that is, or may be, one of these regions.
    "treated_region_any": ConditionKind(_read_regions, _treats_region),
}


def read_when(value: object, path: str, catalogue: Catalogue) -> dict[str, object]:
    """Return the conditions of one rule, each read by its kind."""
    node = schema.mapping(value, path)
    schema.expect_keys(node, path, (), CONDITIONS)
    if all(selector in node for selector in FLAG_SELECTORS):
        raise RulesFileError(path, "use either any_red_flag or flag_any, not both")
    return {name: CONDITIONS[name].read(raw, schema.join(path, name), catalogue) for name, raw in node.items()}


def all_hold(when: dict[str, object], situation: Situation) -> bool:
    """Tell whether every condition holds in ``situation``."""
    return all(CONDITIONS[name].holds(value, situation) for name, value in when.items())


def selected_flags(when: dict[str, object], situation: Situation) -> list[str] | None:
    """Return the present flags a rule selects (sorted), or None when it has no flag condition."""
    for selector in FLAG_SELECTORS:
        if selector in when:
            return sorted(name for name in when[selector] if name in situation.flags)
    return None


def has_flag_selector(when: dict[str, object]) -> bool:
    """Tell whether a rule names the flag it matched (and may use the {flag} placeholder)."""
    return any(selector in when for selector in FLAG_SELECTORS)
