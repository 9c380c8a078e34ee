"""Builders for the clinical tests: appointments, a training log and check-ins in the database."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ
from clinic.models import Appointment, AppointmentType, Chiropractor, TrainingSession, WellnessCheckIn


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """Return an aware Europe/Amsterdam datetime."""
    return datetime.combine(date(year, month, day), time(hour, minute), tzinfo=CLINIC_TZ)


def add_appointment(patient, starts_at: datetime, *, code: str = "sports_massage_30", status: str = "booked",
                    chiropractor: Chiropractor | None = None) -> Appointment:
    """Store an appointment for ``patient`` directly (the clinic must be seeded)."""
    appointment_type = db.session.scalar(select(AppointmentType).where(AppointmentType.code == code))
    chiropractor = chiropractor or db.session.scalars(select(Chiropractor).order_by(Chiropractor.id)).first()
    ends_at = starts_at + timedelta(minutes=appointment_type.duration_minutes)
    appointment = Appointment(
        patient_id=patient.id, chiropractor_id=chiropractor.id, appointment_type_id=appointment_type.id,
        starts_at=starts_at, ends_at=ends_at, buffer_ends_at=ends_at, source="frontdesk", status=status,
        cancelled_at=starts_at if status == "cancelled" else None,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def add_training_log(patient, last_day: date, loads: list[tuple[int, int]], *, hour: int = 18) -> None:
    """Store one session per day ending on ``last_day``: (minutes, RPE) pairs, (0, 0) for a rest day."""
    first = last_day - timedelta(days=len(loads) - 1)
    for offset, (minutes, rpe) in enumerate(loads):
        if minutes:
            db.session.add(TrainingSession(
                patient_id=patient.id, ended_at=datetime.combine(first + timedelta(days=offset), time(hour), tzinfo=CLINIC_TZ),
                duration_minutes=minutes, rpe=rpe, kind="training",
            ))
    db.session.flush()


def add_check_ins(patient, last_day: date, rows: list[dict]) -> None:
    """Store one check-in per day ending on ``last_day``; an empty dict skips that day."""
    first = last_day - timedelta(days=len(rows) - 1)
    for offset, row in enumerate(rows):
        if row:
            db.session.add(WellnessCheckIn(patient_id=patient.id, day=first + timedelta(days=offset), **row))
    db.session.flush()
