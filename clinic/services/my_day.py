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
from clinic.services import readiness as readiness_service
from clinic.services.appointments import appointments_on

# Appointments that will not take place: listed, but nothing is evaluated or written for them.
NOT_TAKING_PLACE = frozenset({"cancelled", "no_show"})


@dataclass(frozen=True)
class DayAppointment:
    """One appointment of the day with its note (if written) and the readiness at its start (if it takes place)."""

    appointment: Appointment
    note: TreatmentNote | None
    readiness: readiness.ReadinessResult | None

    @property
    def takes_place(self) -> bool:
        return self.readiness is not None


def chiropractor_of(session: Session, user: User) -> Chiropractor | None:
    """Return the chiropractor whose account ``user`` is, if any."""
    return session.scalar(select(Chiropractor).where(Chiropractor.user_id == user.id))


def day_of(session: Session, chiropractor: Chiropractor | None, day: date) -> list[DayAppointment]:
    """Return ``chiropractor``'s appointments (everyone's for None) starting on the local ``day``, by start time."""
    appointments = [appointment for appointment in appointments_on(session, day)
                    if chiropractor is None or appointment.chiropractor_id == chiropractor.id]
    notes = {note.appointment_id: note for note in session.scalars(select(TreatmentNote).where(
        TreatmentNote.appointment_id.in_([appointment.id for appointment in appointments])))}
    return [evaluated(session, appointment, notes.get(appointment.id)) for appointment in appointments]


def evaluated(session: Session, appointment: Appointment, note: TreatmentNote | None = None) -> DayAppointment:
    """Return the appointment with the readiness at its start (none for one that will not take place)."""
    return DayAppointment(
        appointment, note,
        None if appointment.status in NOT_TAKING_PLACE
        else readiness_service.evaluate_readiness(session, appointment.patient, appointment.starts_at),
    )
