"""What the codes of domain errors mean, in the visitor's language.

Domain code raises stable codes (``ContactError("invalid_phone")``, ``Violation.code``); the web
layer turns them into sentences here, in one place.
"""
from flask_babel import lazy_gettext as _l

FIELD_MESSAGES = {
    "required": _l("Please fill this in."),
    "too_long": _l("This is too long."),
    "invalid_characters": _l("This contains characters we cannot store; please type it again."),
    "no_letters": _l("A name needs at least one letter."),
    "not_in_past": _l("Enter a date of birth in the past."),
    "too_long_ago": _l("Please check the year."),
    "invalid_email": _l("This is not a valid e-mail address."),
    "invalid_phone": _l("This is not a valid phone number."),
    "unknown_language": _l("Choose Dutch or English."),
    "unknown_type": _l("Choose a treatment."),
    "type_not_offered": _l("This chiropractor does not offer this treatment. Please choose another one."),
    "in_past": _l("This time has already passed."),
    "too_soon": _l("This time is too soon; please choose a later one."),
    "beyond_horizon": _l("This time is too far ahead to book online."),
    "outside_working_hours": _l("The chiropractor does not work at this time."),
    "off_grid": _l("Choose one of the times offered."),
    "time_off": _l("The chiropractor is away at this time."),
    "clinic_closed": _l("The clinic is closed at this time."),
    "overlaps_appointment": _l("This time is already taken."),
    "slot_taken": _l("Someone else just booked this time. Please choose another one."),
    "patient_busy": _l("You already have an appointment at this time."),
    "resource_taken": _l("The equipment for this treatment is in use at this time. Please choose another one."),
    "spacing_too_short": _l("You have another appointment for this treatment too close to this time. Please "
                            "choose a time further away from it."),
    "screening_needed": _l("This treatment can be booked online only while your screening by the chiropractor is "
                           "current. Please call us."),
    "too_many_open_bookings": _l(
        "You already have the maximum number of open online bookings. Call us to book more."
    ),
}


def field_message(code: str):
    """Return the sentence for an error code (the code itself if it has none yet)."""
    return FIELD_MESSAGES.get(code, code)
