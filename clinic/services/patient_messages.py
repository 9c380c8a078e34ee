"""What patients are told about their appointments, queued with the change it reports.

The request stores only what a message is about (kind, appointment, language, start, calendar
sequence); the mail worker writes and sends it later (``clinic.booking.emails``), so no booking
request renders an e-mail or a calendar file. The worker also queues the reminders that have
become due: one worker is all a clinic runs, and the database keeps a reminder to one per
appointment and start however many run.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, exists, false, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from clinic.models import (
    Appointment,
    AppointmentAction,
    AppointmentEvent,
    AppointmentStatus,
    BookingSource,
    MessageKind,
    OutboxMessage,
    Patient,
    PatientToken,
    ReminderOptOut,
    TokenPurpose,
)
from clinic.services.outbox import queue_unwritten

# Messages that tell the patient the appointment's time: after one of them a reminder would repeat it.
TELLS_THE_TIME = (MessageKind.CONFIRMATION.value, MessageKind.SERIES_CONFIRMATION.value, MessageKind.MOVED.value)


# The messages that add a new event to the patient's calendar.
NEW_EVENTS = (MessageKind.CONFIRMATION, MessageKind.SERIES_CONFIRMATION)


def appointment_changed(session: Session, appointment: Appointment, action: AppointmentAction,
                        source: BookingSource) -> None:
    """Tell the patient about a booking, move or cancellation; a move also keeps the manage links valid."""
    if action is AppointmentAction.RESCHEDULED:
        follow_new_start(session, appointment)
    kind = message_kind(action, source)
    if kind is not None:
        queue_appointment_message(session, appointment, kind)


def message_kind(action: AppointmentAction, source: BookingSource) -> MessageKind | None:
    """Return the e-mail a change of the appointment sends, if any (the patient cancels online only)."""
    if action is AppointmentAction.CANCELLED:
        return MessageKind.CANCELLED_BY_PATIENT if source is BookingSource.ONLINE else MessageKind.CANCELLED_BY_CLINIC
    return {AppointmentAction.BOOKED: MessageKind.CONFIRMATION, AppointmentAction.RESCHEDULED: MessageKind.MOVED}.get(action)


def queue_appointment_message(session: Session, appointment: Appointment, kind: MessageKind) -> OutboxMessage | None:
    """Put the message about ``appointment`` in the outbox for the worker to write; none without an address."""
    patient = appointment.patient
    if not patient.email:
        return None
    message = OutboxMessage(
        kind=kind.value, to_address=patient.email, appointment=appointment, language=patient.preferred_language,
        appointment_starts_at=appointment.starts_at,
        # A new booking's event starts at 0: no need to count its changes inside the booking request.
        calendar_sequence=0 if kind in NEW_EVENTS else calendar_sequence(session, appointment),
    )
    session.add(message)
    return message


def queue_series_confirmation(session: Session, appointments: list[Appointment]) -> OutboxMessage | None:
    """Put the one confirmation of a treatment series in the outbox, with its first appointment: the
    worker lists every appointment of the series in it; none without an address."""
    first = min(appointments, key=lambda appointment: appointment.starts_at)
    return queue_appointment_message(session, first, MessageKind.SERIES_CONFIRMATION)


def calendar_sequence(session: Session, appointment: Appointment) -> int:
    """Return the SEQUENCE of the appointment's calendar event now: 0 when booked, higher after every change."""
    changes = session.scalar(select(func.count(AppointmentEvent.id)).where(AppointmentEvent.appointment_id == appointment.id))
    return max(changes - 1, 0)


def follow_new_start(session: Session, appointment: Appointment) -> None:
    """Keep the appointment's manage links valid until its (new) start: they are the patient's only way in."""
    session.execute(
        update(PatientToken)
        .where(PatientToken.appointment_id == appointment.id,
               PatientToken.purpose == TokenPurpose.MANAGE_APPOINTMENT.value)
        .values(expires_at=appointment.starts_at)
    )


def queue_due_reminders(session: Session, now: datetime, before: timedelta) -> int:
    """Queue a reminder for every booked appointment starting within ``before`` from ``now``; return how many.

    Never for cancelled or past appointments, nor for patients who turned reminders off, nor when
    the patient was told the time within that window anyway (booked or moved at short notice).
    Two workers may run this at once: the UNIQUE index on (appointment, kind, start) keeps one.
    """
    already_reminded = exists().where(
        OutboxMessage.appointment_id == Appointment.id,
        OutboxMessage.kind == MessageKind.REMINDER.value,
        OutboxMessage.appointment_starts_at == Appointment.starts_at,
    )
    due = session.execute(
        select(Appointment.id, Appointment.starts_at, Patient.email, Patient.preferred_language)
        .join(Patient, Appointment.patient_id == Patient.id)
        .where(
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at > now,
            Appointment.starts_at <= now + before,
            Patient.email.is_not(None),
            ~exists().where(ReminderOptOut.patient_id == Patient.id),
            ~already_reminded,
        )
    ).all()
    told_lately = told_within_window(session, [row.id for row in due], before)
    return queue_unwritten(session, MessageKind.REMINDER.value,
                           [row for row in due if (row.id, row.starts_at) not in told_lately], now)


def told_within_window(session: Session, appointment_ids: list[int], before: timedelta) -> set[tuple[int, datetime]]:
    """Return the (appointment, start) pairs whose confirmation or move, or the confirmation of their series,
    was queued less than ``before`` ahead of the start.

    A series' confirmation is queued with its first appointment but lists them all, so it counts for each
    at the start it has now: one moved since was told its new time by a later message anyway.
    """
    if not appointment_ids:
        return set()
    told = session.execute(
        select(OutboxMessage.appointment_id, OutboxMessage.appointment_starts_at, OutboxMessage.created_at).where(
            OutboxMessage.appointment_id.in_(appointment_ids), OutboxMessage.kind.in_(TELLS_THE_TIME)
        )
    ).all()
    sibling = aliased(Appointment)
    told_with_series = session.execute(
        select(Appointment.id, Appointment.starts_at, OutboxMessage.created_at)
        .join(sibling, sibling.series_id == Appointment.series_id)
        .join(OutboxMessage, and_(OutboxMessage.appointment_id == sibling.id,
                                  OutboxMessage.kind == MessageKind.SERIES_CONFIRMATION.value))
        .where(Appointment.id.in_(appointment_ids))
    ).all()
    return {(appointment_id, starts_at) for appointment_id, starts_at, created_at in [*told, *told_with_series]
            if created_at > starts_at - before}


def messages_about(session: Session, appointment: Appointment) -> list[OutboxMessage]:
    """Return the e-mails about the appointment, oldest first: what was sent when, what waits, what failed
    (with the confirmation of its series, queued with the series' first appointment)."""
    about = OutboxMessage.appointment_id == appointment.id
    if appointment.series_id is not None:
        same_series = select(Appointment.id).where(Appointment.series_id == appointment.series_id)
        about = or_(about, and_(OutboxMessage.kind == MessageKind.SERIES_CONFIRMATION.value,
                                OutboxMessage.appointment_id.in_(same_series)))
    return list(session.scalars(select(OutboxMessage).where(about).order_by(OutboxMessage.id)))


def messages_to(session: Session, patient: Patient) -> list[OutboxMessage]:
    """Return every e-mail to the patient, oldest first: about their appointments (also those sent to
    an earlier address) and to their address (login links, booking links)."""
    own_appointments = select(Appointment.id).where(Appointment.patient_id == patient.id)
    to_address = OutboxMessage.to_address == patient.email if patient.email else false()
    query = select(OutboxMessage).where(or_(OutboxMessage.appointment_id.in_(own_appointments), to_address))
    return list(session.scalars(query.order_by(OutboxMessage.id)))


def reminders_wanted(session: Session, patient: Patient) -> bool:
    return session.get(ReminderOptOut, patient.id) is None


def set_reminders_wanted(session: Session, patient: Patient, wanted: bool) -> None:
    """Turn the patient's reminder e-mails on or off (confirmations of changes always go)."""
    opt_out = session.get(ReminderOptOut, patient.id)
    if wanted and opt_out is not None:
        session.delete(opt_out)
    elif not wanted and opt_out is None:
        session.add(ReminderOptOut(patient_id=patient.id))
    session.flush()
