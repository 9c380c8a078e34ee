"""Treatment series: a course of appointments booked all at once, or not at all.

Every appointment goes through ``book_appointment``, so each is checked by the same rules and
the same database constraints as a single booking, but the patient gets one confirmation listing
them all (with one calendar file), not one per appointment. They are booked inside one savepoint: when
any start is not free, the savepoint is rolled back and the caller learns every start that was
not free, with the nearest free times (looked up with the rest of the series booked, so that an
alternative keeps the type's spacing from the series' other appointments).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.errors import Conflict, DomainError, Invalid
from clinic.localtime import to_local
from clinic.models import (
    Appointment,
    AppointmentAction,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    BookingSource,
    Patient,
    User,
)
from clinic.scheduling import Slot, SlotPolicy
from clinic.scheduling.series import SeriesRuleRefused, plan_series
from clinic.services.booking import (
    BookingRejected,
    SlotTaken,
    TooCloseToAnother,
    book_appointment,
    change_status,
    nearest_free_slots,
)
from clinic.services.patient_messages import queue_series_confirmation

ALTERNATIVES_OFFERED = 3
# Alternatives are looked for from the refused start's day for this many days.
ALTERNATIVE_DAYS = 7


@dataclass(frozen=True)
class StartNotFree:
    """One start of a series that cannot be booked: why (``code``, ``message``, the ``refusal`` itself)
    and what is free near it."""

    start: datetime
    code: str
    message: str
    alternatives: tuple[Slot, ...]
    refusal: DomainError


class SeriesNotFree(Conflict):
    """Some starts of the series are not free; nothing was booked."""

    code = "series_not_free"

    def __init__(self, refused: list[StartNotFree]):
        super().__init__(
            f"{len(refused)} of the series' times are not free; nothing was booked.",
            fields={"first_start": "series_not_free"},
        )
        self.refused = refused
        self.details = {"conflicts": [
            {"start": to_local(entry.start).isoformat(), "code": entry.code, "message": entry.message,
             "alternatives": [to_local(slot.start).isoformat() for slot in entry.alternatives]}
            for entry in refused
        ]}


@dataclass(frozen=True)
class BookedSeries:
    series: AppointmentSeries
    appointments: list[Appointment]


def book_series(
    session: Session,
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    chiropractor_id: int,
    first_start: datetime,
    rule: str,
    source: BookingSource,
    policy: SlotPolicy,
    now: datetime,
    user: User | None = None,
) -> BookedSeries:
    """Book every start ``rule`` gives from ``first_start`` (same local wall-clock time) with the chiropractor.

    :raises Invalid: the rule is refused (``clinic.scheduling.series``), or the chiropractor does
        not offer the type.
    :raises SeriesNotFree: one or more starts are taken or break a booking rule; nothing is booked.
    """
    try:
        plan = plan_series(first_start, rule)
    except SeriesRuleRefused as refused:
        raise Invalid(str(refused), code=refused.code, fields={refused.field: refused.code}) from None
    savepoint = session.begin_nested()
    try:
        series = AppointmentSeries(
            patient=patient, chiropractor_id=chiropractor_id, appointment_type=appointment_type,
            rule=plan.rule_text, created_by_user_id=None if user is None else user.id,
        )
        session.add(series)
        appointments, refusals = [], []
        for start in plan.starts:
            try:
                appointment = book_appointment(
                    session, patient=patient, appointment_type=appointment_type, starts_at=start,
                    chiropractor_id=chiropractor_id, source=source, policy=policy, now=now, user=user,
                    tell_patient=False,
                )
            except (SlotTaken, BookingRejected, TooCloseToAnother) as refusal:
                refusals.append((start, refusal))
                continue
            appointment.series = series
            appointments.append(appointment)
        session.flush()
    except BaseException:
        savepoint.rollback()
        raise
    if refusals:
        # Looked up with the rest of the series still booked: an alternative keeps its spacing from them.
        refused = [
            not_free(session, start, refusal, appointment_type, chiropractor_id, patient, policy, now)
            for start, refusal in refusals
        ]
        savepoint.rollback()
        raise SeriesNotFree(refused)
    savepoint.commit()
    queue_series_confirmation(session, appointments)
    return BookedSeries(series, appointments)


def not_free(
    session: Session,
    start: datetime,
    refusal: DomainError,
    appointment_type: AppointmentType,
    chiropractor_id: int,
    patient: Patient,
    policy: SlotPolicy,
    now: datetime,
) -> StartNotFree:
    """Describe a refused start with the free times nearest to it, for this patient and chiropractor."""
    alternatives = nearest_free_slots(
        session, appointment_type, start, policy=policy, now=now, chiropractor_id=chiropractor_id,
        patient_id=patient.id, days=ALTERNATIVE_DAYS, count=ALTERNATIVES_OFFERED,
    )
    return StartNotFree(start, refusal.code, refusal.message, tuple(alternatives), refusal)


def cancel_rest_of_series(
    session: Session,
    series: AppointmentSeries,
    *,
    reason: str,
    source: BookingSource,
    now: datetime,
    user: User | None = None,
) -> list[Appointment]:
    """Cancel the series' booked appointments that have not started yet; return them.

    Past, checked-in, completed and already cancelled ones stay as they are.

    :raises Invalid: no reason given.
    """
    if not reason.strip():
        raise Invalid("Give a reason for the cancellation.", fields={"reason": "required"})
    remaining = session.scalars(
        select(Appointment)
        .where(
            Appointment.series_id == series.id,
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at > now,
        )
        .order_by(Appointment.starts_at)
    ).all()
    for appointment in remaining:
        change_status(session, appointment, AppointmentAction.CANCELLED, source=source, now=now, user=user,
                      reason=reason)
    return list(remaining)
