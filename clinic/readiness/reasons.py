"""Bilingual texts and the reasons a verdict gives."""
from __future__ import annotations

from dataclasses import dataclass

from .verdicts import Verdict

FLAG_PLACEHOLDER = "{flag}"


@dataclass(frozen=True)
class Text:
    """A text in Dutch (patient-facing first) and English."""

    nl: str
    en: str

    def to_dict(self) -> dict:
        """Return ``{"nl": ..., "en": ...}``."""
        return {"nl": self.nl, "en": self.en}


@dataclass(frozen=True)
class Reason:
    """One triggered rule: why a verdict (or, with ``verdict=None``, a note) applies."""

    rule: str
    verdict: Verdict | None
    text: Text
    cite: tuple[str, ...]
    evidence: str
    region: str | None = None

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {
            "rule": self.rule,
            "verdict": self.verdict.key if self.verdict is not None else None,
            "text": self.text.to_dict(),
            "cite": list(self.cite),
            "evidence": self.evidence,
            "region": self.region,
        }


@dataclass(frozen=True)
class ReasonTemplate:
    """A reason as written in the rules file, before a flag label or region is filled in."""

    rule: str
    verdict: Verdict | None
    text: Text
    cite: tuple[str, ...]
    evidence: str

    def instantiate(self, *, flag_label: Text | None = None, region: str | None = None) -> Reason:
        """Return the reason, naming the matched flag and the body region it concerns."""
        text = self.text
        if flag_label is not None:
            text = Text(text.nl.replace(FLAG_PLACEHOLDER, flag_label.nl),
                        text.en.replace(FLAG_PLACEHOLDER, flag_label.en))
        if region is not None:
            text = Text(f"{text.nl} (regio: {region})", f"{text.en} (region: {region})")
        return Reason(self.rule, self.verdict, text, self.cite, self.evidence, region)
