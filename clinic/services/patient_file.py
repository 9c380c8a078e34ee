"""What the front desk's patient page shows besides the details: appointments and their counts, changes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from clinic.models import Appointment, AppointmentStatus, PatientChange


@dataclass(frozen=True)
class AppointmentHistory:
    upcoming: Sequence[Appointment]  # soonest first
    past: Sequence[Appointment]  # latest first
    no_shows: int
    late_cancellations: int  # cancelled after the deadline patients may cancel by themselves


def appointment_history(session: Session, patient_id: int, *, now: datetime,
                        cancellation_deadline: timedelta) -> AppointmentHistory:
    """Return the patient's appointments (cancelled ones too) split at ``now``, with the counts the desk watches."""
    appointments = session.scalars(
        select(Appointment).where(Appointment.patient_id == patient_id)
        .options(joinedload(Appointment.appointment_type), joinedload(Appointment.chiropractor))
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    return AppointmentHistory(
        upcoming=[a for a in appointments if a.starts_at >= now],
        past=[a for a in reversed(appointments) if a.starts_at < now],
        no_shows=sum(a.status == AppointmentStatus.NO_SHOW.value for a in appointments),
        late_cancellations=sum(
            a.status == AppointmentStatus.CANCELLED.value and a.cancelled_at > a.starts_at - cancellation_deadline
            for a in appointments
        ),
    )


def detail_changes(session: Session, patient_id: int) -> Sequence[PatientChange]:
    """Return the recorded changes of the patient's details, newest first, with who made them."""
    return session.scalars(
        select(PatientChange).where(PatientChange.patient_id == patient_id)
        .options(joinedload(PatientChange.changed_by))
        .order_by(PatientChange.changed_at.desc(), PatientChange.id.desc())
    ).all()
