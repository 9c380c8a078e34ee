"""The validated, typed contents of the rules file (see ``rules_file.load_rules``)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .reasons import ReasonTemplate, Text
from .states import Band, Phase

# Pipeline steps of DOMAIN.md §4.4, in order; reasons are listed in this order.
# How soon a red flag is referred; each red flag has one referral rule saying which (DOMAIN.md §2.0).
URGENCIES = ("urgent", "gp")
STEPS = ("red_flag", "screening", "contraindication", "indication", "competition", "phase_matrix", "overtraining")
COMPLAINT_KINDS = ("recovery_symptom", "performance_decline", "systemic_symptom")
# Each load-tolerance component of DOMAIN.md §4.3 and the scoring keys its entry may have.
TOLERANCE_COMPONENTS = {
    "acwr": ("bands",),
    "hrv": ("bands", "sustained"),
    "hooper": ("bands", "any_item"),
    "doms": ("bands",),
    "monotony": ("bands",),
    "session_load": ("above_percentile",),
}


def _require(condition: bool, problem: str) -> None:
    if not condition:
        raise ValueError(problem)


def _require_percentile(value: float, name: str) -> None:
    _require(0 <= value <= 100, f"{name} must be a percentile from 0 to 100")


@dataclass(frozen=True)
class NumericBand:
    """A half-open or closed interval of a measurement and the points it scores."""

    points: int
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None

    def contains(self, value: float) -> bool:
        """Tell whether ``value`` lies in this band."""
        return ((self.gt is None or value > self.gt) and (self.gte is None or value >= self.gte)
                and (self.lt is None or value < self.lt) and (self.lte is None or value <= self.lte))


def points_for(value: float, bands: tuple[NumericBand, ...]) -> int:
    """Return the highest points of the bands containing ``value`` (bands may overlap), else 0."""
    return max((band.points for band in bands if band.contains(value)), default=0)


@dataclass(frozen=True)
class FlagDefinition:
    """A screening flag the clinic records."""

    label: Text
    regional: bool
    red_flag: bool


@dataclass(frozen=True)
class ComplaintDefinition:
    """A complaint a patient can report in a check-in, for the overtraining rule.

    ``red_flag`` names the red flag a report of it counts as until a chiropractor has reviewed it.
    """

    label: Text
    kind: str
    red_flag: str | None = None


@dataclass(frozen=True)
class AgeFactor:
    """From ``min_age`` years on, recovery windows are multiplied by ``factor``."""

    min_age: int
    factor: float

    def __post_init__(self) -> None:
        _require(self.min_age >= 0 and self.factor > 0, "min_age must be ≥ 0 and factor > 0")


@dataclass(frozen=True)
class SeverityExtension:
    """Optional longer recovery window after very sore or very heavy sessions."""

    enabled: bool
    factor: float
    doms_gte: float
    load_percentile_gte: float

    def __post_init__(self) -> None:
        _require(self.factor > 0, "factor must be > 0")
        _require_percentile(self.load_percentile_gte, "load_percentile_gte")


@dataclass(frozen=True)
class SignificantSession:
    """A session resets the recovery clock when it was hard or heavy for this athlete."""

    rpe_gte: float
    load_percentile_gte: float

    def __post_init__(self) -> None:
        _require_percentile(self.load_percentile_gte, "load_percentile_gte")


@dataclass(frozen=True)
class PhaseSettings:
    """Cut-points of the three recovery phases and what stretches them."""

    acute_end_hours: float
    regeneration_end_hours: float
    age_factors: tuple[AgeFactor, ...]
    severity_extension: SeverityExtension
    significant_session: SignificantSession

    def __post_init__(self) -> None:
        _require(0 < self.acute_end_hours < self.regeneration_end_hours,
                 "need 0 < acute_end_hours < regeneration_end_hours")
        ages = [step.min_age for step in self.age_factors]
        _require(bool(ages) and ages[0] == 0 and ages == sorted(set(ages)),
                 "age_factors must start at min_age 0 and increase")

    def age_factor(self, age_years: int) -> float:
        """Return the recovery-window multiplier for a patient of ``age_years``."""
        return [step.factor for step in self.age_factors if step.min_age <= age_years][-1]


@dataclass(frozen=True)
class AcwrSettings:
    """EWMA acute:chronic workload ratio (Williams 2017): spans and data sufficiency."""

    acute_days: int
    chronic_days: int
    seed_days: int
    min_history_days: int

    def __post_init__(self) -> None:
        _require(1 <= self.seed_days <= self.min_history_days and self.acute_days >= 1
                 and self.chronic_days >= 1, "days must be ≥ 1 and seed_days ≤ min_history_days")


@dataclass(frozen=True)
class MonotonySettings:
    """Foster's monotony: window, SD convention and the clamp that keeps it finite."""

    window_days: int
    sd: str
    sd_floor: float
    cap: float

    def __post_init__(self) -> None:
        _require(self.sd in ("population", "sample"), f"sd must be 'population' or 'sample', got {self.sd!r}")
        _require(self.window_days >= 2 and self.sd_floor > 0 and self.cap > 0,
                 "need window_days ≥ 2, sd_floor > 0 and cap > 0")


@dataclass(frozen=True)
class SessionPercentiles:
    """Which sessions define the athlete's own load percentiles."""

    window_days: int
    min_sessions: int

    def __post_init__(self) -> None:
        _require(self.window_days >= 1 and self.min_sessions >= 2, "need window_days ≥ 1 and min_sessions ≥ 2")


@dataclass(frozen=True)
class LoadSettings:
    """Settings of the training-load metrics."""

    acwr: AcwrSettings
    monotony: MonotonySettings
    session_percentiles: SessionPercentiles


@dataclass(frozen=True)
class HrvSettings:
    """lnRMSSD rolling mean and its baseline (Plews 2014: ≥ 3 readings a week)."""

    window_days: int
    min_readings_per_window: int
    baseline_days: int

    def __post_init__(self) -> None:
        _require(1 <= self.min_readings_per_window <= self.window_days,
                 "need 1 ≤ min_readings_per_window ≤ window_days")
        _require(self.baseline_days >= self.window_days and self.baseline_days % self.window_days == 0,
                 "baseline_days must be a whole number of windows")


@dataclass(frozen=True)
class HooperSettings:
    """Hooper-index baseline for the individual z-score."""

    baseline_days: int
    min_baseline_days: int

    def __post_init__(self) -> None:
        _require(2 <= self.min_baseline_days <= self.baseline_days, "need 2 ≤ min_baseline_days ≤ baseline_days")


@dataclass(frozen=True)
class SustainedLow:
    """HRV below ``z_lt`` on ``days`` consecutive days scores ``points``."""

    z_lt: float
    days: int
    points: int

    def __post_init__(self) -> None:
        _require(self.days >= 1, "days must be ≥ 1")


@dataclass(frozen=True)
class AnyItem:
    """Any single Hooper item at or above ``gte`` scores ``points``."""

    gte: int
    points: int


@dataclass(frozen=True)
class AbovePercentile:
    """A value at or above the athlete's own ``percentile`` scores ``points``."""

    percentile: float
    points: int

    def __post_init__(self) -> None:
        _require_percentile(self.percentile, "percentile")


@dataclass(frozen=True)
class ComponentSettings:
    """How one load-tolerance component turns its value into points, and on what basis."""

    cite: tuple[str, ...]
    evidence: str
    bands: tuple[NumericBand, ...] = ()
    sustained: SustainedLow | None = None
    any_item: AnyItem | None = None
    above_percentile: AbovePercentile | None = None


@dataclass(frozen=True)
class ScoreBand:
    """Scores from ``min_score`` to ``max_score`` (inclusive; None = open) give ``band``."""

    band: Band
    min_score: int | None
    max_score: int | None

    def contains(self, score: int) -> bool:
        """Tell whether ``score`` falls in this band."""
        return (self.min_score is None or score >= self.min_score) and (
            self.max_score is None or score <= self.max_score)


@dataclass(frozen=True)
class ToleranceSettings:
    """The load-tolerance (belastbaarheid) points table of DOMAIN.md §4.3."""

    components: Mapping[str, ComponentSettings]
    core_components: tuple[str, ...]
    min_core_components: int
    score_bands: tuple[ScoreBand, ...]
    unknown_band_evaluated_as: Band
    unknown_band_notice: ReasonTemplate


@dataclass(frozen=True)
class AcwrSpike:
    """F1: ACWR at or above ``acwr_gte`` on any of the last ``within_days`` days."""

    acwr_gte: float
    within_days: int

    def __post_init__(self) -> None:
        _require(self.within_days >= 1, "within_days must be ≥ 1")


@dataclass(frozen=True)
class HrvSuppressed:
    """F2: lnRMSSD_7d z-score below ``z_lt`` on ``consecutive_days`` days up to today."""

    z_lt: float
    consecutive_days: int

    def __post_init__(self) -> None:
        _require(self.consecutive_days >= 1, "consecutive_days must be ≥ 1")


@dataclass(frozen=True)
class WellnessWorse:
    """F3: Hooper z ≥ ``z_gte`` (or fatigue ≥ ``fatigue_item_gte``) on ``min_days`` of the last days."""

    z_gte: float
    fatigue_item_gte: int
    min_days: int
    of_last_days: int

    def __post_init__(self) -> None:
        _require(1 <= self.min_days <= self.of_last_days, "need 1 ≤ min_days ≤ of_last_days")


@dataclass(frozen=True)
class MonotonyStrain:
    """F4: monotony above ``monotony_gt`` with weekly strain at the athlete's own high percentile."""

    monotony_gt: float
    strain_percentile_gte: float
    window_days: int
    min_days: int

    def __post_init__(self) -> None:
        _require_percentile(self.strain_percentile_gte, "strain_percentile_gte")
        _require(1 <= self.min_days <= self.window_days, "need 1 ≤ min_days ≤ window_days")


@dataclass(frozen=True)
class LastingDoms:
    """F5: DOMS ≥ ``doms_gte`` more than ``days_after_session_gt`` days after the last hard session."""

    doms_gte: float
    days_after_session_gt: float


SIGNAL_CRITERIA = {
    "acwr_spike": AcwrSpike,
    "hrv_suppressed": HrvSuppressed,
    "wellness_worse": WellnessWorse,
    "monotony_strain": MonotonyStrain,
    "lasting_doms": LastingDoms,
}


@dataclass(frozen=True)
class Signal:
    """One physiological/load signal of the overtraining rule and how it is explained."""

    criteria: object
    reason: ReasonTemplate


@dataclass(frozen=True)
class SymptomCriterion:
    """S: a complaint persisting more than ``persisting_days_gt`` days, and when S escalates to referral.

    Load counts as reduced when the mean daily load of the last ``reduced_load_days`` is below
    ``reduced_load_ratio_lt`` × the mean of the ``reduced_load_reference_days`` before them.
    """

    persisting_days_gt: int
    refer_persisting_days_gt: int
    report_max_age_days: int
    reduced_load_ratio_lt: float
    reduced_load_days: int
    reduced_load_reference_days: int

    def __post_init__(self) -> None:
        _require(0 <= self.persisting_days_gt < self.refer_persisting_days_gt,
                 "need 0 ≤ persisting_days_gt < refer_persisting_days_gt")
        _require(self.report_max_age_days >= 0 and self.reduced_load_days >= 1
                 and self.reduced_load_reference_days >= 1, "day counts must not be negative or zero")


@dataclass(frozen=True)
class OvertrainingSettings:
    """The overtraining / insufficient-recovery warning rule of DOMAIN.md §5."""

    signals: Mapping[str, Signal]
    symptoms: SymptomCriterion
    symptom_reason: ReasonTemplate
    levels: Mapping[int, ReasonTemplate]


@dataclass(frozen=True)
class FindingExpiry:
    """A screening finding that goes stale ``after_hours`` after the screening, and what to ask then."""

    after_hours: float
    prompt: ReasonTemplate


@dataclass(frozen=True)
class ScreeningSettings:
    """Which findings of a screening expire, and the notice for a red flag a patient reported."""

    findings_expire: Mapping[str, FindingExpiry]
    reported_red_flag: ReasonTemplate


@dataclass(frozen=True)
class Rule:
    """A decision rule: when every condition holds, each listed modality gets this reason.

    A red flag's referral rule has an ``urgency``: how soon to refer when its flag is present.
    """

    step: str
    modalities: tuple[str, ...]
    when: Mapping[str, object]
    reason: ReasonTemplate
    urgency: str | None = None


@dataclass(frozen=True)
class Rules:
    """The whole rules file, validated."""

    version: str
    verdict_labels: Mapping[str, Text]
    evidence_labels: Mapping[str, Text]
    urgency_labels: Mapping[str, Text]
    modalities: Mapping[str, Text]
    phase_labels: Mapping[str, Text]
    band_labels: Mapping[str, Text]
    references: Mapping[str, str]
    regions: Mapping[str, Text]
    region_terms: Mapping[str, str]
    always_treats: Mapping[str, tuple[str, ...]]
    indications: Mapping[str, Text]
    complaints: Mapping[str, ComplaintDefinition]
    flags: Mapping[str, FlagDefinition]
    phase: PhaseSettings
    age_notice: ReasonTemplate
    load: LoadSettings
    hrv: HrvSettings
    hooper: HooperSettings
    tolerance: ToleranceSettings
    overtraining: OvertrainingSettings
    screening: ScreeningSettings
    phase_matrix: Mapping[tuple[Phase, Band, str], ReasonTemplate]
    rules: tuple[Rule, ...]

    def rules_of_step(self, step: str) -> tuple[Rule, ...]:
        """Return the rules of one pipeline step, in file order."""
        return tuple(rule for rule in self.rules if rule.step == step)

    @property
    def referral_rules(self) -> tuple[Rule, ...]:
        """Return the red flags' referral rules (one per red flag), in file order."""
        return tuple(rule for rule in self.rules if rule.urgency is not None)
