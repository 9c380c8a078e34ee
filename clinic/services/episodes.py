"""Care episodes: opening one per complaint, the visits and notes that belong to it, the outcome
measures taken over it and how the patient is doing against them, and closing it.

The rules about the measures are ``clinic.outcomes`` (pure); this module loads rows, asks them, adds
and flushes. Closed episodes keep their outcomes but take no new ones.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from clinic.errors import Conflict, Invalid
from clinic.localtime import to_local
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    Chiropractor,
    EnteredBy,
    OutcomeAnswer,
    OutcomeMeasurement,
    Patient,
    User,
)
from clinic.models.episodes import GOALS_MAX_LENGTH, REGION_MAX_LENGTH, SUMMARY_MAX_LENGTH
from clinic.outcomes import measures, progress
from clinic.outcomes.measures import Entry, Measure, RegionQuestionnaire


@dataclass(frozen=True)
class NewEpisode:
    chiropractor_id: int
    region: str
    onset_on: date
    goals: str = ""
    region_questionnaire: RegionQuestionnaire | None = None


def open_episode(session: Session, patient: Patient, details: NewEpisode, *, by: User | None,
                 now: datetime) -> CareEpisode:
    """Open an episode for a complaint of ``patient``, treated by ``details.chiropractor_id``.

    :raises Invalid: no region, goals too long, an onset after today or an unknown chiropractor.
    """
    problems = {}
    region = details.region.strip()
    if not region:
        problems["region"] = "required"
    elif len(region) > REGION_MAX_LENGTH:
        problems["region"] = "too_long"
    if len(details.goals) > GOALS_MAX_LENGTH:
        problems["goals"] = "too_long"
    if details.onset_on > to_local(now).date():
        problems["onset_on"] = "in_future"
    if session.get(Chiropractor, details.chiropractor_id) is None:
        problems["chiropractor_id"] = "unknown"
    if problems:
        raise Invalid("Some details of the episode are not valid.", fields=problems)
    episode = CareEpisode(patient_id=patient.id, chiropractor_id=details.chiropractor_id, region=region,
                          onset_on=details.onset_on, goals=details.goals.strip(), opened_at=now,
                          opened_by_id=by and by.id,
                          region_questionnaire=details.region_questionnaire and details.region_questionnaire.value)
    session.add(episode)
    session.flush()
    return episode


def close_episode(session: Session, episode: CareEpisode, summary: str, *, now: datetime) -> CareEpisode:
    """Close the episode with a discharge summary.

    :raises Invalid: no summary, or one too long.
    :raises Conflict: the episode is closed already.
    """
    summary = summary.strip()
    if not summary or len(summary) > SUMMARY_MAX_LENGTH:
        raise Invalid("Write a short discharge summary.",
                      fields={"discharge_summary": "required" if not summary else "too_long"})
    _require_open(episode)
    episode.closed_at = max(now, episode.opened_at)
    episode.discharge_summary = summary
    session.flush()
    return episode


def ask_region_questionnaire(session: Session, episode: CareEpisode,
                              questionnaire: RegionQuestionnaire | None) -> None:
    """Have the patient answer ``questionnaire`` with their outcome measures from now on (``None``: none).

    :raises Conflict: the episode is closed.
    """
    _require_open(episode)
    episode.region_questionnaire = questionnaire and questionnaire.value
    session.flush()


def _require_open(episode: CareEpisode) -> None:
    if not episode.is_open:
        raise Conflict("This episode is closed.", code="episode_closed")


def episodes_of(session: Session, patient: Patient) -> Sequence[CareEpisode]:
    """Return the patient's episodes, open ones first, the latest opened first."""
    return session.scalars(select(CareEpisode).where(CareEpisode.patient_id == patient.id)
                           .order_by(CareEpisode.closed_at.is_not(None), CareEpisode.opened_at.desc(),
                                     CareEpisode.id.desc())).all()


def assign_appointment(session: Session, appointment: Appointment, episode: CareEpisode | None) -> None:
    """Make ``appointment`` a visit of ``episode`` (``None``: of none); its note then belongs to it too.

    :raises Invalid: the episode is another patient's, or closed.
    """
    if episode is not None and (episode.patient_id != appointment.patient_id or not episode.is_open):
        raise Invalid("Choose an open episode of this patient.", fields={"episode_id": "not_this_patients_open_episode"})
    appointment.episode_id = episode and episode.id
    session.flush()


def record_outcome(session: Session, episode: CareEpisode, entry: Entry, *, entered_by: EnteredBy,
                   user: User | None, now: datetime, appointment_id: int | None = None) -> OutcomeMeasurement:
    """Store one outcome measurement of ``episode`` with its raw answers.

    :raises Invalid: a value outside the measure's range, keyed by its dotted field (``items.0.score``).
    :raises Conflict: the episode is closed.
    """
    problems = measures.problems(entry)
    if problems:
        raise Invalid("Some values are not valid; see fields.", fields=problems)
    _require_open(episode)
    measurement = OutcomeMeasurement(
        episode_id=episode.id, measure=entry.measure.value, score=measures.score(entry),
        appointment_id=appointment_id, entered_by=entered_by.value, entered_by_user_id=user and user.id,
        measured_at=now, created_at=now,
    )
    if entry.measure is Measure.PSK:
        measurement.answers = [OutcomeAnswer(position=index, activity=item.activity.strip(), answer=item.score)
                               for index, item in enumerate(entry.items, start=1)]
    elif entry.measure is Measure.LEFS:
        measurement.answers = [OutcomeAnswer(position=index, answer=answer)
                               for index, answer in enumerate(entry.answers, start=1)]
    session.add(measurement)
    session.flush()
    return measurement


def record_outcomes(session: Session, episode: CareEpisode, entries: Sequence[Entry], *, entered_by: EnteredBy,
                    user: User | None, now: datetime, appointment_id: int | None = None) -> list[OutcomeMeasurement]:
    """Store several outcome measures taken together (a patient's form), all or none.

    :raises Invalid: a value outside its range, keyed by measure and dotted field (``psk.items.0.score``).
    :raises Conflict: the episode is closed.
    """
    problems = {f"{entry.measure.value}.{name}": code
                for entry in entries for name, code in measures.problems(entry).items()}
    if problems:
        raise Invalid("Some values are not valid; see fields.", fields=problems)
    return [record_outcome(session, episode, entry, entered_by=entered_by, user=user, now=now,
                           appointment_id=appointment_id) for entry in entries]


def last_psk_activities(session: Session, episode: CareEpisode) -> list[str]:
    """Return the activities of the episode's latest PSK: the patient scores the same ones again."""
    latest = session.scalar(select(OutcomeMeasurement).where(
        OutcomeMeasurement.episode_id == episode.id, OutcomeMeasurement.measure == Measure.PSK.value)
        .order_by(OutcomeMeasurement.measured_at.desc(), OutcomeMeasurement.id.desc()).limit(1))
    return [answer.activity for answer in latest.answers] if latest else []


@dataclass(frozen=True)
class MeasuredOutcome:
    measurement: OutcomeMeasurement
    change: progress.Change


@dataclass(frozen=True)
class EpisodeOutcomes:
    """The episode's measurements, each with its change from the first of its measure, and the progress."""

    outcomes: list[MeasuredOutcome]
    progress: progress.Progress


def visits_of(session: Session, episode: CareEpisode) -> int:
    """Return how many of the episode's appointments took place (completed)."""
    return session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.episode_id == episode.id, Appointment.status == AppointmentStatus.COMPLETED.value))


def outcomes_of(session: Session, episode: CareEpisode, *, review_after_visits: int) -> EpisodeOutcomes:
    """Return the episode's outcomes with their changes, and whether it is on track."""
    rows = session.scalars(select(OutcomeMeasurement).where(OutcomeMeasurement.episode_id == episode.id)
                           .options(selectinload(OutcomeMeasurement.answers))
                           .order_by(OutcomeMeasurement.measured_at, OutcomeMeasurement.id)).all()
    firsts: dict[Measure, float] = {}
    outcomes = []
    for row in rows:
        measure = Measure(row.measure)
        first = firsts.setdefault(measure, row.score)
        outcomes.append(MeasuredOutcome(row, progress.change(measure, first, row.score)))
    return EpisodeOutcomes(outcomes, progress.progress(
        [(Measure(row.measure), row.score) for row in rows], visits=visits_of(session, episode),
        review_after_visits=review_after_visits))
