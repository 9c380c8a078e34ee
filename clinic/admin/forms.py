"""Forms of the administration pages: they check the shape of the input; the services check the rules."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import get_day_names
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from clinic.errors import DomainError
from clinic.forms import ClinicForm, DayField
from clinic.localtime import AmbiguousLocalTime, Fold, NonexistentLocalTime, exists, is_ambiguous, to_utc
from clinic.bounds import MAX_ROW_ID
from clinic.models import DEFAULT_FOLLOW_UP_DAYS, Modality
from clinic.privacy.erasure import MAX_REASON_LENGTH
from clinic.services.access_log import LogFilter
from clinic.services.staffing import AppointmentTypeFields

MODALITY_LABELS = {
    Modality.CONSULT.value: _l("Consultation"),
    Modality.ADJUSTMENT.value: _l("Chiropractic adjustment"),
    Modality.MASSAGE.value: _l("Massage"),
    Modality.DRY_NEEDLING.value: _l("Dry needling"),
    Modality.DECOMPRESSION.value: _l("Decompression"),
}

FOLD_CHOICES = [
    SelectChoice("earlier", _l("The first time: still summer time (CEST, UTC+2)")),
    SelectChoice("later", _l("The second time: already winter time (CET, UTC+1)")),
]
FOLDS = {"earlier": Fold.EARLIER, "later": Fold.LATER}


def weekday_names() -> dict[int, str]:
    """Return the names of the days of the week in the page's language, 0 = Monday."""
    return {number: name.capitalize() for number, name in sorted(get_day_names("wide", locale=get_locale()).items())}


def show_errors(form: ClinicForm, error: DomainError, field_names: dict[str, str] | None = None) -> bool:
    """Put a service's refusal next to the fields it names; tell whether every message found a field.

    ``field_names`` maps the service's field names to the form's where they differ.
    """
    field_names = field_names or {}
    placed = bool(error.fields)
    for name, message in error.fields.items():
        field = getattr(form, field_names.get(name, name), None)
        if field is None:
            placed = False
        else:
            field.errors.append(message)
    return placed


class WorkingHoursForm(ClinicForm):
    weekday = SelectField(_l("Day of the week"), coerce=int, validators=[InputRequired()])
    start_time = TimeField(_l("Start time"), validators=[InputRequired()])
    end_time = TimeField(_l("End time"), validators=[InputRequired()])
    valid_from = DayField(_l("Valid from"), validators=[InputRequired()])
    valid_to = DayField(_l("Last day (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Add hours"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekday.choices = [SelectChoice(number, name) for number, name in weekday_names().items()]


class EndHoursForm(ClinicForm):
    """Ends one interval; each row of the table has its own, told apart by ``prefix``."""

    last_day = DayField(_l("Last day"), validators=[InputRequired()])
    submit = SubmitField(_l("End hours"))


class TimeOffForm(ClinicForm):
    """Time off in the clinic's wall-clock time; ``validate`` turns it into UTC instants."""

    start_date = DayField(_l("From (date)"), validators=[InputRequired()])
    start_time = TimeField(_l("From (time)"), validators=[InputRequired()])
    start_fold = RadioField(_l("Which start time do you mean?"), choices=FOLD_CHOICES, validate_choice=False)
    end_date = DayField(_l("Until (date)"), validators=[InputRequired()])
    end_time = TimeField(_l("Until (time)"), validators=[InputRequired()])
    end_fold = RadioField(_l("Which end time do you mean?"), choices=FOLD_CHOICES, validate_choice=False)
    reason = StringField(_l("Reason (optional)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add time off"))

    # Where the service's refusals go.
    SERVICE_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}

    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.starts_at = self.instant(self.start_date, self.start_time, self.start_fold)
        self.ends_at = self.instant(self.end_date, self.end_time, self.end_fold)
        return self.starts_at is not None and self.ends_at is not None

    def asks_fold(self, which: str) -> bool:
        """Tell whether the typed start (``which`` = 'start') or end happens twice, so we must ask which."""
        day, wall_clock = getattr(self, f"{which}_date").data, getattr(self, f"{which}_time").data
        if day is None or wall_clock is None:
            return False
        local = datetime.combine(day, wall_clock)
        # In the spring-forward gap both folds differ too, but there is nothing to choose.
        return exists(local) and is_ambiguous(local)

    @staticmethod
    def instant(day_field: DayField, time_field: TimeField, fold_field: RadioField) -> datetime | None:
        """Return the UTC instant of the typed local date and time, or ``None`` with a message on the field."""
        day: date = day_field.data
        wall_clock = datetime.combine(day, time_field.data)
        words = {"time": f"{wall_clock:%H:%M}", "date": format_date(day, "long")}
        try:
            return to_utc(wall_clock, fold=FOLDS.get(fold_field.data, Fold.REFUSE))
        except NonexistentLocalTime:
            time_field.errors.append(
                _(
                    "%(time)s does not exist on %(date)s: the clocks go forward from 02:00 to 03:00. "
                    "Choose 03:00 or later, or 01:59 or earlier.",
                    **words,
                )
            )
        except AmbiguousLocalTime:
            fold_field.errors.append(
                _(
                    "%(time)s happens twice on %(date)s: the clocks go back from 03:00 to 02:00. "
                    "Choose which one you mean.",
                    **words,
                )
            )
        return None


class AppointmentTypeForm(ClinicForm):
    code = StringField(
        _l("Code"),
        validators=[InputRequired(), Length(max=40)],
        description=_l("Lower-case letters, digits and underscores; it cannot be changed later."),
    )
    name_nl = StringField(_l("Name in Dutch"), validators=[InputRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[InputRequired(), Length(max=120)])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[InputRequired()], description=_l("5 to 480 minutes")
    )
    buffer_after_minutes = IntegerField(
        _l("Buffer after (minutes)"), validators=[InputRequired()], default=0,
        description=_l("0 to 120 minutes the chiropractor keeps free after the appointment"),
    )
    follow_up_days = IntegerField(
        _l("Follow-up after (days)"), validators=[InputRequired()], default=DEFAULT_FOLLOW_UP_DAYS,
        description=_l("1 to 365 days: “Plan follow-up” suggests the day this long after an appointment of this type"),
    )
    min_hours_apart = IntegerField(
        _l("At least hours apart"), validators=[Optional()], default=0,
        description=_l("0 to 720 hours between the starts of one patient's appointments of this type, before or "
                       "after (e.g. 48 for dry needling: post-needling soreness); 0 means no rule"),
    )
    modality = SelectField(
        _l("Kind of treatment"),
        choices=[SelectChoice(value, label) for value, label in MODALITY_LABELS.items()],
        validators=[InputRequired()],
    )
    is_online_bookable = BooleanField(_l("Bookable online"), default=True)
    is_open_to_new_patients = BooleanField(_l("Open to new patients"), default=True)
    online_needs_screening = BooleanField(
        _l("Online only after screening"),
        description=_l("Booked online only for a returning patient whose screening by the chiropractor is current; "
                       "for anyone else the online booking asks for confirmation by e-mail and books nothing."),
    )
    after_visit_check_in = BooleanField(
        _l("After-visit check-in"),
        description=_l("After a completed appointment the patient gets an e-mail asking about pain, "
                       "soreness and unusual reactions (for treatments with known after-effects)."),
    )
    is_active = BooleanField(
        _l("Active"),
        default=True,
        description=_l("Inactive types can no longer be booked; existing appointments keep them."),
    )
    resource_id = SelectField(
        _l("Needs"),
        coerce=lambda value: int(value) if value not in (None, "", "None") else None,
        description=_l("Equipment or a room this treatment takes for its duration and buffer; "
                       "two appointments never share it."),
        validate_choice=False,
    )
    submit = SubmitField(_l("Save"))

    def offer_resources(self, resources) -> None:
        """Fill the resource choices: nothing, or one of ``resources``."""
        self.resource_id.choices = [SelectChoice("", _l("Nothing besides the chiropractor"))] + [
            SelectChoice(str(resource.id), resource.name) for resource in resources
        ]

    def fields_for_service(self) -> AppointmentTypeFields:
        """Return the submitted values as the service takes them."""
        return AppointmentTypeFields(
            name_nl=self.name_nl.data,
            name_en=self.name_en.data,
            duration_minutes=self.duration_minutes.data,
            buffer_after_minutes=self.buffer_after_minutes.data,
            modality=self.modality.data,
            is_online_bookable=self.is_online_bookable.data,
            is_open_to_new_patients=self.is_open_to_new_patients.data,
            is_active=self.is_active.data,
            follow_up_days=self.follow_up_days.data,
            resource_id=self.resource_id.data,
            after_visit_check_in=self.after_visit_check_in.data,
            min_hours_apart=self.min_hours_apart.data or 0,
            online_needs_screening=self.online_needs_screening.data,
        )


class EditAppointmentTypeForm(AppointmentTypeForm):
    """The same form without the code, which never changes once appointments may refer to it."""

    code = None


class ClosureForm(TimeOffForm):
    """A clinic-wide closure: the same wall-clock period as time off, with a reason required."""

    reason = StringField(_l("Reason"), validators=[InputRequired(), Length(max=200)],
                         description=_l("For example: Koningsdag"))
    submit = SubmitField(_l("Close the clinic"))


class OfferedTypesForm(ClinicForm):
    types = SelectMultipleField(
        _l("Treatments offered"), coerce=int, validate_choice=False,
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    submit = SubmitField(_l("Save"))


class ResourceForm(ClinicForm):
    name = StringField(
        _l("Name"), validators=[InputRequired(), Length(max=120)],
        description=_l("For example: Behandelkamer 2"),
    )
    submit = SubmitField(_l("Add"))


class ErasureForm(ClinicForm):
    reason = TextAreaField(
        _l("Reason"),
        description=_l("For example: the patient's letter of 12 November asking for erasure."),
        validators=[InputRequired(_l("Please fill this in.")),
                    Length(max=MAX_REASON_LENGTH, message=_l("This is too long."))],
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."),
        validators=[DataRequired(_l("Tick this box to confirm."))],
    )
    submit = SubmitField(_l("Anonymise this patient"))


class MergeForm(ClinicForm):
    """A duplicate record to merge into this patient; sent twice: to review both records, then confirmed."""

    duplicate_id = IntegerField(
        _l("Patient number of the duplicate"),
        description=_l("The number in the address of the duplicate's patient page, e.g. 1234 in /frontdesk/patients/1234."),
        validators=[InputRequired(_l("Please fill this in.")),
                    NumberRange(min=1, max=MAX_ROW_ID, message=_l("There is no such patient."))],
    )
    reason = TextAreaField(_l("Reason"), description=_l("For example: booked online with a new address."),
                           validators=[Length(max=MAX_REASON_LENGTH, message=_l("This is too long."))])
    # Set by the review step: the next submit merges, if the box is ticked.
    reviewed = HiddenField()
    confirm = BooleanField(_l("These are the same person. I understand that the merge cannot be undone."))
    submit = SubmitField(_l("Review the merge"))


class AccessLogFilterForm(ClinicForm):
    """The access log's filters, read from the query string; any other parameter is ignored."""

    class Meta:
        csrf = False  # a GET form that changes nothing

    # Typed: a name or birth date, searched (``patient_matches``); a link to one patient's rows carries its number.
    patient_name = StringField(_l("Patient"), validators=[Optional(), Length(max=100)])
    patient = IntegerField(_l("Patient number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    user = SelectField(_l("Account"), default="")
    first_day = DayField(_l("From (date)"), validators=[Optional()])
    last_day = DayField(_l("Until (date)"), validators=[Optional()])
    # Keyset paging: the page just older than this row, or just newer; an unknown row: the newest page.
    before = IntegerField(validators=[Optional()])
    after = IntegerField(validators=[Optional()])

    def validate_last_day(self, field: DayField) -> None:
        if field.data and self.first_day.data and field.data < self.first_day.data:
            raise ValidationError(_("The last day comes before the first."))

    def log_filter(self) -> LogFilter:
        """Return the filter the valid fields describe (an invalid field filters nothing)."""
        return LogFilter(
            patient_id=None if self.patient.errors else self.patient.data,
            user_id=int(self.user.data) if self.user.data and not self.user.errors else None,
            first_day=None if self.first_day.errors else self.first_day.data,
            last_day=None if self.last_day.errors else self.last_day.data,
        )

    def paging(self) -> dict[str, int]:
        """Return the valid paging fields, as ``log_page`` takes them."""
        return {field.name: field.data for field in (self.before, self.after)
                if field.data is not None and not field.errors}
