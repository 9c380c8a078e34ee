"""The outcome measures a care episode tracks, their ranges and how their raw answers are scored.

- ``nprs``: Numeric Pain Rating Scale, one whole number, 0 (no pain) … 10 (worst pain imaginable).
- ``psk``: Patiënt Specifieke Klachten / Patient-Specific Functional Scale (Stratford 1995): one to
  three activities the patient chooses, each 0 (cannot do it) … 10 (can do it as before the
  complaint); the score is their mean. The Dutch PSK of Beurskens (1996) asks for the *difficulty*
  (0 = none); the forms here use the PSFS direction, so that for every measure but pain higher is better.
- ``groc``: Global Rating of Change (Jaeschke 1989), the 15-point scale −7 (a very great deal worse)
  … 0 (about the same) … +7 (a very great deal better), asked about the change since the episode began.
- ``lefs``: Lower Extremity Functional Scale (Binkley 1999), 20 activities each 0 (extreme difficulty
  or unable) … 4 (no difficulty), the score is their sum, 0–80. The region-specific questionnaire:
  validated, free of charge for clinical use (published in Phys Ther 1999, no licence fee or permission
  needed, unlike the Oswestry Disability Index, which is licensed through Mapi Research Trust), short, and
  it fits the clinic's athletes, most of whose complaints are in the legs. It is shown only in validated
  wordings (``LEFS_WORDINGS``). The chiropractor chooses per episode whether the patient answers it.
"""
from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass


class Measure(str, enum.Enum):
    NPRS = "nprs"
    PSK = "psk"
    GROC = "groc"
    LEFS = "lefs"


@dataclass(frozen=True)
class Scale:
    """The range of a measure's score (and of each answer, for a questionnaire)."""

    low: int
    high: int
    # True when a higher score means the patient is better off (all but pain).
    higher_is_better: bool = True
    item_low: int | None = None
    item_high: int | None = None
    max_items: int | None = None


LEFS_ITEM_COUNT = 20
SCALES: dict[Measure, Scale] = {
    Measure.NPRS: Scale(0, 10, higher_is_better=False),
    Measure.PSK: Scale(0, 10, item_low=0, item_high=10, max_items=3),
    Measure.GROC: Scale(-7, 7),
    Measure.LEFS: Scale(0, 80, item_low=0, item_high=4, max_items=LEFS_ITEM_COUNT),
}
PSK_ACTIVITY_MAX_LENGTH = 80


@dataclass(frozen=True)
class Wording:
    """A questionnaire's text in one language: its instruction, its items in order and what each answer means."""

    language: str
    instruction: str
    items: tuple[str, ...]
    answers: tuple[str, ...]
    source: str


# Only validated wordings: the published minimal important change (9 points) holds for them alone, so a
# translation of our own would make a patient's scores incomparable. The Dutch LEFS (Hoogeboom et al.,
# BMC Musculoskelet Disord 2012;13:117, its additional file, CC-BY) goes here as "nl", word for word,
# when its text is at hand; until then Dutch pages show the original and say so.
LEFS_WORDINGS: dict[str, Wording] = {
    "en": Wording(
        language="en",
        instruction="We are interested in knowing whether you are having any difficulty at all with the "
                    "activities listed below because of your lower limb problem for which you are currently "
                    "seeking attention. Please provide an answer for each activity. Today, do you or would "
                    "you have any difficulty at all with:",
        items=(
            "Any of your usual work, housework or school activities",
            "Your usual hobbies, recreational or sporting activities",
            "Getting into or out of the bath",
            "Walking between rooms",
            "Putting on your shoes or socks",
            "Squatting",
            "Lifting an object, like a bag of groceries, from the floor",
            "Performing light activities around your home",
            "Performing heavy activities around your home",
            "Getting into or out of a car",
            "Walking 2 blocks",
            "Walking a mile",
            "Going up or down 10 stairs (about 1 flight of stairs)",
            "Standing for 1 hour",
            "Sitting for 1 hour",
            "Running on even ground",
            "Running on uneven ground",
            "Making sharp turns while running fast",
            "Hopping",
            "Rolling over in bed",
        ),
        answers=(
            "Extreme difficulty or unable to perform activity",
            "Quite a bit of difficulty",
            "Moderate difficulty",
            "A little bit of difficulty",
            "No difficulty",
        ),
        source="Binkley JM et al., Phys Ther 1999;79:371–383",
    ),
}
LEFS_ORIGINAL = "en"


def lefs_wording(language: str) -> Wording:
    """Return the validated LEFS in ``language``, or the original (English) when there is none in it."""
    return LEFS_WORDINGS.get(language, LEFS_WORDINGS[LEFS_ORIGINAL])


# LEFS answers this low mean quite a bit of difficulty or worse: the activities to work on.
LEFS_HARD = 1


def hardest_lefs_items(answers: Sequence[int], at_most: int = 3) -> list[int]:
    """Return the positions (0-based) of the LEFS items answered with at most quite a bit of difficulty,
    hardest first and then in the questionnaire's order; at most ``at_most`` of them."""
    hard = [position for position, answer in enumerate(answers) if answer <= LEFS_HARD]
    return sorted(hard, key=lambda position: answers[position])[:at_most]


class RegionQuestionnaire(str, enum.Enum):
    """The region-specific questionnaire a patient answers with their pain and activities, chosen per episode."""

    LEFS = "lefs"


@dataclass(frozen=True)
class PskItem:
    activity: str
    score: int


@dataclass(frozen=True)
class Entry:
    """What was entered for one measurement: a single value (nprs, groc), activities (psk) or answers (lefs)."""

    measure: Measure
    value: int | None = None
    items: Sequence[PskItem] = ()
    answers: Sequence[int | None] = ()


def _in(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def problems(entry: Entry) -> dict[str, str]:
    """Return what is wrong with ``entry``, keyed by the dotted field (``items.0.score``); empty when valid."""
    scale = SCALES[entry.measure]
    if entry.measure in (Measure.NPRS, Measure.GROC):
        return {} if _in(entry.value, scale.low, scale.high) else {"value": f"out_of_range({scale.low}..{scale.high})"}
    if entry.measure is Measure.PSK:
        if not 1 <= len(entry.items) <= scale.max_items:
            return {"items": f"choose_1_to_{scale.max_items}_activities"}
        found = {}
        for index, item in enumerate(entry.items):
            if not item.activity.strip():
                found[f"items.{index}.activity"] = "required"
            elif len(item.activity.strip()) > PSK_ACTIVITY_MAX_LENGTH:
                found[f"items.{index}.activity"] = "too_long"
            if not _in(item.score, scale.item_low, scale.item_high):
                found[f"items.{index}.score"] = f"out_of_range({scale.item_low}..{scale.item_high})"
        return found
    if len(entry.answers) != scale.max_items:
        return {"answers": f"answer_all_{scale.max_items}"}
    return {f"answers.{index}": "required" if answer is None else f"out_of_range({scale.item_low}..{scale.item_high})"
            for index, answer in enumerate(entry.answers) if not _in(answer, scale.item_low, scale.item_high)}


def score(entry: Entry) -> float:
    """Return the score of a valid ``entry``: the value, the mean of the activities (psk) or the sum (lefs)."""
    if entry.measure is Measure.PSK:
        return round(sum(item.score for item in entry.items) / len(entry.items), 2)
    if entry.measure is Measure.LEFS:
        return float(sum(entry.answers))
    return float(entry.value)
