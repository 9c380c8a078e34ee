"""The clinic's data model; import models from here."""
from clinic.models.access_log import AccessAction, AccessLogEntry, RecordPart
from clinic.models.appointments import (
    ACTIVE_STATUSES,
    Appointment,
    AppointmentAction,
    AppointmentEvent,
    AppointmentStatus,
    AppointmentType,
    BookingSource,
    Modality,
)
from clinic.models.messaging import OutboxMessage, OutboxStatus, PatientToken, TokenPurpose
from clinic.models.chiropractors import Chiropractor, TimeOff, WorkingHours
from clinic.models.patients import LANGUAGES, CreatedSource, Patient, PatientChange, PatientSearchTerm
from clinic.models.privacy import PatientErasure
from clinic.models.schedule import ScheduleRevision
from clinic.models.seals import SealCounter
from clinic.models.training import (
    PatientIndication,
    PatientReadinessProfile,
    PatientScreeningFlag,
    TrainingSession,
    WellnessCheckIn,
    WellnessComplaint,
)
from clinic.models.treatment_notes import (
    NOTE_MODALITIES,
    NoteStatus,
    TreatmentNote,
    TreatmentNoteAmendment,
    TreatmentNoteModality,
)
from clinic.models.users import STAFF_ROLES, ApiToken, Role, User

__all__ = [
    "AccessAction",
    "AccessLogEntry",
    "RecordPart",
    "ACTIVE_STATUSES",
    "AppointmentAction",
    "AppointmentEvent",
    "LANGUAGES",
    "NOTE_MODALITIES",
    "STAFF_ROLES",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "BookingSource",
    "Chiropractor",
    "CreatedSource",
    "Modality",
    "NoteStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Patient",
    "PatientChange",
    "PatientSearchTerm",
    "PatientErasure",
    "PatientIndication",
    "PatientReadinessProfile",
    "PatientScreeningFlag",
    "PatientToken",
    "Role",
    "ScheduleRevision",
    "SealCounter",
    "TimeOff",
    "TokenPurpose",
    "TrainingSession",
    "TreatmentNote",
    "TreatmentNoteAmendment",
    "TreatmentNoteModality",
    "User",
    "WellnessCheckIn",
    "WellnessComplaint",
    "WorkingHours",
]
