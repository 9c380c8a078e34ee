"""The forms of care episodes: opening one, entering an outcome measure, choosing an appointment's
episode and closing one. They check shape; ``clinic.services.episodes`` and ``clinic.outcomes`` check meaning."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from clinic.clinical.messages import message_for
from clinic.errors import DomainError
from clinic.forms import ClinicForm, DayField, optional_int, word_lefs
from clinic.models.episodes import GOALS_MAX_LENGTH, REGION_MAX_LENGTH, SUMMARY_MAX_LENGTH
from clinic.outcomes.measures import (
    LEFS_ITEM_COUNT,
    PSK_ACTIVITY_MAX_LENGTH,
    Entry,
    Measure,
    PskItem,
    RegionQuestionnaire,
)

PSK_ROWS = 3
MEASURE_LABELS = {
    "nprs": _l("Pain (NPRS, 0–10)"),
    "psk": _l("Patient-specific complaints (PSK, 0–10 per activity)"),
    "groc": _l("Global rating of change (−7 to +7)"),
    "lefs": _l("Lower Extremity Functional Scale (LEFS, 0–80)"),
}
NOT_GIVEN = ""


def score_choices(low: int, high: int) -> list[SelectChoice]:
    return [SelectChoice(NOT_GIVEN, _l("Choose…"))] + [SelectChoice(str(n), str(n)) for n in range(low, high + 1)]


def region_questionnaire_field() -> SelectField:
    return SelectField(
        _l("Questionnaire for the patient"), default=NOT_GIVEN,
        # Short choices: a phone shows a select one line wide; the description says the rest.
        choices=[SelectChoice(NOT_GIVEN, _l("No questionnaire")),
                 SelectChoice(RegionQuestionnaire.LEFS.value, _l("LEFS (hip, knee, ankle, foot)"))],
        description=_l("What the patient answers in the portal and through the e-mailed link before a visit, "
                       "besides pain, their activities and the change."))


def chosen_questionnaire(field: SelectField) -> RegionQuestionnaire | None:
    return RegionQuestionnaire(field.data) if field.data else None


class EpisodeForm(ClinicForm):
    chiropractor_id = SelectField(_l("Treating chiropractor"), coerce=int, validators=[InputRequired()])
    region = StringField(_l("Region of the complaint"), validators=[InputRequired(), Length(max=REGION_MAX_LENGTH)])
    onset_on = DayField(_l("Onset (the day the complaint began)"), validators=[InputRequired()])
    goals = TextAreaField(_l("Goals"), validators=[Optional(), Length(max=GOALS_MAX_LENGTH)])
    region_questionnaire = region_questionnaire_field()
    submit = SubmitField(_l("Open episode"))


class QuestionnaireForm(ClinicForm):
    region_questionnaire = region_questionnaire_field()
    submit = SubmitField(_l("Save questionnaire"))


class OutcomeForm(ClinicForm):
    measure = RadioField(_l("Measure"), choices=[SelectChoice(key, label) for key, label in MEASURE_LABELS.items()],
                         validators=[InputRequired()])
    value = IntegerField(_l("Score"), validators=[Optional()],
                         description=_l("NPRS: 0 (no pain) to 10 (worst imaginable); GROC: −7 (a very great deal "
                                        "worse) to +7 (a very great deal better)"))
    submit = SubmitField(_l("Save measure"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lefs_wording = word_lefs(self.lefs, placeholder=_l("Choose…"))

    @property
    def activities(self) -> list:
        return [self[f"activity_{number}"] for number in range(1, PSK_ROWS + 1)]

    @property
    def activity_scores(self) -> list:
        return [self[f"activity_score_{number}"] for number in range(1, PSK_ROWS + 1)]

    @property
    def lefs(self) -> list:
        return [self[f"lefs_{number}"] for number in range(1, LEFS_ITEM_COUNT + 1)]

    def entry(self) -> Entry:
        """Return what was entered for the chosen measure (the rules check its ranges)."""
        measure = Measure(self.measure.data)
        items = [PskItem(activity.data or "", optional_int(score.data))
                 for activity, score in zip(self.activities, self.activity_scores)
                 if (activity.data or "").strip() or score.data not in (None, NOT_GIVEN)]
        return Entry(measure, value=self.value.data, items=items,
                     answers=[optional_int(field.data) for field in self.lefs] if measure is Measure.LEFS else ())

    def place(self, error: DomainError) -> None:
        """Show each of the rules' field errors (``items.0.score``, ``answers.3``) next to its field."""
        for name, code in error.fields.items():
            parts = name.split(".")
            if parts[0] == "items" and len(parts) == 3:
                target = (self.activities if parts[2] == "activity" else self.activity_scores)[int(parts[1])]
            elif parts[0] == "items":
                target = self.activities[0]
            elif parts[0] == "answers":
                target = self.lefs[int(parts[1])] if len(parts) == 2 else self.lefs[0]
            else:
                target = self.value
            target.errors = [*target.errors, message_for(code.split("(")[0], name)]


# The rules check the scores (and name the one missing): an unanswered select is no error of shape.
for _number in range(1, PSK_ROWS + 1):
    setattr(OutcomeForm, f"activity_{_number}", StringField(
        _l("Activity %(number)d", number=_number), validators=[Optional(), Length(max=PSK_ACTIVITY_MAX_LENGTH)]))
    setattr(OutcomeForm, f"activity_score_{_number}", SelectField(
        _l("Score %(number)d (0 = cannot do it, 10 = as before)", number=_number), choices=score_choices(0, 10),
        validate_choice=False))
for _number in range(1, LEFS_ITEM_COUNT + 1):
    # Labels and answers in the page's language: set per form (``OutcomeForm.__init__``).
    setattr(OutcomeForm, f"lefs_{_number}", SelectField(validate_choice=False))


def episode_choices(episodes) -> list[SelectChoice]:
    """Return the choices of an appointment's episode: none (0), or one of ``episodes`` still open."""
    return [SelectChoice(0, _l("No episode"))] + [SelectChoice(row.id, f"{row.region} ({row.onset_on:%d-%m-%Y})")
                                                  for row in episodes if row.is_open]


class AssignEpisodeForm(ClinicForm):
    episode_id = SelectField(_l("Care episode"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save episode"))


class CloseEpisodeForm(ClinicForm):
    discharge_summary = TextAreaField(_l("Discharge summary"),
                                      validators=[InputRequired(), Length(max=SUMMARY_MAX_LENGTH)])
    submit = SubmitField(_l("Close episode"))
