"""The chiropractor's forms: they check the shape of what was typed; the services check its meaning."""
from __future__ import annotations

from datetime import date, datetime, time
from functools import cache

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DecimalField,
    FormField,
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
from wtforms.validators import InputRequired, Length, Optional

from clinic import readiness
from clinic.forms import ClinicForm, DayField, SubForm
from clinic.localtime import AmbiguousLocalTime, Fold, NonexistentLocalTime, is_ambiguous, to_utc
from clinic.services.readiness import HOOPER_ITEMS, NewCheckIn, NewTrainingSession, ScreeningUpdate
from clinic.services.treatment_notes import AppliedModality, NoteContent

FOLD_CHOICES = [
    SelectChoice("earlier", _l("The first time: still summer time (CEST, UTC+2)")),
    SelectChoice("later", _l("The second time: already winter time (CET, UTC+1)")),
]
FOLDS = {"earlier": Fold.EARLIER, "later": Fold.LATER}
NOT_GIVEN = ""
# Foster's modified CR-10 scale: the words anchor the numbers.
RPE_ANCHORS = {0: _l("rest"), 1: _l("very, very easy"), 2: _l("easy"), 3: _l("moderate"), 4: _l("somewhat hard"),
               5: _l("hard"), 7: _l("very hard"), 10: _l("maximal")}
HOOPER_ANCHORS = {1: _l("very, very good"), 7: _l("very, very bad")}
DOMS_ANCHORS = {0: _l("no soreness"), 10: _l("worst imaginable")}


def scale(low: int, high: int, anchors: dict, *, optional: bool) -> list[SelectChoice]:
    """Return the choices of a numeric scale, the anchored numbers with their words."""
    choices = [SelectChoice(NOT_GIVEN, _l("Not given"))] if optional else []
    return choices + [SelectChoice(str(n), f"{n} – {anchors[n]}" if n in anchors else str(n))
                      for n in range(low, high + 1)]


def rpe_scale() -> list[SelectChoice]:
    # No number chosen in advance: a default would be saved unnoticed as the patient's answer.
    return [SelectChoice(NOT_GIVEN, _l("Choose…"))] + scale(0, 10, RPE_ANCHORS, optional=False)


def hooper_scale() -> list[SelectChoice]:
    return scale(1, 7, HOOPER_ANCHORS, optional=True)


def doms_scale() -> list[SelectChoice]:
    return scale(0, 10, DOMS_ANCHORS, optional=True)


HOOPER_LABELS = {"sleep": _l("Sleep quality"), "fatigue": _l("Fatigue"), "stress": _l("Stress"),
                 "soreness": _l("Muscle soreness, overall")}


def local_instant(day_field: DayField, time_field: TimeField, fold_field: RadioField) -> datetime | None:
    """Return the UTC instant of a typed local date and time, or None with a message on the field."""
    wall_clock = datetime.combine(day_field.data, time_field.data)
    words = {"time": f"{wall_clock:%H:%M}", "date": format_date(day_field.data, "long")}
    try:
        return to_utc(wall_clock, fold=FOLDS.get(fold_field.data, Fold.REFUSE))
    except NonexistentLocalTime:
        time_field.errors.append(_(
            "%(time)s does not exist on %(date)s: the clocks go forward from 02:00 to 03:00. "
            "Choose 03:00 or later, or 01:59 or earlier.", **words))
    except AmbiguousLocalTime:
        fold_field.errors.append(_(
            "%(time)s happens twice on %(date)s: the clocks go back from 03:00 to 02:00. Choose which one you mean.",
            **words))
    return None


def asks_fold(day_field: DayField, time_field: TimeField) -> bool:
    """Tell whether the typed local time happens twice, so the form must ask which one is meant."""
    return (day_field.data is not None and time_field.data is not None
            and is_ambiguous(datetime.combine(day_field.data, time_field.data)))


def optional_int(value: str) -> int | None:
    return None if value in (None, NOT_GIVEN) else int(value)


# Training sessions and check-ins ------------------------------------------------------------------


class TrainingSessionForm(ClinicForm):
    ended_on = DayField(_l("Date"), validators=[InputRequired(_l("Please fill this in."))])
    ended_time = TimeField(_l("Ended at"), validators=[InputRequired(_l("Please fill this in."))],
                           description=_l("Dutch local time"))
    fold = RadioField(_l("Which time do you mean?"), choices=FOLD_CHOICES, validate_choice=False)
    duration_minutes = IntegerField(_l("Duration (minutes)"), validators=[InputRequired(_l("Please fill this in."))])
    rpe = SelectField(_l("Session RPE (Borg CR-10)"), coerce=optional_int, choices=rpe_scale,
                      validators=[InputRequired(_l("Please fill this in."))],
                      description=_l("How hard was the whole session? Asked about 30 minutes afterwards."))
    kind = StringField(_l("Kind of session"), validators=[InputRequired(_l("Please fill this in.")),
                                                          Length(max=40, message=_l("This is too long."))])
    is_competition = BooleanField(_l("This was a competition"))
    submit = SubmitField(_l("Save session"))

    ended_at: datetime | None = None

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        self.ended_at = local_instant(self.ended_on, self.ended_time, self.fold)
        return self.ended_at is not None

    def details(self) -> NewTrainingSession:
        """Return what was typed as the service's ``NewTrainingSession``."""
        return NewTrainingSession(self.ended_at, self.duration_minutes.data, self.rpe.data, self.kind.data,
                                  self.is_competition.data)


class CheckInForm(ClinicForm):
    day = DayField(_l("Day"), validators=[InputRequired(_l("Please fill this in."))])
    sleep = SelectField(HOOPER_LABELS["sleep"], choices=hooper_scale, default=NOT_GIVEN)
    fatigue = SelectField(HOOPER_LABELS["fatigue"], choices=hooper_scale, default=NOT_GIVEN)
    stress = SelectField(HOOPER_LABELS["stress"], choices=hooper_scale, default=NOT_GIVEN)
    soreness = SelectField(HOOPER_LABELS["soreness"], choices=hooper_scale, default=NOT_GIVEN)
    # Both soreness questions feed the readiness engine (Hooper sum; DOMS bands per region), so they stay
    # apart, but worded so nobody reads the second as the first asked again.
    doms = SelectField(_l("Worst sore spot after training, 0–10"), choices=doms_scale,
                       default=NOT_GIVEN)
    doms_region = StringField(_l("Where is that spot?"), validators=[Length(max=80, message=_l("This is too long."))])
    rmssd_ms = DecimalField(_l("Morning HRV: RMSSD (ms)"), validators=[Optional()], places=None,
                            description=_l("From the patient's HRV app; leave empty if not measured."))
    submit = SubmitField(_l("Save check-in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint_fields = [(name, self[f"complaint_{name}"]) for name in readiness.complaints()]

    def details(self) -> NewCheckIn:
        """Return what was typed as the service's ``NewCheckIn``."""
        return NewCheckIn(
            self.day.data,
            *(optional_int(self[item].data) for item in HOOPER_ITEMS),
            doms=optional_int(self.doms.data),
            doms_region=self.doms_region.data or None,
            rmssd_ms=None if self.rmssd_ms.data is None else float(self.rmssd_ms.data),
            complaints={name: field.data for name, field in self.complaint_fields if field.data},
        )


def add_complaint_fields(form_class: type[CheckInForm]) -> None:
    """Give the form one "since" date per complaint the rules file knows; empty means not there."""
    for name in readiness.complaints():
        setattr(form_class, f"complaint_{name}", DayField(validators=[Optional()]))


add_complaint_fields(CheckInForm)


# Screening ---------------------------------------------------------------------------------------


@cache
def screening_form_class() -> type[ClinicForm]:
    """Return the screening form, with a check box per flag (and regions for regional ones) and indication."""

    class ScreeningForm(ClinicForm):
        competition_on = DayField(_l("Date of the next competition"), validators=[Optional()])
        competition_time = TimeField(_l("Start time"), validators=[Optional()], description=_l("Dutch local time"))
        competition_fold = RadioField(_l("Which time do you mean?"), choices=FOLD_CHOICES, validate_choice=False)
        submit = SubmitField(_l("Save screening"))

        next_competition_at: datetime | None = None

        def validate(self, extra_validators=None) -> bool:
            if not super().validate(extra_validators):
                return False
            if self.competition_on.data is None:
                self.next_competition_at = None
                return True
            if self.competition_time.data is None:
                self.competition_time.data = time(12, 0)
            self.next_competition_at = local_instant(self.competition_on, self.competition_time, self.competition_fold)
            return self.next_competition_at is not None

        def flag_fields(self):
            """Yield (name, definition, check box, regions field or None) per flag, red flags first."""
            flags = readiness.screening_flags()
            for name in sorted(flags, key=lambda name: not flags[name].red_flag):
                yield name, flags[name], self[f"flag_{name}"], self[f"regions_{name}"] if flags[name].regional else None

        def indication_fields(self):
            """Yield (name, check box) per indication."""
            return [(name, self[f"indication_{name}"]) for name in readiness.indications()]

        def update(self) -> ScreeningUpdate:
            """Return what was ticked as the service's ``ScreeningUpdate``."""
            flags = {name: (regions.data.split(",") if regions is not None and regions.data else [])
                     for name, _definition, box, regions in self.flag_fields() if box.data}
            return ScreeningUpdate(flags=flags, indications=[name for name, box in self.indication_fields() if box.data],
                                   next_competition_at=self.next_competition_at)

        def fill(self, record) -> None:
            """Tick what ``record`` (the current screening) holds."""
            for name, flag in record.flags.items():
                if f"flag_{name}" in self:
                    self[f"flag_{name}"].data = True
                    if f"regions_{name}" in self:
                        self[f"regions_{name}"].data = ", ".join(flag.regions)
            for name in record.indications:
                if f"indication_{name}" in self:
                    self[f"indication_{name}"].data = True

    for name, definition in readiness.screening_flags().items():
        setattr(ScreeningForm, f"flag_{name}", BooleanField())
        if definition.regional:
            setattr(ScreeningForm, f"regions_{name}", StringField(
                _l("Body regions (comma-separated)"), validators=[Length(max=400, message=_l("This is too long."))]))
    for name in readiness.indications():
        setattr(ScreeningForm, f"indication_{name}", BooleanField())
    return ScreeningForm


class ImportForm(ClinicForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Import"))


# Treatment notes ---------------------------------------------------------------------------------


class ModalityForm(SubForm):
    """What every modality asks: applied or not, and why when going against the guidance."""

    applied = BooleanField(_l("Applied in this treatment"))
    justification = TextAreaField(_l("Justification"), validators=[Length(max=5000, message=_l("This is too long."))])
    override = BooleanField(_l("I override the contraindication"))

    DETAILS: tuple[str, ...] = ()

    def details(self) -> dict:
        return {name: self[name].data for name in self.DETAILS}


class AdjustmentForm(ModalityForm):
    regions = StringField(_l("Regions (comma-separated)"))
    technique = StringField(_l("Technique"))
    DETAILS = ("regions", "technique")


class MassageForm(ModalityForm):
    regions = StringField(_l("Regions (comma-separated)"))
    minutes = IntegerField(_l("Minutes"), validators=[Optional()])
    technique = StringField(_l("Technique"))
    DETAILS = ("regions", "minutes", "technique")


class DryNeedlingForm(ModalityForm):
    muscles = StringField(_l("Muscles (comma-separated)"))
    needle_count = IntegerField(_l("Number of needles"), validators=[Optional()])
    local_twitch_response = RadioField(
        _l("Local twitch response"), choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validate_choice=False,
    )
    adverse_reaction = StringField(_l("Adverse reaction (empty if none)"))
    DETAILS = ("muscles", "needle_count", "local_twitch_response", "adverse_reaction")

    def details(self) -> dict:
        answer = self.local_twitch_response.data
        return super().details() | {"local_twitch_response": {"yes": True, "no": False}.get(answer, answer)}


class DecompressionForm(ModalityForm):
    position = SelectField(_l("Position"), choices=[SelectChoice("", _l("Choose…")), SelectChoice("prone", _l("Prone")),
                                    SelectChoice("supine", _l("Supine"))],
                           validate_choice=False)
    force_kg = DecimalField(_l("Force (kg)"), validators=[Optional()], places=None)
    minutes = IntegerField(_l("Minutes"), validators=[Optional()])
    DETAILS = ("position", "force_kg", "minutes")

    def details(self) -> dict:
        force = self.force_kg.data
        return super().details() | {"force_kg": None if force is None else float(force)}


class ActiveRecoveryForm(ModalityForm):
    advice = TextAreaField(_l("Advice given"), validators=[Length(max=200, message=_l("This is too long."))])
    DETAILS = ("advice",)


MODALITY_FORMS = {
    "adjustment": AdjustmentForm,
    "massage": MassageForm,
    "dry_needling": DryNeedlingForm,
    "decompression": DecompressionForm,
    "active_recovery": ActiveRecoveryForm,
}


class NoteForm(ClinicForm):
    subjective = TextAreaField(_l("Subjective"), description=_l("What the patient tells: complaints, history, goals."))
    objective = TextAreaField(_l("Objective"), description=_l("What you find: observation, tests, palpation."))
    assessment = TextAreaField(_l("Assessment"), description=_l("Your clinical reasoning."))
    plan = TextAreaField(_l("Plan"), description=_l("Treatment, advice and follow-up."))
    adjustment = FormField(AdjustmentForm)
    massage = FormField(MassageForm)
    dry_needling = FormField(DryNeedlingForm)
    decompression = FormField(DecompressionForm)
    active_recovery = FormField(ActiveRecoveryForm)
    submit = SubmitField(_l("Save draft"))

    def modality_forms(self):
        """Yield (modality, sub-form) in the engine's order."""
        return [(name, self[name]) for name in MODALITY_FORMS]

    def content(self) -> NoteContent:
        """Return what was typed as the service's ``NoteContent``."""
        return NoteContent(
            subjective=self.subjective.data or "", objective=self.objective.data or "",
            assessment=self.assessment.data or "", plan=self.plan.data or "",
            modalities=tuple(
                AppliedModality(name, sub.form.details(), sub.form.justification.data or "", sub.form.override.data)
                for name, sub in self.modality_forms() if sub.form.applied.data
            ),
        )

    def fill(self, note) -> None:
        """Put a draft's text and modalities into the form."""
        for name in ("subjective", "objective", "assessment", "plan"):
            self[name].data = getattr(note, name)
        for row in note.modalities:
            sub = self[row.modality].form
            sub.applied.data, sub.justification.data, sub.override.data = True, row.justification, row.is_override
            for name in sub.DETAILS:
                value = row.details.get(name)
                if isinstance(value, list):
                    value = ", ".join(value)
                elif isinstance(value, bool):
                    value = "yes" if value else "no"
                sub[name].data = value


class AmendmentForm(ClinicForm):
    text = TextAreaField(_l("Amendment"), validators=[InputRequired(_l("Please fill this in.")),
                                                     Length(max=20000, message=_l("This is too long."))],
                         description=_l("A correction or addition. The signed note stays as it was."))
    submit = SubmitField(_l("Add amendment"))


class SignForm(ClinicForm):
    submit = SubmitField(_l("Sign note"))


class ReviewRedFlagsForm(ClinicForm):
    """The red-flag reports the chiropractor was shown (hidden) and has now reviewed."""

    # Any ids: the service marks only this patient's open reports among them.
    reports = SelectMultipleField(coerce=int, validate_choice=False, validators=[InputRequired()])
    submit = SubmitField(_l("Mark as reviewed"))


class AcknowledgeAlertForm(ClinicForm):
    """The alert (by its key, hidden) the chiropractor has looked at."""

    key = HiddenField(validators=[InputRequired(), Length(max=120)])
    clinic_wide = HiddenField()
    submit = SubmitField(_l("Acknowledge"))


class PatientSearchForm(ClinicForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, date of birth, e-mail or phone"),
                    validators=[Optional(), Length(max=200, message=_l("Please type at most 200 characters."))])


def today_default(form: ClinicForm, field_name: str, today: date) -> None:
    """Fill a date field with today unless something was sent."""
    if form[field_name].data is None and not form.is_submitted():
        form[field_name].data = today
