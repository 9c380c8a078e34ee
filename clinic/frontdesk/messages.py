"""What the front desk reads when a service refuses something: one message per stable error code."""
from __future__ import annotations

from collections.abc import Iterable

from flask_babel import format_date, format_time, gettext as _
from flask_babel import lazy_gettext as _l

from clinic.errors import DomainError
from clinic.localtime import to_local
from clinic.scheduling.spacing import SpacedAppointment

# clinic.scheduling ViolationCode → what went wrong with the chosen time.
VIOLATION_MESSAGES = {
    "in_past": _l("That time has already passed."),
    "too_soon": _l("That time is too soon to book."),
    "beyond_horizon": _l("That time is too far ahead to book."),
    "outside_working_hours": _l("The chiropractor does not work at that time."),
    "off_grid": _l("That is not one of the offered start times."),
    "time_off": _l("The chiropractor is away at that time."),
    "clinic_closed": _l("The clinic is closed at that time."),
    "overlaps_appointment": _l("That time overlaps another appointment."),
    "resource_taken": _l("The equipment this treatment needs is in use at that time."),
}

# clinic.contact and clinic.services.patients field codes → what to fix in the field.
FIELD_MESSAGES = {
    "required": _l("Please fill this in."),
    "too_long": _l("This is too long."),
    "invalid_characters": _l("This contains characters that cannot be used."),
    "no_letters": _l("A name needs at least one letter."),
    "not_in_past": _l("A date of birth must lie in the past."),
    "too_long_ago": _l("Please check the year: that is more than 130 years ago."),
    "invalid_email": _l("This is not a valid e-mail address."),
    "invalid_phone": _l("This is not a valid phone number."),
    "unknown_language": _l("Choose Dutch or English."),
    "unknown": _l("This no longer exists; please choose again."),
    "type_not_offered": _l("This chiropractor does not offer this treatment."),
    "invalid_postcode": _l("Enter a Dutch postcode as 1234 AB."),
    "unknown_country": _l("Choose a country from the list."),
    "patient_conflict": _l("Another patient has this e-mail address and date of birth. Check whether this is the "
                           "same person."),
}

# Codes of conflicts (409) the booking service raises.
CONFLICT_MESSAGES = {
    "slot_taken": _l("That time has just been taken. Please choose another time below."),
    "patient_busy": _l("The patient already has an appointment at that time."),
    "resource_taken": _l("The equipment this treatment needs has just been taken at that time. Please choose another time below."),
    "not_reschedulable": _l("Only a booked appointment can be moved."),
    "status_conflict": _l("This appointment was changed in the meantime; see its current status below."),
    "nothing_to_undo": _l("This appointment has no status to undo; see its current status below."),
}

# Codes of clinic.scheduling.status_rules: a status change at the wrong moment (422).
STATUS_TIMING_MESSAGES = {
    "too_early": _l("Not yet: check-in opens on the day, shortly before the start; "
                    "no-show and completed only once the appointment has started."),
    "too_late": _l("Check-in is only possible on the day of the appointment."),
    "too_late_to_undo": _l("A status can only be undone on the day it was set."),
}
STATUS_TIMING_CODES = frozenset(STATUS_TIMING_MESSAGES)
STATUS_NOT_NOW = _l("That change is not possible for this appointment now; see what is possible below.")

FALLBACK = _l("This could not be saved. Please check and try again.")


def violation_messages(codes: Iterable[str]) -> list[str]:
    """Return a message per broken booking rule, each once."""
    messages = []
    for code in codes:
        message = str(VIOLATION_MESSAGES.get(code, FALLBACK))
        if message not in messages:
            messages.append(message)
    return messages


def field_message(code: str) -> str:
    """Return the message for a field error code."""
    return str(FIELD_MESSAGES.get(code, FALLBACK))


def error_message(error: DomainError) -> str:
    """Return the message for a conflict or other refusal that is not about one field."""
    return str(CONFLICT_MESSAGES.get(error.code) or STATUS_TIMING_MESSAGES.get(error.code, FALLBACK))


def spacing_message(minimum_hours: int, other: SpacedAppointment) -> str:
    """Return the refusal of a time too close to another appointment of the type, naming that appointment."""
    start = to_local(other.start)
    return _("At least %(hours)d hours must lie between two of these treatments: the patient has one on "
             "%(day)s at %(time)s with %(chiropractor)s.", hours=minimum_hours, day=format_date(start, "full"),
             time=format_time(start, "HH:mm"), chiropractor=other.chiropractor_name)
