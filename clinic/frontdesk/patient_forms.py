"""The form of the front desk's patient page: every detail of a patient, as typed.

The fields are named after the patient's columns; ``typed_details`` hands them to the service
under the names it and the API use (``address.postcode``), and ``field_for`` goes back.
"""
from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import EmailField, SelectChoice, TelField
from wtforms.validators import InputRequired, Length, Optional

from clinic.bounds import BIRTH_DAYS
from clinic.forms import ClinicForm, DayField
from clinic.services.patient_details import COUNTRIES, DETAILS, MAX_REMARKS_LENGTH

TOO_LONG = _l("This is too long.")


def text_field(label, max_length: int, **kwargs) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length, message=TOO_LONG)], **kwargs)


def phone_field(label) -> TelField:
    return TelField(label, validators=[Optional(), Length(max=32, message=TOO_LONG)])


class PatientDetailsForm(ClinicForm):
    first_name = StringField(_l("First name"), validators=[InputRequired(_l("Please fill this in.")),
                                                           Length(max=100, message=TOO_LONG)])
    last_name = StringField(_l("Last name"), validators=[InputRequired(_l("Please fill this in.")),
                                                         Length(max=100, message=TOO_LONG)])
    date_of_birth = DayField(_l("Date of birth"), validators=[InputRequired(_l("Please fill this in."))],
                             within=BIRTH_DAYS)
    email = EmailField(_l("E-mail address"), validators=[Optional(), Length(max=254, message=TOO_LONG)])
    phone = phone_field(_l("Phone"))
    preferred_language = SelectField(
        _l("Language"), choices=[SelectChoice("nl", _l("Dutch")), SelectChoice("en", _l("English"))],
        invalid_choice_message=_l("Choose Dutch or English."),
    )
    sport = text_field(_l("Sport"), 100)
    address_street = text_field(_l("Street"), 100)
    address_house_number = text_field(_l("House number"), 20)
    address_postcode = text_field(_l("Postcode"), 10)
    address_city = text_field(_l("City"), 100)
    address_country = SelectField(_l("Country"), invalid_choice_message=_l("Choose a country from the list."))
    gp_name = text_field(_l("GP (huisarts)"), 100)
    gp_practice = text_field(_l("Practice"), 100)
    gp_phone = phone_field(_l("GP's phone"))
    insurer_name = text_field(_l("Health insurer"), 100)
    insurer_policy_number = text_field(_l("Policy number"), 40)
    emergency_contact_name = text_field(_l("Emergency contact"), 100)
    emergency_contact_phone = phone_field(_l("Emergency contact's phone"))
    emergency_contact_relation = text_field(_l("Relation"), 50)
    desk_remarks = TextAreaField(_l("Remarks for the desk"),
                                 validators=[Optional(), Length(max=MAX_REMARKS_LENGTH, message=TOO_LONG)])
    save = SubmitField(_l("Save"))
    # The confirmation step's button: the desk has seen that e-mail or birth date changes. A button,
    # not a hidden field, so a yes is never carried into the next save.
    confirm_identity = SubmitField(_l("Yes, change it"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.address_country.choices = country_choices()

    def show_phones_as_written(self, written) -> None:
        """Show the stored (E.164) numbers the way people write them, with ``written``."""
        for field in (self.phone, self.gp_phone, self.emergency_contact_phone):
            field.data = written(field.data) if field.data else field.data

    def typed_details(self) -> dict[str, object]:
        """Return every detail as typed, by the service's names."""
        return {name: self[column].data if column == "date_of_birth" else (self[column].data or "")
                for name, (column, _) in DETAILS.items()}

    def field_for(self, name: str):
        """Return the field of a detail the service named."""
        return self[DETAILS[name][0]]


def country_choices() -> list[SelectChoice]:
    """Return the countries by their name in the page's language, the Netherlands first."""
    names = Locale.parse(str(get_locale())).territories
    others = sorted((code for code in COUNTRIES if code != "NL"), key=lambda code: names.get(code, code))
    return [SelectChoice(code, names.get(code, code)) for code in ("NL", *others)]
