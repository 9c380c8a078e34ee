"""The clinic's data model; import models from here."""
from clinic.models.access_log import AccessAction, AccessLogEntry, RecordPart
from clinic.models.after_visit import AFTER_VISIT_REMARKS_MAX_LENGTH, AfterVisitAnswer
from clinic.models.alerts import AlertAcknowledgement, AlertKind
from clinic.models.appointments import (
    ACTIVE_STATUSES,
    AFTER_EFFECT_MODALITIES,
    DEFAULT_FOLLOW_UP_DAYS,
    DESK_REMARKS_MAX_LENGTH,
    Appointment,
    AppointmentAction,
    AppointmentEvent,
    AppointmentSeries,
    AppointmentStatus,
    AppointmentType,
    BookingSource,
    ClinicResource,
    Modality,
    TypeNotOffered,
)
from clinic.models.messaging import (
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    PatientToken,
    ReminderOptOut,
    TokenPurpose,
)
from clinic.models.chiropractors import Chiropractor, ClinicClosure, TimeOff, WorkingHours
from clinic.models.patients import LANGUAGES, CreatedSource, Patient, PatientChange, PatientMerge, PatientSearchTerm
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
    "AFTER_EFFECT_MODALITIES",
    "AFTER_VISIT_REMARKS_MAX_LENGTH",
    "AfterVisitAnswer",
    "AlertAcknowledgement",
    "AlertKind",
    "AccessAction",
    "AccessLogEntry",
    "RecordPart",
    "ACTIVE_STATUSES",
    "AppointmentAction",
    "AppointmentEvent",
    "AppointmentSeries",
    "LANGUAGES",
    "NOTE_MODALITIES",
    "STAFF_ROLES",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "DEFAULT_FOLLOW_UP_DAYS",
    "DESK_REMARKS_MAX_LENGTH",
    "BookingSource",
    "Chiropractor",
    "ClinicClosure",
    "ClinicResource",
    "CreatedSource",
    "Modality",
    "TypeNotOffered",
    "NoteStatus",
    "MessageKind",
    "OutboxMessage",
    "ReminderOptOut",
    "OutboxStatus",
    "Patient",
    "PatientChange",
    "PatientMerge",
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
