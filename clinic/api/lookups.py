"""The rows a request names by id or code; a name that points nowhere is a 422 on that field."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.errors import Invalid, NotFound
from clinic.models import AppointmentType, Chiropractor, Patient, RecordPart
from clinic.policy import Action, Resource
from clinic.services.access_log import Requester
from clinic.services.records import find_patient_for


def named_patient(session: Session, requester: Requester, patient_id: int, field: str) -> Patient:
    """Return the patient whose appointments ``requester`` is changing, or refuse the request field ``field``."""
    try:
        return find_patient_for(session, requester, patient_id, resource=Resource.APPOINTMENTS, action=Action.WRITE,
                                part=RecordPart.APPOINTMENT)
    except NotFound:
        raise Invalid("No such patient.", fields={field: "unknown"}) from None


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
