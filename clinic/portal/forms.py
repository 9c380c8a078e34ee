"""The forms of the patient portal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from clinic.booking.forms import birth_date_field, email_field
from clinic.forms import ClinicForm, optional_int, word_lefs
from clinic.outcomes.measures import LEFS_ITEM_COUNT, PSK_ACTIVITY_MAX_LENGTH, Entry, Measure, PskItem

NOT_GIVEN = ""
PSK_ROWS = 3


class LoginLinkForm(ClinicForm):
    email = email_field()
    date_of_birth = birth_date_field()
    # A field people never see: only robots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional(), Length(max=0)])


class ConfirmForm(ClinicForm):
    """Only the CSRF token: logging in with a link, opening an appointment, logging out."""


# Jaeschke's 15-point global rating of change: −7 … +7, the words anchoring every step.
GROC_LABELS = {
    7: _l("+7 a very great deal better"), 6: _l("+6 a great deal better"), 5: _l("+5 quite a bit better"),
    4: _l("+4 moderately better"), 3: _l("+3 somewhat better"), 2: _l("+2 a little bit better"),
    1: _l("+1 almost the same, hardly any better"), 0: _l("0 about the same"),
    -1: _l("−1 almost the same, hardly any worse"), -2: _l("−2 a little bit worse"), -3: _l("−3 somewhat worse"),
    -4: _l("−4 moderately worse"), -5: _l("−5 quite a bit worse"), -6: _l("−6 a great deal worse"),
    -7: _l("−7 a very great deal worse"),
}


class OutcomeMeasuresForm(ClinicForm):
    """The patient's own outcome measures for one complaint: pain, up to three activities, (after the
    first time) how they are doing since the start and, when the chiropractor chose it, the LEFS; the
    rules check the ranges (``clinic.outcomes``)."""

    pain = SelectField(_l("How much pain do you have now? 0 = no pain, 10 = the worst pain imaginable"),
                       choices=[SelectChoice(NOT_GIVEN, _l("Choose…"))] + [SelectChoice(str(n), str(n)) for n in range(11)],
                       validators=[InputRequired(message=_l("Fill this in."))])
    change = SelectField(_l("Compared with the start of your treatment, how are you now?"),
                         choices=[SelectChoice(NOT_GIVEN, _l("Choose…"))]
                         + [SelectChoice(str(n), label) for n, label in GROC_LABELS.items()],
                         validators=[Optional()])
    submit = SubmitField(_l("Send"))

    def __init__(self, *args, asks_lefs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.asks_lefs = asks_lefs
        self.lefs_wording = word_lefs(self.lefs)
        if asks_lefs:  # every item answered, said next to each one together with any other missing answer
            for field in self.lefs:
                field.validators = [InputRequired(message=_l("Fill this in."))]

    @property
    def lefs(self) -> list:
        return [self[f"lefs_{number}"] for number in range(1, LEFS_ITEM_COUNT + 1)]

    def rows(self) -> list[tuple]:
        """Return the (activity, score) field pairs."""
        return [(self[f"activity_{n}"], self[f"activity_score_{n}"]) for n in range(1, PSK_ROWS + 1)]

    def entries(self, *, asks_change: bool) -> list[Entry]:
        """Return the measures filled in: pain always, the activities given, the change and the LEFS when asked
        (an unanswered LEFS item is None, for the rules to name)."""
        entries = [Entry(Measure.NPRS, value=int(self.pain.data))]
        items = [PskItem(activity.data or "", int(score.data) if score.data and score.data.isdigit() else None)
                 for activity, score in self.rows() if (activity.data or "").strip() or score.data]
        if items:
            entries.append(Entry(Measure.PSK, items=items))
        if asks_change and self.change.data:
            entries.append(Entry(Measure.GROC, value=int(self.change.data)))
        if self.asks_lefs:
            entries.append(Entry(Measure.LEFS, answers=[optional_int(field.data) for field in self.lefs]))
        return entries

    def place(self, fields: dict[str, str], message) -> None:
        """Show the rules' errors (``psk.items.0.score``) next to their fields; ``message`` words a code."""
        for name, code in fields.items():
            parts = name.split(".")
            if parts[0] == "psk" and len(parts) == 4:
                activity, score = self.rows()[int(parts[2])]
                target = activity if parts[3] == "activity" else score
            elif parts[0] == "psk":
                target = self.rows()[0][0]
            elif parts[0] == "lefs":
                target = self.lefs[int(parts[2])] if len(parts) == 3 else self.lefs[0]
            else:
                target = self.change if parts[0] == "groc" else self.pain
            target.errors = [*target.errors, message(code.split("(")[0])]


for _number in range(1, PSK_ROWS + 1):
    setattr(OutcomeMeasuresForm, f"activity_{_number}", StringField(
        _l("Activity %(number)d", number=_number), validators=[Optional(), Length(max=PSK_ACTIVITY_MAX_LENGTH)]))
    setattr(OutcomeMeasuresForm, f"activity_score_{_number}", SelectField(
        _l("How well can you do it? 0 = not at all, 10 = as well as before the complaint"),
        choices=[SelectChoice(NOT_GIVEN, _l("Choose…"))] + [SelectChoice(str(n), str(n)) for n in range(11)],
        validate_choice=False))
for _number in range(1, LEFS_ITEM_COUNT + 1):
    # Labels and answers in the page's language when validated in it: set per form (``word_lefs``).
    setattr(OutcomeMeasuresForm, f"lefs_{_number}", RadioField(validate_choice=False))
