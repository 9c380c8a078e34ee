"""Reading the appointment book."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from clinic.localtime import day_bounds
from clinic.models import Appointment, Chiropractor


def active_chiropractors(session: Session) -> Sequence[Chiropractor]:
    """Return the chiropractors who take appointments, by name."""
    return session.scalars(select(Chiropractor).where(Chiropractor.is_active).order_by(Chiropractor.name)).all()


def appointments_on(session: Session, day: date) -> Sequence[Appointment]:
    """Return the appointments starting on the local ``day``, by start, with patient and type loaded."""
    start, end = day_bounds(day)
    return session.scalars(
        select(Appointment)
        .where(Appointment.starts_at >= start, Appointment.starts_at < end)
        .options(joinedload(Appointment.patient), joinedload(Appointment.appointment_type))
        .order_by(Appointment.starts_at, Appointment.chiropractor_id)
    ).all()
