"""The outcome measures asked by e-mail before a visit: queued by the mail worker, answered by the
patient through a link that works once, stored with the care episode as the patient entered them.

The mail worker queues the request a set time before a booked appointment of an open care episode;
the database keeps it to one per appointment however many workers run. A patient who turned
reminders off gets none: like the after-visit check-in, it is an e-mail they did not ask for.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from clinic.errors import LinkRefused
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    EnteredBy,
    MessageKind,
    OutboxMessage,
    Patient,
    PatientToken,
    ReminderOptOut,
    TokenPurpose,
)
from clinic.outcomes.measures import Entry
from clinic.services.episodes import record_outcomes
from clinic.services.outbox import queue_unwritten
from clinic.services.patient_links import issue_single_use_link, valid_single_use_link


def queue_due_outcome_requests(session: Session, now: datetime, before: timedelta) -> int:
    """Queue a request for the outcome measures for every booked appointment of an open care episode
    that starts within ``before`` from ``now`` (and has not started); return how many were queued.

    Never for cancelled or past appointments, closed episodes, patients without an e-mail address or
    who turned reminders off. Two workers may run this at once: the UNIQUE index on the
    appointment's request keeps one.
    """
    due = session.execute(
        select(Appointment.id, Appointment.starts_at, Patient.email, Patient.preferred_language)
        .join(Patient, Appointment.patient_id == Patient.id)
        .join(CareEpisode, Appointment.episode_id == CareEpisode.id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at > now,
            Appointment.starts_at <= now + before,
            CareEpisode.closed_at.is_(None),
            Patient.email.is_not(None),
            ~exists().where(ReminderOptOut.patient_id == Patient.id),
            ~exists().where(OutboxMessage.appointment_id == Appointment.id,
                            OutboxMessage.kind == MessageKind.OUTCOME_MEASURES.value),
        )
    ).all()
    return queue_unwritten(session, MessageKind.OUTCOME_MEASURES.value, due, now)


def open_episode_of(session: Session, appointment: Appointment) -> CareEpisode | None:
    """Return the appointment's care episode if it is still open."""
    episode = session.get(CareEpisode, appointment.episode_id) if appointment.episode_id else None
    return episode if episode is not None and episode.is_open else None


def outcome_request_still_applies(session: Session, appointment: Appointment, now: datetime) -> bool:
    """A request goes only for a booked appointment still to come, of an episode still open, to a
    patient who still wants such e-mails."""
    return (appointment.status == AppointmentStatus.BOOKED.value and appointment.starts_at > now
            and open_episode_of(session, appointment) is not None
            and session.get(ReminderOptOut, appointment.patient_id) is None)


def issue_outcome_link(session: Session, appointment: Appointment) -> str:
    """Create the secret of the appointment's outcome-measures link and return it; only its hash is
    kept. It works until the visit starts: afterwards the answers are no longer "before the visit"."""
    return issue_single_use_link(session, TokenPurpose.OUTCOME_MEASURES, appointment.patient_id,
                                 appointment.starts_at, appointment=appointment)[1]


def valid_outcome_link(session: Session, token: str, now: datetime, *, lock: bool = False) -> PatientToken:
    """Return the unused, unexpired link of ``token`` whose episode is still open, or raise ``LinkRefused``
    (a closed episode as expired)."""
    link = valid_single_use_link(session, token, TokenPurpose.OUTCOME_MEASURES, now, lock=lock)
    if open_episode_of(session, link.appointment) is None:
        raise LinkRefused(LinkRefused.EXPIRED, "This complaint's treatment has ended.")
    return link


def record_outcomes_by_link(session: Session, token: str, entries: Sequence[Entry], now: datetime) -> None:
    """Store the patient's outcome measures with the appointment's episode and use the link up.

    :raises NotFound: the link is unknown, used or expired, or the episode is closed.
    :raises Invalid: a value outside its range (see ``record_outcomes``).
    """
    link = valid_outcome_link(session, token, now, lock=True)
    record_outcomes(session, open_episode_of(session, link.appointment), entries, entered_by=EnteredBy.PATIENT,
                    user=None, now=now, appointment_id=link.appointment_id)
    link.used_at = now
    session.flush()
