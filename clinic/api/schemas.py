"""The shapes the API takes and gives, as marshmallow schemas.

The same schema objects validate requests, serialise responses and describe both in the
OpenAPI document, so the document cannot drift from what the code accepts.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import marshmallow as ma
from flask_babel import get_locale
from marshmallow import fields, validate

from clinic.bounds import BIRTH_DAYS, CLINIC_DAYS, MAX_ROW_ID, DayRange
from clinic.localtime import to_local
from clinic.models import DESK_REMARKS_MAX_LENGTH, LANGUAGES, AppointmentStatus, BookingSource, Modality
from clinic.scheduling.waitlist import weekdays_of
from clinic.text import is_storable

MAX_AVAILABILITY_DAYS = 31
CHANGEABLE_STATUSES = tuple(status.value for status in AppointmentStatus)


class Text(fields.String):
    """A string of bounded length without characters no database stores (see ``clinic.text``)."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(validate=[validate.Length(max=max_length), storable], **kwargs)


def storable(value: str) -> None:
    """Refuse NUL, lone surrogates and other control characters than tab and line breaks."""
    if not is_storable(value):
        raise ma.ValidationError("Contains a character that cannot be stored (a control character or a lone surrogate).")


class Id(fields.Integer):
    """A row id: a positive integer that fits the database's integer columns.

    JSON must send a number (strict); a query string can only send digits.
    """

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=validate.Range(min=1, max=MAX_ROW_ID), **kwargs)


class Day(fields.Date):
    """A local calendar date (YYYY-MM-DD) within ``within`` (``clinic.bounds``; the web forms take the same)."""

    def __init__(self, *, within: DayRange = CLINIC_DAYS, **kwargs):
        super().__init__(validate=validate.Range(min=within.first, max=within.last), **kwargs)


class Instant(fields.AwareDateTime):
    """An instant: read with an explicit UTC offset (never guessed), written in Amsterdam time.

    "2026-12-01T09:00:00+01:00" and "2026-12-01T08:00:00Z" are the same instant.
    """

    default_error_messages = {
        "invalid_awareness": "Give the time with its UTC offset, e.g. 2026-12-01T09:00:00+01:00.",
    }

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        instant = super()._deserialize(value, attr, data, **kwargs)
        if instant.date() not in CLINIC_DAYS:
            raise ma.ValidationError(f"Must lie between {CLINIC_DAYS.first} and {CLINIC_DAYS.last}.")
        return instant.astimezone(timezone.utc)

    def _serialize(self, value, attr, obj, **kwargs) -> str | None:
        return None if value is None else to_local(value).isoformat()


def whole_minute(instant: datetime) -> None:
    """Refuse a start with seconds: appointments begin on the minute."""
    if instant.second or instant.microsecond:
        raise ma.ValidationError("Must be a whole minute (no seconds).")


class Schema(ma.Schema):
    """Refuse unknown fields in request bodies; a typo must not pass silently."""

    class Meta:
        unknown = ma.RAISE


# Errors ----------------------------------------------------------------------------------------


class SeriesConflictSchema(Schema):
    start = fields.String(required=True, metadata={"format": "date-time", "description": "A start of the series that is not free"})
    code = fields.String(required=True, metadata={"description": "slot_taken, patient_busy, resource_taken, spacing_too_short or booking_rejected"})
    message = fields.String(required=True)
    alternatives = fields.List(
        fields.String(metadata={"format": "date-time"}), required=True,
        metadata={"description": "The nearest free starts with the same chiropractor, nearest first"},
    )


class OtherAppointmentSchema(Schema):
    id = fields.Integer(required=True)
    start = fields.String(required=True, metadata={"format": "date-time"})
    chiropractor = fields.String(required=True, metadata={"description": "The chiropractor's name"})


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Stable, machine-readable reason"})
    message = fields.String(required=True, metadata={"description": "Explanation in English"})
    field_errors = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        data_key="fields",
        metadata={"description": "What is wrong with each request field or parameter, by its name"},
    )
    conflicts = fields.List(
        fields.Nested(SeriesConflictSchema),
        metadata={"description": "A series that is not free (series_not_free): each start that is not, nothing booked"},
    )
    other_appointment = fields.Nested(
        OtherAppointmentSchema,
        metadata={"description": "A start too close to another of the patient's appointments of the type "
                                 "(spacing_too_short): the nearest such appointment"},
    )


class ErrorSchema(Schema):
    """Every error the API returns, whatever its status."""

    error = fields.Nested(ErrorDetailSchema, required=True)


# Chiropractors, appointment types, availability -----------------------------------------------


class ChiropractorSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    types = fields.List(
        fields.String(), required=True,
        metadata={"description": "Codes of the appointment types this chiropractor offers", "example": ["intake"]},
    )


class ChiropractorListSchema(Schema):
    chiropractors = fields.List(fields.Nested(ChiropractorSchema), required=True)


class ResourceSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True, metadata={"example": "Decompressietafel"})


class ResourceListSchema(Schema):
    resources = fields.List(fields.Nested(ResourceSchema), required=True)


class AppointmentTypeSchema(Schema):
    code = fields.String(required=True, metadata={"example": "sports_massage_30"})
    name = fields.Method(
        "localised_name", required=True, metadata={"type": "string", "description": "In the request's language"}
    )
    duration_minutes = fields.Integer(required=True)
    modality = fields.String(required=True, validate=validate.OneOf([m.value for m in Modality]))
    online_bookable = fields.Boolean(required=True, attribute="is_online_bookable")
    min_hours_apart = fields.Integer(
        required=True, metadata={"description": "A patient's appointments of the type start at least this many "
                                                "hours apart (0: no rule)"},
    )
    resource = fields.Nested(
        ResourceSchema, required=True, allow_none=True,
        metadata={"description": "What the type takes besides the chiropractor, for its duration and buffer; null if nothing"},
    )


    def localised_name(self, appointment_type) -> str:
        """Return the type's name in the language of the request (Dutch unless asked otherwise)."""
        return appointment_type.name(get_locale().language)


class AppointmentTypeListSchema(Schema):
    appointment_types = fields.List(fields.Nested(AppointmentTypeSchema), required=True)


class AvailabilityQuerySchema(Schema):
    type = Text(max_length=40, required=True, metadata={"description": "Appointment type code", "example": "intake"})
    first_day = Day(required=True, data_key="from", metadata={"description": "First local date", "example": "2026-12-01"})
    last_day = Day(
        required=True,
        data_key="to",
        metadata={"description": f"Last local date, at most {MAX_AVAILABILITY_DAYS} days after 'from' counted inclusively"},
    )
    chiropractor = Id(strict=False, metadata={"description": "Only this chiropractor's slots"})

    @ma.validates_schema
    def check_span(self, data, **kwargs):
        first, last = data.get("first_day"), data.get("last_day")
        if first is None or last is None:
            return
        if last < first:
            raise ma.ValidationError("Must not be before 'from'.", "to")
        if (last - first).days + 1 > MAX_AVAILABILITY_DAYS:
            raise ma.ValidationError(f"Ask for at most {MAX_AVAILABILITY_DAYS} days at a time.", "to")


class SlotSchema(Schema):
    chiropractor_id = fields.Integer(required=True)
    start = Instant(required=True)
    end = Instant(required=True)


class SlotListSchema(Schema):
    slots = fields.List(fields.Nested(SlotSchema), required=True)


# Appointments ----------------------------------------------------------------------------------


class BookedAppointmentSchema(Schema):
    """An appointment as the public sees it: no internal ids (the patient's would tell whether they are new)."""

    chiropractor_id = fields.Integer(required=True)
    type = fields.String(required=True, attribute="appointment_type.code", metadata={"description": "Appointment type code"})
    start = Instant(required=True, attribute="starts_at")
    end = Instant(required=True, attribute="ends_at")
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in AppointmentStatus]))
    source = fields.String(required=True, validate=validate.OneOf([s.value for s in BookingSource]))


class AppointmentSchema(BookedAppointmentSchema):
    """An appointment as staff see it: with its own id and the patient's."""

    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    desk_remarks = fields.String(
        required=True, metadata={"description": "Practical remarks for the desk (shown on the day view); nothing clinical"}
    )


def desk_remarks_field(**kwargs) -> Text:
    """The desk remarks of an appointment as a request gives them: at most what the database keeps."""
    return Text(max_length=DESK_REMARKS_MAX_LENGTH, metadata={"description": "Practical remarks for the desk; "
                "nothing clinical. An empty string removes them", "example": "Komt met rolstoel"}, **kwargs)


class AppointmentListSchema(Schema):
    appointments = fields.List(fields.Nested(AppointmentSchema), required=True)


class AppointmentQuerySchema(Schema):
    day = Day(required=True, data_key="date", metadata={"description": "Local date", "example": "2026-12-01"})
    chiropractor = Id(strict=False, metadata={"description": "Only this chiropractor's appointments"})


class NewAppointmentSchema(Schema):
    patient_id = Id(required=True)
    chiropractor_id = Id(
        allow_none=True, load_default=None, metadata={"description": "null or absent: the first chiropractor free then"}
    )
    type = Text(max_length=40, required=True, metadata={"description": "Appointment type code", "example": "intake"})
    start = Instant(required=True, validate=whole_minute, metadata={"example": "2026-12-01T09:00:00+01:00"})
    desk_remarks = desk_remarks_field(load_default="")


class NewClosureSchema(Schema):
    start = Instant(required=True, validate=whole_minute, metadata={"example": "2027-04-27T00:00:00+02:00"})
    end = Instant(required=True, validate=whole_minute, metadata={"example": "2027-04-28T00:00:00+02:00"})
    reason = Text(max_length=200, required=True, metadata={"example": "Koningsdag"})


class ClosureSchema(Schema):
    """A clinic closure, with the active appointments in it that the desk has to move."""

    id = fields.Integer(required=True, attribute="closure.id")
    start = Instant(required=True, attribute="closure.starts_at")
    end = Instant(required=True, attribute="closure.ends_at")
    reason = fields.String(required=True, attribute="closure.reason")
    appointments = fields.List(
        fields.Nested(AppointmentSchema), required=True, metadata={"description": "Booked in the closure: to move"}
    )


class NewSeriesSchema(Schema):
    patient_id = Id(required=True)
    chiropractor_id = Id(required=True)
    type = Text(max_length=40, required=True, metadata={"description": "Appointment type code", "example": "follow_up"})
    first_start = Instant(required=True, validate=whole_minute, metadata={"example": "2027-03-16T09:00:00+01:00"})
    rule = Text(
        max_length=200, required=True,
        metadata={
            "description": "RFC 5545 RRULE applied to the local wall-clock time of first_start: FREQ (DAILY, WEEKLY, "
            "MONTHLY), INTERVAL, BYDAY, and COUNT (1-26) or UNTIL; all within a year",
            "example": "FREQ=WEEKLY;COUNT=6",
        },
    )


class SeriesSchema(Schema):
    """A booked series: every appointment of it, by start."""

    series_id = fields.Integer(required=True, attribute="series.id")
    rule = fields.String(required=True, attribute="series.rule",
                         metadata={"description": "The local first start, zone and RRULE, as iCalendar writes them"})
    appointments = fields.List(fields.Nested(AppointmentSchema), required=True)


class SeriesCancellationSchema(Schema):
    reason = Text(max_length=500, required=True, metadata={"example": "Klachten verdwenen"})


class CancelledSeriesSchema(Schema):
    series_id = fields.Integer(required=True)
    cancelled = fields.List(
        fields.Nested(AppointmentSchema), required=True,
        metadata={"description": "The booked appointments of the series that had not started yet"},
    )


class AppointmentChangeSchema(Schema):
    """Either a new status (with a reason when cancelling or undoing) or a new start, not both;
    and/or new remarks for the desk."""

    status = fields.String(
        validate=validate.OneOf(CHANGEABLE_STATUSES),
        metadata={"description": "booked: undo a wrong check-in, completion or no-show, the same day, with a reason"},
    )
    reason = Text(max_length=500, metadata={"description": "Why; required when cancelling or undoing (booked)"})
    start = Instant(validate=whole_minute, metadata={"description": "Move the appointment to this start"})
    desk_remarks = desk_remarks_field()

    @ma.validates_schema
    def one_change(self, data, **kwargs):
        if "status" in data and "start" in data:
            raise ma.ValidationError("Change the status or the start, not both at once.", "start")
        if "status" not in data and "start" not in data and "desk_remarks" not in data:
            raise ma.ValidationError("Give a new status, a new start or new desk remarks.", "status")
        if "reason" in data and "status" not in data:
            raise ma.ValidationError("A reason goes with a status change.", "reason")


# Patients --------------------------------------------------------------------------------------


class WholeObject(fields.Nested):
    """A nested object made of some of the parent's own attributes (``address`` of a patient's address_* columns)."""

    def get_value(self, obj, attr, accessor=None, default=ma.missing):
        return obj


class AddressSchema(Schema):
    street = fields.String(required=True, attribute="address_street")
    house_number = fields.String(required=True, attribute="address_house_number")
    postcode = fields.String(required=True, attribute="address_postcode", metadata={"description": "Dutch: 1234 AB"})
    city = fields.String(required=True, attribute="address_city")
    country = fields.String(required=True, attribute="address_country", metadata={"description": "ISO 3166-1 alpha-2"})


class GpSchema(Schema):
    name = fields.String(required=True, attribute="gp_name")
    practice = fields.String(required=True, attribute="gp_practice")
    phone = fields.String(required=True, allow_none=True, attribute="gp_phone", metadata={"description": "E.164"})


class InsurerSchema(Schema):
    name = fields.String(required=True, attribute="insurer_name")
    policy_number = fields.String(required=True, attribute="insurer_policy_number")


class EmergencyContactSchema(Schema):
    name = fields.String(required=True, attribute="emergency_contact_name")
    phone = fields.String(required=True, allow_none=True, attribute="emergency_contact_phone",
                          metadata={"description": "E.164"})
    relation = fields.String(required=True, attribute="emergency_contact_relation")


class PatientSchema(Schema):
    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    date_of_birth = fields.Date(required=True)
    email = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True, metadata={"description": "E.164, e.g. +31612345678"})
    preferred_language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    language = fields.Function(lambda patient: patient.preferred_language, required=True, metadata={
        "type": "string", "enum": list(LANGUAGES), "description": "The same as preferred_language, by the name PATCH takes"})
    sport = fields.String(required=True)
    desk_remarks = fields.String(required=True, metadata={"description": "Practical notes for the desk; nothing clinical"})
    address = WholeObject(AddressSchema, required=True)
    gp = WholeObject(GpSchema, required=True, metadata={"description": "The huisarts"})
    insurer = WholeObject(InsurerSchema, required=True)
    emergency_contact = WholeObject(EmergencyContactSchema, required=True)


class PatientListSchema(Schema):
    patients = fields.List(fields.Nested(PatientSchema), required=True)


class PatientQuerySchema(Schema):
    q = Text(
        max_length=200,
        load_default="",
        metadata={"description": "Any part of the name (accents and case aside), date of birth (YYYY-MM-DD or "
                                 "DD-MM-YYYY), e-mail, phone in any notation or postcode; words narrow"},
    )


class NewPatientSchema(Schema):
    # The service normalises and checks these (and answers per-field codes); the limits here
    # only keep absurd input away from it.
    first_name = Text(max_length=200, required=True, metadata={"example": "Sanne"})
    last_name = Text(max_length=200, required=True, metadata={"example": "de Vries"})
    date_of_birth = Day(within=BIRTH_DAYS, required=True, metadata={"example": "1990-05-17"})
    email = Text(max_length=254, load_default="")
    phone = Text(max_length=40, load_default="", metadata={"description": "Dutch numbers may leave out +31"})
    preferred_language = fields.String(load_default="nl", validate=validate.OneOf(LANGUAGES))
    sport = Text(max_length=200, load_default="")


# A change: any of the details; the service normalises and checks them and names each bad one by
# its dotted path. The limits here only keep absurd input away from it. An empty string (or null
# for the optional ones) clears a detail.
def optional_text(max_length: int, **kwargs) -> Text:
    return Text(max_length=max_length, allow_none=True, **kwargs)


class AddressChangeSchema(Schema):
    street = Text(max_length=200)
    house_number = Text(max_length=40)
    postcode = Text(max_length=20, metadata={"description": "In the Netherlands 1234 AB (1234ab is read too)"})
    city = Text(max_length=200)
    country = Text(max_length=2, metadata={"description": "ISO 3166-1 alpha-2, e.g. NL"})


class GpChangeSchema(Schema):
    name = Text(max_length=200)
    practice = Text(max_length=200)
    phone = optional_text(40)


class InsurerChangeSchema(Schema):
    name = Text(max_length=200)
    policy_number = Text(max_length=80)


class EmergencyContactChangeSchema(Schema):
    name = Text(max_length=200)
    phone = optional_text(40)
    relation = Text(max_length=100)


class PatientChangeSchema(Schema):
    first_name = Text(max_length=200)
    last_name = Text(max_length=200)
    date_of_birth = Day(within=BIRTH_DAYS, metadata={"description": "With email, how the patient logs in"})
    email = optional_text(254)
    phone = optional_text(40, metadata={"description": "Dutch numbers may leave out +31"})
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    sport = Text(max_length=200)
    desk_remarks = Text(max_length=1000)
    address = fields.Nested(AddressChangeSchema)
    gp = fields.Nested(GpChangeSchema)
    insurer = fields.Nested(InsurerChangeSchema)
    emergency_contact = fields.Nested(EmergencyContactChangeSchema)


class PatientMergeRequestSchema(Schema):
    duplicate_id = Id(required=True, metadata={"description": "The duplicate record, merged into this one"})
    reason = Text(max_length=1000, load_default="")


class PatientMergeSchema(Schema):
    kept_id = fields.Integer(required=True)
    merged_id = fields.Integer(required=True, metadata={"description": "Answers 404 from now on"})
    merged_at = Instant(required=True)
    reason = fields.String(required=True)
    duplicate_screening_set_aside = fields.Boolean(
        required=True, metadata={"description": "Both records were screened: the kept record's screening stands"})
    check_in_days_set_aside = fields.List(
        fields.Date(), required=True, metadata={"description": "Days both had a check-in for: the kept one stands"})


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)


# Online bookings (public) ----------------------------------------------------------------------


class BookingPatientSchema(Schema):
    first_name = Text(max_length=200, required=True, metadata={"example": "Sanne"})
    last_name = Text(max_length=200, required=True, metadata={"example": "de Vries"})
    date_of_birth = Day(within=BIRTH_DAYS, required=True, metadata={"example": "1990-05-17"})
    email = Text(max_length=254, required=True, metadata={"example": "sanne@example.nl"})
    phone = Text(max_length=40, required=True, metadata={"description": "Dutch numbers may leave out +31"})


class NewBookingSchema(Schema):
    type = Text(max_length=40, required=True, metadata={"description": "An online-bookable type code"})
    chiropractor_id = Id(allow_none=True, load_default=None, metadata={"description": "null: the first one free"})
    start = Instant(required=True, validate=whole_minute, metadata={"example": "2026-12-01T09:00:00+01:00"})
    patient = fields.Nested(BookingPatientSchema, required=True)
    consent = fields.Boolean(required=True, metadata={"description": "Agreement to the privacy statement; must be true"})
    language = fields.String(load_default="nl", validate=validate.OneOf(LANGUAGES))


class BookingSchema(Schema):
    appointment = fields.Nested(BookedAppointmentSchema, required=True)
    manage_url = fields.String(required=True, metadata={"description": "Link to view, cancel or move it"})


class BookingRequestedSchema(Schema):
    """The one answer to a booking of a type for returning patients only, whoever asked."""

    status = fields.String(required=True, validate=validate.OneOf(["confirmation_emailed"]))
    message = fields.String(required=True)


class NewWaitlistEntrySchema(Schema):
    patient_id = Id(required=True)
    type = Text(max_length=40, required=True, metadata={"description": "Appointment type code", "example": "follow_up"})
    chiropractor_ids = fields.List(Id(), load_default=list, metadata={"description": "Empty: any chiropractor"})
    weekdays = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=0, max=6)), load_default=list,
        metadata={"description": "0 = Monday … 6 = Sunday; empty: any day", "example": [0, 2]},
    )
    from_time = fields.Time(format="%H:%M", allow_none=True, load_default=None,
                            metadata={"description": "Earliest local start; null: open", "example": "08:00"})
    to_time = fields.Time(format="%H:%M", allow_none=True, load_default=None,
                          metadata={"description": "Latest local end; null: open", "example": "12:00"})
    until = Day(required=True, metadata={"description": "Last local day the patient wants", "example": "2027-01-31"})


class WaitlistOfferSchema(Schema):
    start = Instant(required=True, attribute="starts_at")
    chiropractor_id = fields.Integer(required=True)
    offered_at = Instant(required=True)
    expires_at = Instant(allow_none=True, metadata={"description": "null: the e-mail is still to be written"})
    outcome = fields.String(required=True, metadata={"description": "offered, claimed or gone (claimed too late)"})


class WaitlistEntrySchema(Schema):
    id = fields.Integer(required=True)
    patient_id = fields.Integer(required=True)
    type = fields.String(required=True, attribute="appointment_type.code")
    chiropractor_ids = fields.Function(lambda entry: [c.id for c in entry.chiropractors], required=True)
    weekdays = fields.Function(lambda entry: sorted(weekdays_of(entry.weekdays)), required=True)
    from_time = fields.Time(format="%H:%M", allow_none=True, required=True)
    to_time = fields.Time(format="%H:%M", allow_none=True, required=True)
    until = fields.Date(required=True)
    status = fields.String(required=True, metadata={"description": "active, booked, removed or expired"})
    created_by = fields.String(required=True, metadata={"description": "frontdesk or patient"})
    created_at = Instant(required=True)
    appointment_id = fields.Integer(allow_none=True, required=True, metadata={"description": "Booked by claiming"})
    offers = fields.List(fields.Nested(WaitlistOfferSchema), required=True)


class WaitlistSchema(Schema):
    entries = fields.List(fields.Nested(WaitlistEntrySchema), required=True,
                          metadata={"description": "Active entries first, then newest first"})
