"""The forms of the patient portal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, StringField
from wtforms.validators import InputRequired, Length, Optional

from clinic.booking.forms import birth_date_in_past, checked_by
from clinic.contact import clean_email
from clinic.forms import ClinicForm
from clinic.messages import field_message


class LoginLinkForm(ClinicForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(field_message("required")), Length(max=254), checked_by(clean_email)],
        render_kw={"autocomplete": "email"},
    )
    date_of_birth = DateField(
        _l("Date of birth"),
        validators=[InputRequired(field_message("required")), birth_date_in_past],
        render_kw={"autocomplete": "bday"},
    )
    # A field people never see: only robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=0)])


class ConfirmForm(ClinicForm):
    """Only the CSRF token: logging in with a link, opening an appointment, logging out."""
