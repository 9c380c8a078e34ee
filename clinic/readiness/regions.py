"""Body regions: which local finding concerns which treated region.

Regions are typed as free text ("linker kuit", "lower back"). The rules file's ``regions`` section
names the body regions and the words that name them in Dutch and English; a text that names one of
them, with an optional side (left/right), is recognised. Two texts concern the same place unless
both are recognised as different regions or different sides: what cannot be told apart counts as
the same place, so a local finding is never lost to a spelling.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SIDES = {"left": "left", "links": "left", "linker": "left", "linkse": "left",
         "right": "right", "rechts": "right", "rechter": "right", "rechtse": "right"}
# Dutch writes the side into the word: "linkerkuit", "rechterknie".
SIDE_PREFIXES = {"linker": "left", "rechter": "right"}


def normalise(text: str) -> str:
    """Return ``text`` lower-cased with hyphens and runs of spaces as single spaces."""
    return " ".join(text.casefold().replace("-", " ").replace("/", " ").split())


@dataclass(frozen=True)
class Place:
    """A region as typed, and what it was recognised as (``region`` None: not recognised)."""

    text: str
    region: str | None
    side: str | None

    def same_as(self, other: Place) -> bool:
        """Tell whether the two may be the same place (unrecognised texts may always be)."""
        if normalise(self.text) == normalise(other.text) or self.region is None or other.region is None:
            return True
        return self.region == other.region and (self.side is None or other.side is None or self.side == other.side)

    def may_be_in(self, regions: Iterable[str]) -> bool:
        """Tell whether this place may lie in one of ``regions`` (an unrecognised one may)."""
        return self.region is None or self.region in regions


def _words_and_side(text: str) -> tuple[list[str], str | None]:
    words, side = [], None
    for word in normalise(text).split():
        if word in SIDES:
            side = SIDES[word]
            continue
        prefix = next((prefix for prefix in SIDE_PREFIXES if word.startswith(prefix) and word != prefix), None)
        if prefix:
            side, word = SIDE_PREFIXES[prefix], word[len(prefix):]
        words.append(word)
    return words, side


def place(text: str, terms: Mapping[str, str]) -> Place:
    """Recognise the region ``text`` names, given ``terms`` (normalised term → region key).

    The region is recognised when the terms found in the text (as whole words) all name one region.
    """
    words, side = _words_and_side(text)
    phrase = f" {' '.join(words)} "
    found = {region for term, region in terms.items() if f" {term} " in phrase}
    return Place(text, found.pop() if len(found) == 1 else None, side)


def fixed_places(regions: Iterable[str]) -> tuple[Place, ...]:
    """Return the places of known region keys (what a modality always treats, e.g. the spine)."""
    return tuple(Place(region, region, None) for region in regions)
