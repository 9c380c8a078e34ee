"""The check-in after a treatment with known after-effects: queued by the mail worker, answered by
the patient through a link that works once, read by the treating chiropractor.

The mail worker queues the check-in a set time after a completed appointment of a type that asks
for it; the database keeps it to one per appointment however many workers run. A patient who
turned reminders off gets no check-ins either: both are e-mails they did not ask for.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, contains_eager

from clinic.errors import Invalid
from clinic.models import (
    AFTER_VISIT_REMARKS_MAX_LENGTH,
    AfterVisitAnswer,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    MessageKind,
    OutboxMessage,
    Patient,
    PatientToken,
    ReminderOptOut,
    TokenPurpose,
)
from clinic.services.outbox import queue_unwritten
from clinic.services.patient_links import issue_single_use_link, valid_single_use_link

# A check-in that could not go within this long after it was due is not sent any more: by then
# it asks about a different day (and a new deployment does not mail every visit of the past).
LATE_CHECK_IN_CUTOFF = timedelta(days=2)
# The patient answers within a week; after that the answers say little about the treatment.
AFTER_VISIT_LINK_LIFETIME = timedelta(days=7)
SCORES = range(0, 11)


def queue_due_after_visit_check_ins(session: Session, now: datetime, after: timedelta) -> int:
    """Queue a check-in for every completed appointment of a type that asks for one that ended
    ``after`` ago (up to ``LATE_CHECK_IN_CUTOFF`` late); return how many were queued.

    Never for cancelled or no-show appointments, other types, patients without an e-mail address
    or who turned reminders off. Two workers may run this at once: the UNIQUE index on the
    appointment's check-in keeps one.
    """
    due = session.execute(
        select(Appointment.id, Appointment.starts_at, Patient.email, Patient.preferred_language)
        .join(Patient, Appointment.patient_id == Patient.id)
        .join(AppointmentType, Appointment.appointment_type_id == AppointmentType.id)
        .where(
            Appointment.status == AppointmentStatus.COMPLETED.value,
            AppointmentType.after_visit_check_in,
            Appointment.ends_at <= now - after,
            Appointment.ends_at > now - after - LATE_CHECK_IN_CUTOFF,
            Patient.email.is_not(None),
            ~exists().where(ReminderOptOut.patient_id == Patient.id),
            ~exists().where(OutboxMessage.appointment_id == Appointment.id,
                            OutboxMessage.kind == MessageKind.AFTER_VISIT.value),
        )
    ).all()
    return queue_unwritten(session, MessageKind.AFTER_VISIT.value, due, now)


def check_in_still_applies(session: Session, appointment: Appointment) -> bool:
    """A check-in goes only for a visit still marked completed, to a patient who still wants such e-mails."""
    return (appointment.status == AppointmentStatus.COMPLETED.value
            and session.get(ReminderOptOut, appointment.patient_id) is None)


def issue_after_visit_link(session: Session, appointment: Appointment, now: datetime) -> str:
    """Create the secret of the appointment's check-in link and return it; only its hash is kept."""
    return issue_single_use_link(session, TokenPurpose.AFTER_VISIT, appointment.patient_id,
                                 now + AFTER_VISIT_LINK_LIFETIME, appointment=appointment)[1]


def valid_after_visit_link(session: Session, token: str, now: datetime, *, lock: bool = False) -> PatientToken:
    """Return the unused, unexpired check-in link of ``token``, or raise ``NotFound`` (see ``valid_single_use_link``)."""
    return valid_single_use_link(session, token, TokenPurpose.AFTER_VISIT, now, lock=lock)


@dataclass(frozen=True)
class AfterVisitReport:
    """What the patient answered in the check-in form."""

    pain_now: int
    soreness: int
    dizziness: bool = False
    numbness: bool = False
    fever: bool = False
    bruising: bool = False
    remarks: str = ""


def record_after_visit_answers(session: Session, token: str, report: AfterVisitReport,
                               now: datetime) -> AfterVisitAnswer:
    """Store the answers with the visit and use the link up.

    :raises NotFound: the link is unknown, used or expired.
    :raises Invalid: a score outside 0–10 or remarks that are too long.
    """
    problems = {name: "Choose 0 to 10." for name in ("pain_now", "soreness") if getattr(report, name) not in SCORES}
    if len(report.remarks) > AFTER_VISIT_REMARKS_MAX_LENGTH:
        problems["remarks"] = f"Use at most {AFTER_VISIT_REMARKS_MAX_LENGTH} characters."
    if problems:
        raise Invalid("Some answers are not valid.", fields=problems)
    link = valid_after_visit_link(session, token, now, lock=True)
    link.used_at = now
    answer = AfterVisitAnswer(appointment_id=link.appointment_id, answered_at=now, pain_now=report.pain_now,
                              soreness=report.soreness, dizziness=report.dizziness, numbness=report.numbness,
                              fever=report.fever, bruising=report.bruising, remarks=report.remarks.strip())
    session.add(answer)
    session.flush()
    return answer


def after_visit_answers_of(session: Session, patient: Patient) -> list[AfterVisitAnswer]:
    """Return the patient's check-in answers, newest visit first."""
    return list(session.scalars(
        select(AfterVisitAnswer).join(AfterVisitAnswer.appointment)
        .options(contains_eager(AfterVisitAnswer.appointment))
        .where(Appointment.patient_id == patient.id).order_by(Appointment.starts_at.desc())
    ))


def worrying_after_visit_answers(session: Session, chiropractor_id: int,
                                 since: datetime | None = None) -> list[AfterVisitAnswer]:
    """Return the worrying check-in answers (``AfterVisitAnswer.is_worrying``) after visits to
    ``chiropractor_id``, answered after ``since`` if given, newest first: the chiropractor's alerts."""
    query = (
        select(AfterVisitAnswer).join(AfterVisitAnswer.appointment)
        .options(contains_eager(AfterVisitAnswer.appointment))
        .where(Appointment.chiropractor_id == chiropractor_id, AfterVisitAnswer.is_worrying)
    )
    if since is not None:
        query = query.where(AfterVisitAnswer.answered_at > since)
    return list(session.scalars(query.order_by(AfterVisitAnswer.answered_at.desc())))
