"""The form that puts a patient on the waitlist, at the front desk and in the portal alike."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, SubmitField, TimeField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from clinic.forms import ClinicForm, DayField
from clinic.models import AppointmentType, Chiropractor
from clinic.services.waitlist import WishDetails

WEEKDAY_NAMES = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday"))
# The service's refusal codes, per field, in words.
REFUSALS = {
    "day_passed": _l("Choose a day from today on."),
    "too_far_ahead": _l("Choose a day within a year."),
    "unknown_weekday": _l("Choose days of the week from the list."),
    "before_from_time": _l("The end of the hours must lie after their start."),
    "already_waiting": _l("The patient is already on the waitlist for this treatment."),
    "unknown": _l("Choose chiropractors from the list."),
    "type_not_offered": _l("A chiropractor chosen does not offer this treatment."),
}


def check_boxes(label) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class WaitlistForm(ClinicForm):
    type = SelectField(_l("Treatment"), coerce=int, validators=[InputRequired(_l("Choose a treatment."))],
                       invalid_choice_message=_l("Choose a treatment."))
    chiropractors = check_boxes(_l("Chiropractors (none ticked: any)"))
    weekdays = check_boxes(_l("Days of the week (none ticked: any day)"))
    from_time = TimeField(_l("From (time)"), validators=[Optional()])
    to_time = TimeField(_l("Until (time)"), validators=[Optional()])
    until = DayField(_l("Last day"), validators=[InputRequired(_l("Please fill this in."))])
    join = SubmitField(_l("Put on the waitlist"))

    def offer(self, types: Sequence[AppointmentType], chiropractors: Sequence[Chiropractor]) -> WaitlistForm:
        """Fill the choices: the types and chiropractors that may be asked for, and the weekdays."""
        language = get_locale().language
        self.type.choices = [(t.id, t.name(language)) for t in types]
        self.chiropractors.choices = [(c.id, c.name) for c in chiropractors]
        self.weekdays.choices = list(enumerate(WEEKDAY_NAMES))
        return self

    def details(self, types: Mapping[int, AppointmentType]) -> WishDetails:
        """Return what was asked for, for ``clinic.services.waitlist.join_waitlist``."""
        return WishDetails(types[self.type.data], self.until.data, self.chiropractors.data or [],
                           self.weekdays.data or [], self.from_time.data, self.to_time.data)

    def show_refusal(self, fields: Mapping[str, str]) -> None:
        """Put the service's refusal next to the fields it is about (``chiropractor_ids.N`` at the chiropractors)."""
        for name, code in fields.items():
            field = {"type": self.type, "until": self.until, "weekdays": self.weekdays, "from_time": self.from_time,
                     "to_time": self.to_time}.get(name.split(".")[0], self.chiropractors)
            field.errors = [*field.errors, REFUSALS.get(code, code)]
