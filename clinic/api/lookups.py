"""The rows a request names by id or code; a name that points nowhere is a 422 on that field."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.errors import Invalid
from clinic.models import AppointmentType, Chiropractor, Patient


def named_patient(session: Session, patient_id: int, field: str) -> Patient:
    """Return the patient with ``patient_id``, or refuse the request field ``field``."""
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise Invalid("No such patient.", fields={field: "unknown"})
    return patient


def named_chiropractor(session: Session, chiropractor_id: int, field: str) -> Chiropractor:
    """Return the chiropractor with ``chiropractor_id``, or refuse the request field ``field``."""
    chiropractor = session.get(Chiropractor, chiropractor_id)
    if chiropractor is None:
        raise Invalid("No such chiropractor.", fields={field: "unknown"})
    return chiropractor


def offered_type(session: Session, code: str, field: str, *, online: bool = False) -> AppointmentType:
    """Return the active appointment type with ``code`` (bookable online, if ``online``)."""
    query = select(AppointmentType).where(AppointmentType.code == code, AppointmentType.is_active)
    if online:
        query = query.where(AppointmentType.is_online_bookable)
    appointment_type = session.scalar(query)
    if appointment_type is None:
        raise Invalid("No such appointment type on offer.", fields={field: "unknown"})
    return appointment_type
