"""The derived state of one patient at one instant that the decision rules are evaluated against."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .inputs import FlagCheck
from .regions import Place
from .states import Band, Phase, ScreeningStatus


@dataclass(frozen=True)
class Situation:
    """Phase, tolerance, screening and competition timing, as the rules see them.

    ``flags`` hold the local findings of the places ``treated`` only (none: the regions without a
    local finding); a finding of another region is left out.
    """

    screening_status: ScreeningStatus

    phase: Phase
    band: Band
    effective_band: Band
    worst_doms: float | None
    doms_region: str | None
    flags: Mapping[str, FlagCheck]
    indications: frozenset[str]
    hours_to_competition: float | None
    overtraining_level: int
    treated: tuple[Place, ...] = ()
