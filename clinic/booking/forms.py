"""The forms of the public booking pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from clinic.bounds import BIRTH_DAYS
from clinic.contact import ContactError, check_date_of_birth, clean_email, clean_name, clean_phone
from clinic.forms import ClinicForm, DayField
from clinic.localtime import to_local, utcnow
from clinic.messages import field_message
from clinic.models import AFTER_VISIT_REMARKS_MAX_LENGTH
from clinic.services.after_visit import SCORES, AfterVisitReport


def checked_by(clean, *args):
    """Return a WTForms validator that runs a ``clinic.contact`` rule and words its error code."""

    def validator(form, field):
        try:
            clean(field.data, *args)
        except ContactError as error:
            raise ValidationError(field_message(error.code)) from None

    return validator


def birth_date_in_past(form, field):
    if field.data is None:
        return
    try:
        check_date_of_birth(field.data, to_local(utcnow()).date())
    except ContactError as error:
        raise ValidationError(field_message(error.code)) from None


def birth_date_field() -> DayField:
    """The birth date a patient is known by, with the online booking's checks."""
    return DayField(_l("Date of birth"), validators=[InputRequired(field_message("required")), birth_date_in_past],
                    within=BIRTH_DAYS, render_kw={"autocomplete": "bday"})


def email_field() -> EmailField:
    """The e-mail address a patient is known by, with the online booking's checks."""
    return EmailField(_l("E-mail address"),
                      validators=[InputRequired(field_message("required")), Length(max=254), checked_by(clean_email)],
                      render_kw={"autocomplete": "email"})


class ChoiceCarrier(ClinicForm):
    """The choices of the earlier steps, carried along as hidden fields."""

    type = HiddenField()
    chiropractor = HiddenField()
    slot = HiddenField()


class DetailsForm(ChoiceCarrier):
    first_name = StringField(
        _l("First name"), validators=[InputRequired(field_message("required")), checked_by(clean_name)],
        render_kw={"autocomplete": "given-name"},
    )
    last_name = StringField(
        _l("Last name"), validators=[InputRequired(field_message("required")), checked_by(clean_name)],
        render_kw={"autocomplete": "family-name"},
    )
    date_of_birth = birth_date_field()
    email = email_field()
    phone = TelField(
        _l("Phone number"),
        validators=[InputRequired(field_message("required")), Length(max=40), checked_by(clean_phone)],
        render_kw={"autocomplete": "tel"},
    )
    consent = BooleanField(
        _l("I agree that MoveWell stores my details for my treatment, as the privacy statement describes."),
        validators=[InputRequired(_l("Please agree to the privacy statement to book."))],
    )
    # A field people never see: only robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=0)])


class CancelForm(ClinicForm):
    """Only the CSRF token: cancelling from the manage page, booking from an e-mailed link, turning reminders off."""


class CancelAppointmentForm(ClinicForm):
    """The patient confirms the cancellation, with a reason if they like (kept with it)."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)])


class RescheduleForm(ClinicForm):
    slot = HiddenField()


def score(value) -> int | None:
    return int(value) if value not in (None, "") else None


def score_field(label) -> SelectField:
    """A 0–10 score the patient must choose: the empty first option keeps a skipped question from reading as 0."""
    return SelectField(
        label, choices=[SelectChoice("", "—")] + [SelectChoice(str(points), str(points)) for points in SCORES],
        coerce=score, validate_choice=False,
        validators=[InputRequired(_l("Choose 0 to 10.")), NumberRange(0, 10, _l("Choose 0 to 10."))],
    )


class AfterVisitForm(ClinicForm):
    """The check-in after a treatment: how the patient is doing, in their own words too."""

    pain_now = score_field(_l("Pain now (0 = none, 10 = worst imaginable)"))
    soreness = score_field(_l("Soreness or stiffness (0 = none, 10 = very sore)"))
    dizziness = BooleanField(_l("Dizziness"))
    numbness = BooleanField(_l("Numbness or tingling"))
    fever = BooleanField(_l("Fever"))
    bruising = BooleanField(_l("Bruising"))
    remarks = TextAreaField(_l("Anything else you want us to know (optional)"),
                            validators=[Optional(), Length(max=AFTER_VISIT_REMARKS_MAX_LENGTH)])

    def report(self) -> AfterVisitReport:
        return AfterVisitReport(
            pain_now=self.pain_now.data, soreness=self.soreness.data, dizziness=self.dizziness.data,
            numbness=self.numbness.data, fever=self.fever.data, bruising=self.bruising.data,
            remarks=self.remarks.data or "",
        )
