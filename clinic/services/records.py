"""Finding a patient's records for a user: only what the policy lets them reach, and always logged.

Every query here is built from the user's rights (``clinic.policy``): a record outside them is
as absent as a missing one (``NotFound``, a 404), so its existence does not leak. Each finder
also writes the access log row, so a view that finds a record cannot forget to log it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from clinic import policy
from clinic.bounds import MAX_ROW_ID
from clinic.errors import NotAllowed, NotFound
from clinic.models import (
    AccessAction,
    Appointment,
    Patient,
    RecordPart,
    Role,
    TrainingSession,
    TreatmentNote,
    User,
    WellnessCheckIn,
)
from clinic.policy import Action, Resource
from clinic.services import calendar
from clinic.services import treatment_notes as notes_service
from clinic.services.access_log import Requester, record_access
from clinic.services.online_booking import appointment_for_token
from clinic.services.patients import search_patients

# What each policy action is called in the access log.
LOGGED_AS = {
    Action.READ: AccessAction.READ,
    Action.WRITE: AccessAction.WRITE,
    Action.AMEND: AccessAction.WRITE,
    Action.EXPORT: AccessAction.EXPORT,
    Action.ERASE: AccessAction.WRITE,
}


def _scope(user: User, resource: Resource, action: Action) -> policy.Scope:
    scope = policy.scope_of(user.role, resource, action)
    if scope is None:
        raise NotAllowed("Your role may not do this.")
    return scope


def visible_patients(user: User, resource: Resource, action: Action) -> ColumnElement[bool]:
    """Return the condition on ``Patient`` that limits a query to the patients ``user`` may reach.

    :raises NotAllowed: the user's role may not take ``action`` on ``resource`` at all.
    """
    if _scope(user, resource, action) is policy.Scope.ALL:
        return true()
    return Patient.user_id == user.id


def patients_visible_to(user: User, resource: Resource = Resource.CONTACT_DETAILS, action: Action = Action.READ):
    """Return a query of the patients ``user`` may take ``action`` on in ``resource``."""
    return select(Patient).where(visible_patients(user, resource, action))


def _of_visible_patients(column, user: User, resource: Resource, action: Action) -> ColumnElement[bool]:
    """Return the condition limiting ``column`` (a patient id) to the patients ``user`` may reach."""
    if _scope(user, resource, action) is policy.Scope.ALL:
        return true()
    return column.in_(select(Patient.id).where(Patient.user_id == user.id))


def find_patient_for(
    session: Session,
    requester: Requester,
    patient_id: int,
    *,
    resource: Resource,
    action: Action,
    part: RecordPart,
    object_id: int | None = None,
    logged_as: AccessAction | None = None,
) -> Patient:
    """Return the patient if ``requester`` may reach them, and log the access to ``part`` of their record.

    The access is logged as what ``action`` is called in the log, unless ``logged_as`` says otherwise
    (a form that needs the right to write is only read until it is sent).
    """
    if not 0 < patient_id <= MAX_ROW_ID:
        raise NotFound("No such patient.")
    return _find_patient(session, requester, Patient.id == patient_id, resource, action, part, object_id, logged_as)


def find_own_patient_for(
    session: Session, requester: Requester, *, resource: Resource, action: Action, part: RecordPart,
    object_id: int | None = None,
) -> Patient:
    """Return the patient whose own account ``requester`` is, and log the access to ``part`` of their record."""
    return _find_patient(session, requester, Patient.user_id == requester.user.id, resource, action, part, object_id)


def _find_patient(session: Session, requester: Requester, which: ColumnElement[bool], resource: Resource,
                  action: Action, part: RecordPart, object_id: int | None, logged_as: AccessAction | None = None,
                  ) -> Patient:
    patient = session.scalar(patients_visible_to(requester.user, resource, action).where(which))
    if patient is None:
        raise NotFound("No such patient.")
    record_access(session, requester, patient.id, logged_as or LOGGED_AS[action], part, object_id)
    return patient


def search_patients_for(session: Session, requester: Requester, query: str) -> Sequence[Patient]:
    """Search the patients ``requester`` may see; log one search row per patient found (and shown)."""
    found = search_patients(
        session, query, visible=visible_patients(requester.user, Resource.CONTACT_DETAILS, Action.READ)
    )
    for patient in found:
        record_access(session, requester, patient.id, AccessAction.SEARCH, RecordPart.PATIENT, patient.id)
    return found


def log_patients_shown(session: Session, requester: Requester, patients: Sequence[Patient]) -> None:
    """Log that ``patients`` (found some other way, e.g. as look-alikes) were shown to ``requester``."""
    for patient in patients:
        record_access(session, requester, patient.id, AccessAction.SEARCH, RecordPart.PATIENT, patient.id)


def find_appointment_for(session: Session, requester: Requester, appointment_id: int, action: Action) -> Appointment:
    """Return the appointment (with its history) if ``requester`` may reach it, and log the access."""
    visible = _of_visible_patients(Appointment.patient_id, requester.user, Resource.APPOINTMENTS, action)
    appointment = calendar.appointment_with_history(session, appointment_id, visible=visible)
    record_access(session, requester, appointment.patient_id, LOGGED_AS[action], RecordPart.APPOINTMENT,
                  appointment.id)
    return appointment


def find_training_session_for(
    session: Session, requester: Requester, patient_id: int, session_id: int
) -> TrainingSession:
    """Return one training session of a patient ``requester`` may reach, and log the read."""
    return _find_training_row(session, requester, TrainingSession, patient_id, session_id, RecordPart.TRAINING_SESSION)


def find_check_in_for(session: Session, requester: Requester, patient_id: int, check_in_id: int) -> WellnessCheckIn:
    """Return one wellness check-in of a patient ``requester`` may reach, and log the read."""
    return _find_training_row(session, requester, WellnessCheckIn, patient_id, check_in_id, RecordPart.CHECK_IN)


def _find_training_row(session: Session, requester: Requester, model, patient_id: int, row_id: int,
                       part: RecordPart):
    visible = _of_visible_patients(model.patient_id, requester.user, Resource.TRAINING_DATA, Action.READ)
    record = session.scalar(select(model).where(model.id == row_id, model.patient_id == patient_id, visible))
    if record is None:
        raise NotFound(f"No such {part.value.replace('_', ' ')}.")
    record_access(session, requester, patient_id, AccessAction.READ, part, record.id)
    return record


def find_note_for(session: Session, requester: Requester, note_id: int, action: Action) -> TreatmentNote:
    """Return the treatment note ``requester`` may reach (another's draft is absent), and log the access."""
    _scope(requester.user, Resource.TREATMENT_NOTES, action)  # refuses a role without the right
    note = notes_service.note_for(session, note_id, requester.user)
    record_access(session, requester, note.patient_id, LOGGED_AS[action], RecordPart.TREATMENT_NOTE, note.id)
    return note


def find_appointment_by_link(
    session: Session, token: str, *, now: datetime, address: str | None, action: Action
) -> Appointment:
    """Return the appointment a patient's secret booking link opens, and log the patient's own access."""
    appointment = appointment_for_token(session, token, now)
    by_link = Requester(user=None, address=address, role=Role.PATIENT.value)
    record_access(session, by_link, appointment.patient_id, LOGGED_AS[action], RecordPart.APPOINTMENT, appointment.id)
    return appointment
