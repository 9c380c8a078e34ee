"""What the readiness engine returns: frozen values with a JSON-ready ``to_dict``."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from .reasons import Reason
from .states import Band, Phase, ScreeningStatus
from .verdicts import Verdict


def _rounded(value: float | None, digits: int) -> float | None:
    # Adding 0.0 turns a rounded -0.0 into 0.0, which reads better in JSON.
    return None if value is None else round(float(value), digits) + 0.0


@dataclass(frozen=True)
class LoadSummary:
    """Training load today: EWMA acute and chronic load (AU/day), their ratio, monotony and strain."""

    today: float
    acute: float | None
    chronic: float | None
    acwr: float | None
    monotony: float | None
    strain: float | None

    def to_dict(self) -> dict:
        """Return JSON-ready data; None marks insufficient data."""
        return {"today": _rounded(self.today, 1), "acute": _rounded(self.acute, 1),
                "chronic": _rounded(self.chronic, 1), "acwr": _rounded(self.acwr, 2),
                "monotony": _rounded(self.monotony, 2), "strain": _rounded(self.strain, 0)}


@dataclass(frozen=True)
class HrvSummary:
    """7-day mean of ln(RMSSD), the athlete's baseline and the z-score against it."""

    ln_rmssd_7d: float | None
    baseline_mean: float | None
    baseline_sd: float | None
    z: float | None

    def to_dict(self) -> dict:
        """Return JSON-ready data; None marks insufficient data."""
        return {"ln_rmssd_7d": _rounded(self.ln_rmssd_7d, 3), "baseline_mean": _rounded(self.baseline_mean, 3),
                "baseline_sd": _rounded(self.baseline_sd, 3), "z": _rounded(self.z, 2)}


@dataclass(frozen=True)
class HooperSummary:
    """Today's Hooper index (4–28, higher = worse), the athlete's baseline and the z-score."""

    index: int | None
    baseline_mean: float | None
    baseline_sd: float | None
    z: float | None

    def to_dict(self) -> dict:
        """Return JSON-ready data; None marks insufficient data."""
        return {"index": self.index, "baseline_mean": _rounded(self.baseline_mean, 2),
                "baseline_sd": _rounded(self.baseline_sd, 2), "z": _rounded(self.z, 2)}


@dataclass(frozen=True)
class ToleranceComponent:
    """One row of the load-tolerance points table; ``points`` is None when data are insufficient."""

    name: str
    value: float | None
    points: int | None

    @property
    def is_missing(self) -> bool:
        """Tell whether this component had too little data to score."""
        return self.points is None

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"value": _rounded(self.value, 2), "points": self.points,
                "status": "insufficient_data" if self.is_missing else "scored"}


@dataclass(frozen=True)
class LoadTolerance:
    """The belastbaarheid band, the points behind it and the band the rules evaluated it as."""

    band: Band
    evaluated_as: Band
    score: int
    components: tuple[ToleranceComponent, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Return the names of the components that could not be scored."""
        return tuple(component.name for component in self.components if component.is_missing)

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"band": self.band.key, "evaluated_as": self.evaluated_as.key, "score": self.score,
                "components": {component.name: component.to_dict() for component in self.components},
                "missing": list(self.missing)}


@dataclass(frozen=True)
class Measurement:
    """A value behind a warning signal and the threshold it crossed, e.g. ``acwr`` 1.62 ``>=`` 1.5 on a day.

    ``quantity`` says what the number is (``acwr``, ``hrv_z``, ``hooper_z``, ``fatigue``, ``monotony``,
    ``strain``, ``doms``, ``days_since_session``, ``complaint_days``); ``on`` the day it was reached,
    ``days`` of ``of_days`` on how many recent days it held.
    """

    quantity: str
    value: float
    comparison: str
    threshold: float
    on: date | None = None
    days: int | None = None
    of_days: int | None = None

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"quantity": self.quantity, "value": _rounded(self.value, 2), "comparison": self.comparison,
                "threshold": _rounded(self.threshold, 2), "on": None if self.on is None else self.on.isoformat(),
                "days": self.days, "of_days": self.of_days}


@dataclass(frozen=True)
class OvertrainingAssessment:
    """Insufficient-recovery warning level 0–3, the signals present (DOMAIN.md §5) and, per signal, the values behind it."""

    level: int
    signals: tuple[Reason, ...]
    measured: tuple[tuple[Measurement, ...], ...] = ()

    def signals_to_dict(self) -> list[dict]:
        """Return each signal's reason with the values behind it (``measured``)."""
        measured = self.measured or ((),) * len(self.signals)
        return [signal.to_dict() | {"measured": [measurement.to_dict() for measurement in values]}
                for signal, values in zip(self.signals, measured)]


@dataclass(frozen=True)
class ScreeningSummary:
    """Whether the patient was screened and when, when a full screening is due, and what to ask again."""

    status: ScreeningStatus
    checked_on: date | None
    due_on: date | None
    prompts: tuple[Reason, ...]

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"status": self.status.key,
                "checked_on": None if self.checked_on is None else self.checked_on.isoformat(),
                "due_on": None if self.due_on is None else self.due_on.isoformat(),
                "prompts": [prompt.to_dict() for prompt in self.prompts]}


@dataclass(frozen=True)
class RedFlagReferral:
    """A red flag present now: how urgently to refer (``urgent`` or ``gp``) and what the clinician is told."""

    flag: str
    urgency: str
    reported_in_check_in: bool
    reason: Reason

    def to_dict(self) -> dict:
        """Return JSON-ready data: the flag, its urgency and its referral reason."""
        return {"flag": self.flag, "urgency": self.urgency, "reported_in_check_in": self.reported_in_check_in,
                **self.reason.to_dict()}


@dataclass(frozen=True)
class ModalityAssessment:
    """A modality's verdict: the most restrictive of its reasons (notes carry no verdict)."""

    modality: str
    verdict: Verdict
    reasons: tuple[Reason, ...]

    @property
    def decisive_reasons(self) -> tuple[Reason, ...]:
        """Return the reasons whose verdict is the final one."""
        return tuple(reason for reason in self.reasons if reason.verdict == self.verdict)

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"verdict": self.verdict.key, "reasons": [reason.to_dict() for reason in self.reasons]}


@dataclass(frozen=True)
class RegionalAssessment:
    """The verdicts for one region with a local finding (a wound, a fracture, …) as recorded."""

    region: str
    modalities: Mapping[str, ModalityAssessment]

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"region": self.region,
                "modalities": {name: assessment.to_dict() for name, assessment in self.modalities.items()}}


@dataclass(frozen=True)
class TreatedAssessment:
    """A modality's verdict for the regions a note says it treated."""

    regions: tuple[str, ...]
    assessment: ModalityAssessment

    def to_dict(self) -> dict:
        """Return JSON-ready data."""
        return {"regions": list(self.regions), **self.assessment.to_dict()}


@dataclass(frozen=True)
class ReadinessResult:
    """Everything the engine concluded at one instant, with the rules version and an inputs digest.

    ``modalities`` hold for regions without a local finding; ``regions`` give the verdicts of each
    region with one, and ``treated`` those of the regions a note treated.
    """

    at: datetime
    phase: Phase
    recovery_factor: float
    hours_since_significant_session: float | None
    load: LoadSummary
    hrv: HrvSummary
    hooper: HooperSummary
    load_tolerance: LoadTolerance
    overtraining: OvertrainingAssessment
    screening: ScreeningSummary
    red_flags: tuple[RedFlagReferral, ...]
    modalities: Mapping[str, ModalityAssessment]
    regions: tuple[RegionalAssessment, ...]
    treated: Mapping[str, TreatedAssessment]
    notices: tuple[Reason, ...]
    rules_version: str
    inputs_digest: str

    @property
    def overtraining_level(self) -> int:
        """Return the insufficient-recovery warning level, 0–3."""
        return self.overtraining.level

    def to_dict(self) -> dict:
        """Return JSON-ready data: floats rounded, missing values as null."""
        return {
            "at": self.at.isoformat(),
            "phase": self.phase.key,
            "recovery_factor": _rounded(self.recovery_factor, 3),
            "hours_since_significant_session": _rounded(self.hours_since_significant_session, 1),
            "load": self.load.to_dict(),
            "hrv": self.hrv.to_dict(),
            "hooper": self.hooper.to_dict(),
            "load_tolerance": self.load_tolerance.to_dict(),
            "overtraining_level": self.overtraining.level,
            "overtraining_signals": self.overtraining.signals_to_dict(),
            "screening": self.screening.to_dict(),
            "red_flags": [red_flag.to_dict() for red_flag in self.red_flags],
            "rules_version": self.rules_version,
            "inputs_digest": self.inputs_digest,
            "modalities": {name: assessment.to_dict() for name, assessment in self.modalities.items()},
            "regions": [regional.to_dict() for regional in self.regions],
            "treated": {name: treated.to_dict() for name, treated in self.treated.items()},
            "notices": [notice.to_dict() for notice in self.notices],
        }
