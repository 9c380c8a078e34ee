"""A chiropractor's day: their own appointments of one date, each with the patient's readiness at its start.

The readiness is evaluated once per appointment, at its start, so the list costs one evaluation
per row however many patients come back twice. Pure of Flask.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic import readiness
from clinic.models import Appointment, Chiropractor, TreatmentNote, User
from clinic.readiness.states import ScreeningStatus
from clinic.services import readiness as readiness_service
from clinic.services.appointments import appointments_on

# The warning level from which the chiropractor is alerted: "reduce load" and "refer" (DOMAIN.md).
ALERT_WARNING_LEVEL = 2
# Appointments that will not take place: listed, but nothing is evaluated or written for them.
NOT_TAKING_PLACE = frozenset({"cancelled", "no_show"})


@dataclass(frozen=True)
class Alert:
    """Something the chiropractor should look at before the treatment: ``kind``, and ``detail`` (a flag, a level…)."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class DayAppointment:
    """One appointment of the day with its note (if written) and the readiness at its start (if it takes place)."""

    appointment: Appointment
    note: TreatmentNote | None
    readiness: readiness.ReadinessResult | None

    @property
    def alerts(self) -> tuple[Alert, ...]:
        return alerts_in(self.readiness) if self.readiness is not None else ()

    @property
    def takes_place(self) -> bool:
        return self.readiness is not None


def alerts_in(result: readiness.ReadinessResult) -> tuple[Alert, ...]:
    """Return what in a readiness result needs the chiropractor's attention: red flags, a high warning level, screening."""
    alerts = [Alert("red_flag", referral.flag) for referral in result.red_flags]
    if result.overtraining_level >= ALERT_WARNING_LEVEL:
        alerts.append(Alert("warning_level", str(result.overtraining_level)))
    if result.screening.status is not ScreeningStatus.CURRENT:
        alerts.append(Alert("screening", result.screening.status.key))
    return tuple(alerts)


def chiropractor_of(session: Session, user: User) -> Chiropractor | None:
    """Return the chiropractor whose account ``user`` is, if any."""
    return session.scalar(select(Chiropractor).where(Chiropractor.user_id == user.id))


def day_of(session: Session, chiropractor: Chiropractor, day: date) -> list[DayAppointment]:
    """Return ``chiropractor``'s appointments starting on the local ``day``, by start time."""
    appointments = [appointment for appointment in appointments_on(session, day)
                    if appointment.chiropractor_id == chiropractor.id]
    notes = {note.appointment_id: note for note in session.scalars(select(TreatmentNote).where(
        TreatmentNote.appointment_id.in_([appointment.id for appointment in appointments])))}
    return [DayAppointment(
        appointment, notes.get(appointment.id),
        None if appointment.status in NOT_TAKING_PLACE
        else readiness_service.evaluate_readiness(session, appointment.patient, appointment.starts_at),
    ) for appointment in appointments]
