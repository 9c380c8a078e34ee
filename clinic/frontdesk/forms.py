"""The front desk's forms: they check the shape of what was typed; the services check its meaning.

Forms that only look things up are sent with GET and carry no CSRF token; forms that change
something are POSTed with one.
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import EmailField, SelectChoice, TelField, TimeField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from clinic.bounds import BIRTH_DAYS, CLINIC_DAYS, row_id
from clinic.forms import ClinicForm, DayField
from clinic.services.patients import NewPatient

FIRST_FREE = ""


class LookupForm(ClinicForm):
    """A GET form: read from the query string, no CSRF token."""

    class Meta:
        csrf = False


class NumberField(HiddenField):
    """A hidden row id; anything else (or an id no row can have) is refused as malformed."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            self.data = row_id(valuelist[0])
            if self.data is None:
                raise ValueError(_l("This no longer exists; please choose again."))


class InstantField(HiddenField):
    """An instant in ISO 8601 with its UTC offset, as the slot lists send it."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                instant = datetime.fromisoformat(valuelist[0].strip())
            except ValueError:
                raise ValueError(_l("Choose one of the times offered.")) from None
            if instant.tzinfo is None or instant.date() not in CLINIC_DAYS:
                raise ValueError(_l("Choose one of the times offered."))
            self.data = instant

    def _value(self):
        return self.data.isoformat() if self.data else ""


class DayForm(LookupForm):
    """Which day to show."""

    date = DayField(_l("Date"), validators=[Optional()])


class WeekForm(DayForm):
    """Which chiropractor, and a day: the week view shows the week around it, the day list that day."""

    chiropractor = SelectField(
        _l("Chiropractor"),
        coerce=int,
        invalid_value_message=_l("Choose one of the chiropractors."),
        invalid_choice_message=_l("Choose one of the chiropractors."),
    )


class PatientSearchForm(LookupForm):
    date = HiddenField()
    # A free time clicked in the day view, carried on to the times of step two.
    chiropractor = HiddenField()
    at = HiddenField()
    q = StringField(
        _l("Name, date of birth, e-mail or phone"),
        validators=[Optional(), Length(max=200, message=_l("Please type at most 200 characters."))],
    )


class NewPatientForm(ClinicForm):
    first_name = StringField(
        _l("First name"),
        validators=[InputRequired(_l("Please fill this in.")), Length(max=100, message=_l("This is too long."))],
    )
    last_name = StringField(
        _l("Last name"),
        validators=[InputRequired(_l("Please fill this in.")), Length(max=100, message=_l("This is too long."))],
    )
    date_of_birth = DayField(_l("Date of birth"), validators=[InputRequired(_l("Please fill this in."))],
                             within=BIRTH_DAYS)
    email = EmailField(
        _l("E-mail address"), validators=[Optional(), Length(max=254, message=_l("This is too long."))]
    )
    phone = TelField(_l("Phone"), validators=[Optional(), Length(max=32, message=_l("This is too long."))])
    preferred_language = SelectField(
        _l("Language"),
        choices=[SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))],
        invalid_choice_message=_l("Choose Dutch or English."),
    )
    sport = StringField(_l("Sport"), validators=[Optional(), Length(max=100, message=_l("This is too long."))])
    q = HiddenField()
    date = HiddenField()
    chiropractor = HiddenField()
    at = HiddenField()
    submit = SubmitField(_l("Continue"))
    create_anyway = SubmitField(_l("This is someone else: register as a new patient"))

    def details(self) -> NewPatient:
        """Return what was typed as the service's ``NewPatient``."""
        return NewPatient(
            first_name=self.first_name.data or "",
            last_name=self.last_name.data or "",
            date_of_birth=self.date_of_birth.data,
            email=self.email.data or "",
            phone=self.phone.data or "",
            preferred_language=self.preferred_language.data,
            sport=self.sport.data or "",
        )


class SlotFields:
    """For whom, what, with whom (or the first one free) and on which day: steps two and three."""

    patient = NumberField(validators=[InputRequired(_l("Choose a patient first."))])
    appointment_type = SelectField(
        _l("Type of appointment"),
        coerce=int,
        validators=[InputRequired(_l("Choose a type of appointment."))],
        invalid_value_message=_l("Choose a type of appointment."),
        invalid_choice_message=_l("Choose a type of appointment."),
    )
    chiropractor = SelectField(
        _l("Chiropractor"),
        invalid_choice_message=_l("Choose one of the chiropractors."),
    )
    date = DayField(_l("Day"), validators=[InputRequired(_l("Choose a day."))])
    q = HiddenField()
    # The local time clicked in the day view: marked among the free times, if it is one.
    at = TimeField(validators=[Optional()])

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_date(self, field):
        if field.data is not None and field.data < self.today:
            raise ValidationError(_l("That day has passed; choose today or a later day."))

    def chiropractor_id(self) -> int | None:
        """Return the chosen chiropractor's id, or ``None`` for the first one free."""
        value = self.chiropractor.data or FIRST_FREE
        return int(value) if value.isdigit() else None


class SlotSearchForm(SlotFields, LookupForm):
    """Step two of booking: which free times to show (the day's, or each chiropractor's first from that day)."""

    first = SubmitField(_l("First free time"))


class BookingForm(SlotFields, ClinicForm):
    """Step three: the chosen slot, shown for confirmation (GET) and booked (POST)."""

    slot_chiropractor = NumberField(validators=[InputRequired(_l("Choose one of the times offered."))])
    start = InstantField(validators=[InputRequired(_l("Choose one of the times offered."))])


class RescheduleForm(ClinicForm):
    """The new start of an appointment, picked from its chiropractor's free slots of one day."""

    date = DayField(_l("Day"), validators=[InputRequired(_l("Choose a day."))])
    start = InstantField(validators=[InputRequired(_l("Choose a new time."))])


class DeskRemarksForm(ClinicForm):
    """Remarks on one appointment for the desk ("comes by wheelchair"), shown on the day view."""

    remarks = TextAreaField(
        _l("Remarks for the desk"),
        validators=[Length(max=500, message=_l("Please type at most 500 characters."))],
    )


class UndoStatusForm(ClinicForm):
    """Undo a wrong check-in, completion or no-show: why is required, and kept in the history."""

    reason = TextAreaField(
        _l("Why is the status wrong?"),
        validators=[InputRequired(message=_l("Please fill this in.")),
                    Length(max=500, message=_l("Please type at most 500 characters."))],
    )


class StatusForm(ClinicForm):
    """Check in, complete, mark as no-show or cancel (with a reason)."""

    action = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[Optional(), Length(max=500, message=_l("Please type at most 500 characters."))],
    )


class SeriesForm(ClinicForm):
    """A course of appointments: what, with whom, the first start and how often."""

    appointment_type = SelectField(
        _l("Type of appointment"), coerce=int, validators=[InputRequired(_l("Choose a type of appointment."))],
        invalid_value_message=_l("Choose a type of appointment."),
        invalid_choice_message=_l("Choose a type of appointment."),
    )
    chiropractor = SelectField(
        _l("Chiropractor"), coerce=int, validators=[InputRequired(_l("Choose one of the chiropractors."))],
        invalid_value_message=_l("Choose one of the chiropractors."),
        invalid_choice_message=_l("Choose one of the chiropractors."),
    )
    first_day = DayField(_l("First day"), validators=[InputRequired(_l("Choose a day."))])
    first_time = TimeField(_l("Time"), validators=[InputRequired(_l("Enter a time as hours:minutes, e.g. 09:30."))])
    course = SelectField(
        _l("How often"),
        choices=[
            SelectChoice("weekly_4", _l("Every week, 4 times")),
            SelectChoice("weekly_6", _l("Every week, 6 times")),
            SelectChoice("weekly_8", _l("Every week, 8 times")),
            SelectChoice("twice_weekly_3", _l("Twice a week for three weeks")),
            SelectChoice("twice_weekly_6", _l("Twice a week for six weeks")),
        ],
        default="weekly_6",
        invalid_choice_message=_l("Choose how often."),
    )
    submit = SubmitField(_l("Book the series"))


class CancelSeriesForm(ClinicForm):
    """Cancel every appointment of a series that has not started yet, for one reason."""

    reason = TextAreaField(
        _l("Reason for cancelling"),
        validators=[InputRequired(message=_l("Please fill this in.")),
                    Length(max=500, message=_l("Please type at most 500 characters."))],
    )
    submit = SubmitField(_l("Cancel the rest of the series"))
