"""Filters and labels the templates use to show instants and codes in the visitor's language."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l

from clinic.localtime import to_local
from clinic.models.access_log import AccessAction, RecordPart
from clinic.messages import field_message

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "frontdesk": _l("Front desk"),
    "chiropractor": _l("Chiropractor"),
    "patient": _l("Patient"),
}

ACCESS_ACTION_LABELS = {
    AccessAction.READ.value: _l("Read"),
    AccessAction.SEARCH.value: _l("Found in a search"),
    AccessAction.PRINT.value: _l("Printed"),
    AccessAction.EXPORT.value: _l("Exported"),
    AccessAction.WRITE.value: _l("Changed"),
    AccessAction.REFUSED.value: _l("Access refused"),
}
RECORD_PART_LABELS = {
    RecordPart.PATIENT.value: _l("Contact details"),
    RecordPart.APPOINTMENT.value: _l("Appointment"),
    RecordPart.CLINICAL_RECORD.value: _l("Patient record overview"),
    RecordPart.TRAINING_LOG.value: _l("Training log"),
    RecordPart.TRAINING_SESSION.value: _l("Training session"),
    RecordPart.WELLNESS.value: _l("Check-ins"),
    RecordPart.CHECK_IN.value: _l("Check-in"),
    RecordPart.SCREENING.value: _l("Screening"),
    RecordPart.READINESS.value: _l("Readiness"),
    RecordPart.TREATMENT_NOTES.value: _l("Treatment notes"),
    RecordPart.TREATMENT_NOTE.value: _l("Treatment note"),
    RecordPart.CARE_EPISODES.value: _l("Care episodes"),
    RecordPart.CARE_EPISODE.value: _l("Care episode"),
    RecordPart.ACCESS_LOG.value: _l("Access log"),
}

STATUS_LABELS = {
    "booked": _l("Booked"),
    "checked_in": _l("Checked in"),
    "completed": _l("Completed"),
    "cancelled": _l("Cancelled"),
    "no_show": _l("No-show"),
}


def local_date(value: date | datetime | str, style: str = "medium") -> str:
    """Format a date or an instant's local date (or either's ISO text, as in a readiness result), e.g. '25 nov. 2026'."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return format_date(to_local(value).date() if isinstance(value, datetime) else value, style)


def local_time(instant: datetime) -> str:
    """Format an instant as local wall-clock time, e.g. '09:30'."""
    # The pattern is fixed and its digits are the same in every language the clinic speaks, so
    # strftime gives Babel's result without Babel's cost (the day view formats hundreds).
    return f"{to_local(instant):%H:%M}"


def local_datetime(instant: datetime) -> str:
    """Format an instant as local date and time to the minute, e.g. '1 dec 2026, 09:00'."""
    # Babel's medium date-time shows seconds, which no appointment or signature has.
    return get_locale().datetime_formats["medium"].format(local_time(instant), local_date(instant))


def local_iso(instant: datetime) -> str:
    """Return the instant in ISO 8601 with the Amsterdam offset, for ``<time datetime>``."""
    return to_local(instant).isoformat()


BOOKING_BLUEPRINTS = {"nl": "booking_nl", "en": "booking_en"}
PORTAL_BLUEPRINTS = {"nl": "portal_nl", "en": "portal_en"}
# Blueprints registered once per language: the language switch leads to the twin page.
TWIN_BLUEPRINTS = {blueprint: twins for twins in (BOOKING_BLUEPRINTS, PORTAL_BLUEPRINTS) for blueprint in twins.values()}


def language_url(language: str) -> str:
    """Return where the language switch for ``language`` leads from the current page.

    Pages with their own URL per language (booking, portal) switch to their twin; other
    pages remember the choice and come back.
    """
    if request.blueprint in TWIN_BLUEPRINTS and request.method == "GET":
        endpoint = f"{TWIN_BLUEPRINTS[request.blueprint][language]}.{request.endpoint.rsplit('.', 1)[1]}"
        return url_for(endpoint, **(request.view_args or {}), **request.args.to_dict())
    return url_for("public.switch_language", language=language, next=request.full_path.rstrip("?"))


def booking_url(language: str) -> str:
    """Return the start of the booking pages in ``language``."""
    return url_for(f"{BOOKING_BLUEPRINTS.get(language, 'booking_nl')}.choose")


def portal_url(language: str, page: str = "home") -> str:
    """Return a page of the patient portal (its start unless ``page`` names another) in ``language``."""
    return url_for(f"{PORTAL_BLUEPRINTS.get(language, 'portal_nl')}.{page}")


def privacy_url(language: str) -> str:
    """Return the privacy statement in ``language`` (Dutch for any other)."""
    return url_for("public.privacy_statement", language=language if language == "en" else "nl")


def init_templating(app: Flask) -> None:
    """Register the filters and the label tables with ``app``'s templates."""
    for name, function in (
        ("local_date", local_date),
        ("local_time", local_time),
        ("local_datetime", local_datetime),
        ("local_iso", local_iso),
    ):
        app.add_template_filter(function, name)
    app.jinja_env.globals.update(
        get_locale=get_locale,
        role_labels=ROLE_LABELS,
        status_labels=STATUS_LABELS,
        field_message=field_message,
        language_url=language_url,
        booking_url=booking_url,
        portal_url=portal_url,
        privacy_url=privacy_url,
    )
