"""The forms of the patient portal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from clinic.booking.forms import birth_date_field, email_field
from clinic.forms import ClinicForm


class LoginLinkForm(ClinicForm):
    email = email_field()
    date_of_birth = birth_date_field()
    # A field people never see: only robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=0)])


class ConfirmForm(ClinicForm):
    """Only the CSRF token: logging in with a link, opening an appointment, logging out."""
