"""Finding a patient's records for a user: only what the policy lets them reach, and always logged.

Every query here is built from the user's rights (``clinic.policy``): a record outside them is
as absent as a missing one (``NotFound``, a 404), so its existence does not leak. Each finder
also writes the access log row, so a view that finds a record cannot forget to log it; and when
it refuses a record that exists (``NotAllowed`` or ``NotFound``), it logs the refused attempt,
answering exactly as it would have without the log. ``log_refused_request`` does the same for a
request the policy turns away before any finder runs.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from clinic import policy
from clinic.bounds import MAX_ROW_ID
from clinic.errors import NotAllowed, NotFound
from clinic.models import (
    AccessAction,
    Appointment,
    CareEpisode,
    Patient,
    RecordPart,
    Role,
    TrainingSession,
    TreatmentNote,
    User,
    WaitlistEntry,
    WellnessCheckIn,
)
from clinic.policy import Action, Resource
from clinic.services import calendar
from clinic.services import treatment_notes as notes_service
from clinic.services.access_log import Requester, record_access
from clinic.services.online_booking import appointment_for_token
from clinic.services.patient_merge import not_merged_away
from clinic.services.patients import search_patients

# What each policy action is called in the access log.
LOGGED_AS = {
    Action.READ: AccessAction.READ,
    Action.WRITE: AccessAction.WRITE,
    Action.AMEND: AccessAction.WRITE,
    Action.EXPORT: AccessAction.EXPORT,
    Action.ERASE: AccessAction.WRITE,
    Action.MERGE: AccessAction.WRITE,
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
    # A record merged into another is a tombstone: absent, as a missing one is.
    if _scope(user, resource, action) is policy.Scope.ALL:
        return not_merged_away()
    return and_(Patient.user_id == user.id, not_merged_away())


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
    with _refusal_logged(session, requester, select(Patient.id).where(which), part, object_id):
        patient = session.scalar(patients_visible_to(requester.user, resource, action).where(which))
        if patient is None:
            raise NotFound("No such patient.")
    record_access(session, requester, patient.id, logged_as or LOGGED_AS[action], part, object_id)
    return patient


@contextmanager
def _refusal_logged(session: Session, requester: Requester, patient_of_record: Select, part: RecordPart,
                    object_id: int | None = None) -> Iterator[None]:
    """Log the refused attempt when the block refuses a record that exists, and let the refusal go on.

    ``patient_of_record`` selects the id of the patient whose record is asked for, whoever may see
    it; it finds none for a record that does not exist, which is absent, not refused.
    """
    try:
        yield
    except (NotAllowed, NotFound):
        patient_id = session.scalar(patient_of_record)
        if patient_id is not None:
            record_access(session, requester, patient_id, AccessAction.REFUSED, part, object_id)
        raise


# The URL arguments that name a patient's record or a row of it: the row's id and patient columns,
# and which part of the record the row is (a patient's page: by the resource the policy guards).
RECORD_URL_ARGUMENTS: Mapping[str, tuple[InstrumentedAttribute, InstrumentedAttribute, RecordPart | None]] = {
    "patient_id": (Patient.id, Patient.id, None),
    "appointment_id": (Appointment.id, Appointment.patient_id, RecordPart.APPOINTMENT),
    "note_id": (TreatmentNote.id, TreatmentNote.patient_id, RecordPart.TREATMENT_NOTE),
    "episode_id": (CareEpisode.id, CareEpisode.patient_id, RecordPart.CARE_EPISODE),
    # A waitlist entry is part of the patient's appointments.
    "entry_id": (WaitlistEntry.id, WaitlistEntry.patient_id, RecordPart.APPOINTMENT),
}


def _patient_of(url_argument: str, record_id: int) -> Select:
    """Select the id of the patient whose row ``url_argument`` names, whoever may see it."""
    id_column, patient_column, _ = RECORD_URL_ARGUMENTS[url_argument]
    return select(patient_column).where(id_column == record_id)


def refusal_of_row_logged(session: Session, requester: Requester, url_argument: str, record_id: int):
    """Return a context that logs a refused attempt at the row ``url_argument`` names (an appointment or a note)."""
    part = RECORD_URL_ARGUMENTS[url_argument][2]
    return _refusal_logged(session, requester, _patient_of(url_argument, record_id), part, record_id)


# The part of the record a whole patient's page reaches, by the resource the policy guards it with.
PART_OF_RESOURCE = {
    Resource.CONTACT_DETAILS: RecordPart.PATIENT,
    Resource.APPOINTMENTS: RecordPart.APPOINTMENT,
    Resource.TRAINING_DATA: RecordPart.CLINICAL_RECORD,
    Resource.READINESS_VERDICT: RecordPart.READINESS,
    Resource.TREATMENT_NOTES: RecordPart.TREATMENT_NOTES,
    Resource.ACCESS_LOG: RecordPart.ACCESS_LOG,
}


def log_refused_request(session: Session, requester: Requester, url_arguments: Mapping[str, object],
                        resource: Resource | None) -> None:
    """Log a request the policy refused before any finder ran, if its URL names a patient's record that exists.

    ``url_arguments`` are the request's; ``resource`` is what the policy guards the endpoint with.
    """
    for name, (_, _, part) in RECORD_URL_ARGUMENTS.items():
        record_id = url_arguments.get(name)
        if not isinstance(record_id, int):
            continue
        patient_id = session.scalar(_patient_of(name, record_id))
        if patient_id is not None:
            record_access(session, requester, patient_id, AccessAction.REFUSED,
                          part or PART_OF_RESOURCE.get(resource, RecordPart.CLINICAL_RECORD),
                          None if name == "patient_id" else record_id)
        return


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


def log_day_list_printed(session: Session, requester: Requester, appointments: Sequence[Appointment]) -> None:
    """Log that a day list with ``appointments`` (names and phone numbers) was made for printing."""
    for appointment in appointments:
        record_access(session, requester, appointment.patient_id, AccessAction.PRINT, RecordPart.APPOINTMENT,
                      appointment.id)


def find_appointment_for(session: Session, requester: Requester, appointment_id: int, action: Action) -> Appointment:
    """Return the appointment (with its history) if ``requester`` may reach it, and log the access."""
    with refusal_of_row_logged(session, requester, "appointment_id", appointment_id):
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
    with _refusal_logged(session, requester, select(model.patient_id).where(model.id == row_id,
                                                                            model.patient_id == patient_id),
                         part, row_id):
        visible = _of_visible_patients(model.patient_id, requester.user, Resource.TRAINING_DATA, Action.READ)
        record = session.scalar(select(model).where(model.id == row_id, model.patient_id == patient_id, visible))
        if record is None:
            raise NotFound(f"No such {part.value.replace('_', ' ')}.")
    record_access(session, requester, patient_id, AccessAction.READ, part, record.id)
    return record


def find_note_for(session: Session, requester: Requester, note_id: int, action: Action) -> TreatmentNote:
    """Return the treatment note ``requester`` may reach (another's draft is absent), and log the access."""
    with refusal_of_row_logged(session, requester, "note_id", note_id):
        _scope(requester.user, Resource.TREATMENT_NOTES, action)  # refuses a role without the right
        note = notes_service.note_for(session, note_id, requester.user)
    record_access(session, requester, note.patient_id, LOGGED_AS[action], RecordPart.TREATMENT_NOTE, note.id)
    return note


def find_episode_for(session: Session, requester: Requester, episode_id: int, action: Action,
                     resource: Resource = Resource.TREATMENT_NOTES) -> CareEpisode:
    """Return the care episode if ``requester`` may reach it, and log the access.

    Staff reach it as part of the treatment record; a patient reaches their own through the portal,
    where filling in its outcome measures is like keeping their training log (``Resource.TRAINING_DATA``).
    """
    with refusal_of_row_logged(session, requester, "episode_id", episode_id):
        visible = _of_visible_patients(CareEpisode.patient_id, requester.user, resource, action)
        episode = session.scalar(select(CareEpisode).join(Patient).where(
            CareEpisode.id == episode_id, visible, not_merged_away()))
        if episode is None:
            raise NotFound("No such care episode.")
    record_access(session, requester, episode.patient_id, LOGGED_AS[action], RecordPart.CARE_EPISODE, episode.id)
    return episode


def find_appointment_by_link(
    session: Session, token: str, *, now: datetime, address: str | None, action: Action
) -> Appointment:
    """Return the appointment a patient's secret booking link opens, and log the patient's own access."""
    appointment = appointment_for_token(session, token, now)
    by_link = Requester(user=None, address=address, role=Role.PATIENT.value)
    record_access(session, by_link, appointment.patient_id, LOGGED_AS[action], RecordPart.APPOINTMENT, appointment.id)
    return appointment
