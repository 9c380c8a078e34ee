"""What the readiness engine is given: frozen, validated records of one patient."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from numbers import Real
from types import MappingProxyType

from clinic.localtime import as_utc

HOOPER_ITEMS = ("sleep", "fatigue", "stress", "soreness")


def _require_range(name: str, value: object, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not low <= value <= high:
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")


def _require_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _freeze_mapping(instance: object, name: str) -> None:
    # Frozen dataclasses still hold mutable dicts; a read-only copy keeps results reproducible.
    object.__setattr__(instance, name, MappingProxyType(dict(getattr(instance, name))))


@dataclass(frozen=True)
class TrainingSession:
    """One training session or competition, rated with session-RPE (Borg CR-10)."""

    ended_at: datetime
    duration_minutes: float
    rpe: float
    kind: str = "training"
    is_competition: bool = False

    def __post_init__(self) -> None:
        # Kept in UTC: time between two instants is only real time when neither is written in local time.
        object.__setattr__(self, "ended_at", as_utc(self.ended_at))
        _require_range("duration_minutes", self.duration_minutes, 0, 24 * 60)
        _require_range("rpe", self.rpe, 0, 10)

    @property
    def load(self) -> float:
        """Return the session-RPE load in arbitrary units: RPE × minutes (Foster 2001)."""
        return float(self.rpe) * float(self.duration_minutes)


@dataclass(frozen=True)
class WellnessCheckIn:
    """A daily self-report: Hooper items (1 = very good … 7 = very bad), DOMS, HRV and complaints.

    ``reviewed`` names the complaints of this check-in a chiropractor had reviewed by then.
    """

    day: date
    sleep: int | None = None
    fatigue: int | None = None
    stress: int | None = None
    soreness: int | None = None
    doms: float | None = None
    doms_region: str | None = None
    rmssd_ms: float | None = None
    complaints: Mapping[str, date] = field(default_factory=dict)
    reviewed: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for item in HOOPER_ITEMS:
            value = getattr(self, item)
            if value is not None:
                _require_range(item, value, 1, 7)
        if self.doms is not None:
            _require_range("doms", self.doms, 0, 10)
        if self.rmssd_ms is not None:
            _require_positive("rmssd_ms", self.rmssd_ms)
        for complaint, began_on in self.complaints.items():
            if began_on > self.day:
                raise ValueError(f"complaint {complaint!r} began after the check-in day")
        _freeze_mapping(self, "complaints")
        object.__setattr__(self, "reviewed", frozenset(self.reviewed))
        if not self.reviewed <= set(self.complaints):
            raise ValueError("only a reported complaint can be reviewed")

    @property
    def hooper_items(self) -> dict[str, int] | None:
        """Return the four Hooper items, or None when any is missing."""
        items = {item: getattr(self, item) for item in HOOPER_ITEMS}
        return None if None in items.values() else items


@dataclass(frozen=True)
class FlagCheck:
    """A screening flag as recorded by a clinician; ``region`` limits a local flag to a body part."""

    checked_on: date
    checked_by: str
    region: str | None = None


@dataclass(frozen=True)
class Screening:
    """The contraindication/precaution flags that are present and the clinical indications.

    ``screened_at`` is when the whole checklist was last gone through (None: never, and then no
    flag says anything) and ``due_on`` the local day from which a full screening is due again.
    """

    flags: Mapping[str, FlagCheck] = field(default_factory=dict)
    indications: frozenset[str] = frozenset()
    screened_at: datetime | None = None
    due_on: date | None = None

    def __post_init__(self) -> None:
        _freeze_mapping(self, "flags")
        object.__setattr__(self, "indications", frozenset(self.indications))
        if (self.screened_at is None) != (self.due_on is None):
            raise ValueError("a screening has both screened_at and due_on, or neither")
        if self.screened_at is not None:
            object.__setattr__(self, "screened_at", as_utc(self.screened_at))


@dataclass(frozen=True)
class ReadinessInputs:
    """Everything the engine reads about one patient; the evaluation instant is passed separately."""

    date_of_birth: date
    sessions: tuple[TrainingSession, ...] = ()
    check_ins: tuple[WellnessCheckIn, ...] = ()
    screening: Screening = Screening()
    next_competition_at: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sessions", tuple(self.sessions))
        object.__setattr__(self, "check_ins", tuple(self.check_ins))
        if self.next_competition_at is not None:
            object.__setattr__(self, "next_competition_at", as_utc(self.next_competition_at))
