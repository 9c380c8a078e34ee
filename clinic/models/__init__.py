"""The clinic's data model; import models from here."""
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
from clinic.models.patients import LANGUAGES, CreatedSource, Patient
from clinic.models.users import STAFF_ROLES, ApiToken, Role, User

__all__ = [
    "ACTIVE_STATUSES",
    "AppointmentAction",
    "AppointmentEvent",
    "LANGUAGES",
    "STAFF_ROLES",
    "ApiToken",
    "Appointment",
    "AppointmentStatus",
    "AppointmentType",
    "BookingSource",
    "Chiropractor",
    "CreatedSource",
    "Modality",
    "OutboxMessage",
    "OutboxStatus",
    "Patient",
    "PatientToken",
    "Role",
    "TimeOff",
    "TokenPurpose",
    "User",
    "WorkingHours",
]
