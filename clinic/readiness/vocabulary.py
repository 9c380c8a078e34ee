"""The names the rules file knows, with Dutch and English labels, for forms and API validation."""
from __future__ import annotations

from collections.abc import Mapping

from .reasons import Text
from .rulebook import ComplaintDefinition, FlagDefinition, Rules
from .rules_file import default_rules


def screening_flags(rules: Rules | None = None) -> Mapping[str, FlagDefinition]:
    """Return the known screening flags: label, whether local (region) and whether a red flag."""
    return (rules or default_rules()).flags


def indications(rules: Rules | None = None) -> Mapping[str, Text]:
    """Return the known clinical indications and their labels."""
    return (rules or default_rules()).indications


def complaints(rules: Rules | None = None) -> Mapping[str, ComplaintDefinition]:
    """Return the known check-in complaints, their labels and kinds."""
    return (rules or default_rules()).complaints


def modalities(rules: Rules | None = None) -> Mapping[str, Text]:
    """Return the assessed modalities and their labels."""
    return (rules or default_rules()).modalities
