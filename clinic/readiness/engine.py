"""The readiness engine: from a patient's records and an instant to verdicts with reasons."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from clinic.localtime import as_utc, hours_between

from .decision import assess_modalities, fire
from .digest import inputs_digest
from .hrv import HrvHistory
from .inputs import FlagCheck, ReadinessInputs, Screening, TrainingSession
from .loads import LoadHistory, load_history, local_day, own_session_loads
from .overtraining import RecoveryEvidence, assess_overtraining
from .phase import Recovery, age_on, assess_recovery
from .reasons import Reason
from .regions import Place, fixed_places, normalise, place
from .result import (
    LoadSummary, LoadTolerance, ModalityAssessment, OvertrainingAssessment, ReadinessResult, RedFlagReferral,
    RegionalAssessment, ScreeningSummary, TreatedAssessment,
)
from .rulebook import URGENCIES, Rules
from .rules_file import default_rules
from .situation import Situation
from .states import Band, ScreeningStatus
from .tolerance import Measurements, score_tolerance
from .wellness import (
    ComplaintReport, HooperHistory, RedFlagReport, Soreness, latest_complaints, unreviewed_red_flag_reports, worst_doms,
)


class UnknownNameError(ValueError):
    """The inputs name a screening flag, indication or complaint the rules file does not know."""


def check_known_names(inputs: ReadinessInputs, rules: Rules) -> None:
    """Raise ``UnknownNameError`` for any flag, indication or complaint missing from the rules file."""
    named = {
        "screening flag": set(inputs.screening.flags) - set(rules.flags),
        "indication": set(inputs.screening.indications) - set(rules.indications),
        "complaint": {name for check_in in inputs.check_ins for name in check_in.complaints} - set(rules.complaints),
    }
    problems = [f"unknown {kind} {name!r}" for kind, names in named.items() for name in sorted(names)]
    if problems:
        raise UnknownNameError("; ".join(problems))


@dataclass(frozen=True)
class _History:
    """What the records say up to ``at``: sessions that ended by then and the histories built from them."""

    today: date
    sessions: tuple[TrainingSession, ...]
    loads: LoadHistory
    own_loads: tuple[float, ...] | None
    hrv: HrvHistory
    hooper: HooperHistory
    soreness: Soreness
    complaints: ComplaintReport | None
    red_flag_reports: tuple[RedFlagReport, ...]


def _read_history(inputs: ReadinessInputs, at: datetime, rules: Rules) -> _History:
    today = local_day(at)
    sessions = tuple(session for session in inputs.sessions if session.ended_at <= at)
    check_ins = tuple(check_in for check_in in inputs.check_ins if check_in.day <= today)
    return _History(
        today=today,
        sessions=sessions,
        loads=load_history(sessions, today, rules.load),
        own_loads=own_session_loads(sessions, at, rules.load.session_percentiles),
        hrv=HrvHistory(check_ins, rules.hrv),
        hooper=HooperHistory(check_ins, rules.hooper),
        soreness=worst_doms(check_ins, today),
        complaints=latest_complaints(check_ins, today, rules.overtraining.symptoms.report_max_age_days),
        red_flag_reports=unreviewed_red_flag_reports(check_ins, rules.complaints),
    )


def evaluate(inputs: ReadinessInputs, at: datetime, rules: Rules | None = None, *,
             treated: Mapping[str, Iterable[str]] | None = None) -> ReadinessResult:
    """Assess recovery, load tolerance and every modality's verdict at the instant ``at``.

    Only sessions that ended by ``at`` and check-ins of ``at``'s local day or before are read;
    the clock is never consulted, so the same inputs and ``at`` always give the same result. The
    result's ``at`` is in UTC, like every instant of the inputs, so elapsed time is real time.

    A local finding (a regional flag with its region) restricts only its region: the modality
    verdicts hold for regions without one, and each region with one gets its own verdicts.
    ``treated`` maps a modality to the regions a note says it treated; the result then has the
    verdict for those regions too.
    """
    rules = rules or default_rules()
    at = as_utc(at)
    check_known_names(inputs, rules)
    history = _read_history(inputs, at, rules)
    age_years = age_on(inputs.date_of_birth, history.today)
    recovery = assess_recovery(history.sessions, at, rules.phase, age_years=age_years,
                               worst_doms=history.soreness.doms, own_loads=history.own_loads)
    tolerance = score_tolerance(_measurements(history, recovery, rules), rules.tolerance)
    overtraining = assess_overtraining(_recovery_evidence(history, recovery), rules.overtraining, rules.complaints)
    screening = assess_screening(inputs.screening, at, rules)
    situation = _situation(inputs, at, history, recovery, tolerance, overtraining, screening.status)
    places = _PlaceAssessor(situation, rules)
    return ReadinessResult(
        at=at,
        phase=recovery.phase,
        recovery_factor=recovery.factor,
        hours_since_significant_session=recovery.hours_since_session,
        load=_load_summary(history.loads, history.today),
        hrv=history.hrv.summary(history.today),
        hooper=history.hooper.summary(history.today),
        load_tolerance=tolerance,
        overtraining=overtraining,
        screening=screening,
        red_flags=_referrals(situation, rules),
        modalities=places.assess(()),
        regions=places.regional(),
        treated={modality: TreatedAssessment(tuple(regions), places.assess(places.of(regions))[modality])
                 for modality, regions in (treated or {}).items()},
        notices=_notices(rules.phase.age_factor(age_years), tolerance, overtraining, history.red_flag_reports, rules),
        rules_version=rules.version,
        inputs_digest=inputs_digest(inputs, at),
    )


def _measurements(history: _History, recovery: Recovery, rules: Rules) -> Measurements:
    ratio, week = history.loads.ratios.get(history.today), history.loads.weeks.get(history.today)
    sustained_days = rules.tolerance.components["hrv"].sustained.days
    return Measurements(
        acwr=None if ratio is None else ratio.ratio,
        hrv_recent_z=history.hrv.recent_z(history.today, sustained_days),
        hooper_z=history.hooper.summary(history.today).z,
        hooper_worst_item=history.hooper.worst_item(history.today),
        worst_doms=history.soreness.doms,
        monotony=None if week is None else week.monotony,
        session_load=None if recovery.last_session is None else recovery.last_session.load,
        own_session_loads=history.own_loads,
    )


def _recovery_evidence(history: _History, recovery: Recovery) -> RecoveryEvidence:
    return RecoveryEvidence(history.today, history.loads, history.hrv, history.hooper, history.soreness.doms,
                            recovery.hours_since_session, history.complaints)


def _load_summary(loads: LoadHistory, today: date) -> LoadSummary:
    ratio, week = loads.ratios.get(today), loads.weeks.get(today)
    return LoadSummary(
        today=loads.daily.get(today, 0.0),
        acute=None if ratio is None else ratio.acute,
        chronic=None if ratio is None else ratio.chronic,
        acwr=None if ratio is None else ratio.ratio,
        monotony=None if week is None else week.monotony,
        strain=None if week is None else week.strain,
    )


def assess_screening(screening: Screening, at: datetime, rules: Rules) -> ScreeningSummary:
    """Return whether the screening is missing, current or due at ``at``, and the findings to ask again.

    A full screening is due from its ``due_on`` day. A finding that expires (an acute injury after
    72 h, say) still counts until the screening is updated: a prompt asks to check it again.
    """
    if screening.screened_at is None:
        return ScreeningSummary(ScreeningStatus.MISSING, None, None, ())
    due = local_day(at) >= screening.due_on
    hours_since = hours_between(screening.screened_at, at)
    prompts = tuple(expiry.prompt.instantiate(region=screening.flags[flag].region)
                    for flag, expiry in rules.screening.findings_expire.items()
                    if flag in screening.flags and hours_since >= expiry.after_hours)
    return ScreeningSummary(ScreeningStatus.DUE if due else ScreeningStatus.CURRENT,
                            local_day(screening.screened_at), screening.due_on, prompts)


def _situation(inputs: ReadinessInputs, at: datetime, history: _History, recovery: Recovery,
               tolerance: LoadTolerance, overtraining: OvertrainingAssessment,
               screening_status: ScreeningStatus) -> Situation:
    competition_at = inputs.next_competition_at
    # A competition that has already started or passed no longer shapes the advice.
    hours_to_competition = (None if competition_at is None or competition_at < at
                            else hours_between(at, competition_at))
    return Situation(
        screening_status=screening_status,
        phase=recovery.phase,
        band=tolerance.band,
        effective_band=tolerance.evaluated_as,
        worst_doms=history.soreness.doms,
        doms_region=history.soreness.region,
        flags=_present_flags(inputs.screening, history.red_flag_reports),
        indications=inputs.screening.indications,
        hours_to_competition=hours_to_competition,
        overtraining_level=overtraining.level,
    )


# Who "checked" a red flag the patient reported: the patient, in a check-in.
REPORTED_IN_CHECK_IN = "check-in"


def _present_flags(screening: Screening, reports: tuple[RedFlagReport, ...]) -> dict[str, FlagCheck]:
    """Return the screening's flags and, unless the screening found them too, the red flags reported since."""
    reported = {report.red_flag: FlagCheck(report.reported_on, REPORTED_IN_CHECK_IN) for report in reports}
    return reported | dict(screening.flags)


class _PlaceAssessor:
    """Assesses the modalities for given treated places, each seeing only the local findings there."""

    def __init__(self, situation: Situation, rules: Rules) -> None:
        self.situation, self.rules = situation, rules
        # Each regional flag recorded with a region, as the places it names.
        self.located = {name: self.of(part.strip() for part in check.region.split(",") if part.strip())
                        for name, check in situation.flags.items()
                        if rules.flags[name].regional and check.region and check.region.strip()}
        self._assessed: dict[tuple[str, ...], dict[str, ModalityAssessment]] = {}
        self._reads_treated_regions = {modality for rule in rules.rules if "treated_region_any" in rule.when
                                       for modality in rule.modalities}

    def of(self, texts: Iterable[str]) -> tuple[Place, ...]:
        """Return the places named by typed region texts."""
        return tuple(place(text, self.rules.region_terms) for text in texts)

    def _at(self, places: tuple[Place, ...]) -> Situation:
        flags = {name: check for name, check in self.situation.flags.items() if name not in self.located}
        for name, found in self.located.items():
            hits = [spot for spot in found if any(spot.same_as(treated) for treated in places)]
            if hits:
                flags[name] = replace(self.situation.flags[name], region=", ".join(spot.text for spot in hits))
        return replace(self.situation, flags=flags, treated=places)

    def _assess_at(self, places: tuple[Place, ...]) -> dict[str, ModalityAssessment]:
        key = tuple(normalise(spot.text) for spot in places)
        if key not in self._assessed:
            self._assessed[key] = assess_modalities(self._at(places), self.rules)
        return self._assessed[key]

    def assess(self, places: tuple[Place, ...]) -> dict[str, ModalityAssessment]:
        """Return each modality's assessment when ``places`` are treated (none: a region without findings).

        A modality that always treats the same regions (decompression: the spine) is assessed there.
        """
        assessed = dict(self._assess_at(places))
        for modality, regions in self.rules.always_treats.items():
            # Without local findings only a treated-region condition could tell the places apart.
            if self.located or modality in self._reads_treated_regions:
                assessed[modality] = self._assess_at(fixed_places(regions))[modality]
        return assessed

    def regional(self) -> tuple[RegionalAssessment, ...]:
        """Return the verdicts for each region with a local finding, in the order first recorded."""
        spots = {normalise(spot.text): spot for found in self.located.values() for spot in found}
        return tuple(RegionalAssessment(spot.text, self.assess((spot,))) for spot in spots.values())


def _referrals(situation: Situation, rules: Rules) -> tuple[RedFlagReferral, ...]:
    """Return each red flag present with its referral advice, the most urgent first."""
    referrals = [
        RedFlagReferral(flag, rule.urgency, situation.flags[flag].checked_by == REPORTED_IN_CHECK_IN, reason)
        for rule in rules.referral_rules for flag in rule.when["flag_any"] if flag in situation.flags
        for reason in fire(rule, situation, rules)
    ]
    return tuple(sorted(referrals, key=lambda referral: URGENCIES.index(referral.urgency)))


def _notices(age_factor: float, tolerance: LoadTolerance, overtraining: OvertrainingAssessment,
             reports: tuple[RedFlagReport, ...], rules: Rules) -> tuple[Reason, ...]:
    notices = [rules.screening.reported_red_flag.instantiate(flag_label=rules.complaints[report.complaint].label)
               for report in reports]
    if age_factor != 1:
        notices.append(rules.age_notice.instantiate())
    if tolerance.band is Band.UNKNOWN:
        notices.append(rules.tolerance.unknown_band_notice.instantiate())
    if overtraining.level:
        notices.append(rules.overtraining.levels[overtraining.level].instantiate())
    return tuple(notices)
