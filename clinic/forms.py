"""The base of the clinic's web forms: what holds for text and dates typed into any of them.

Every form refuses text that cannot be stored as typed (see ``clinic.text``), with the usual
message next to the field, so a NUL byte never reaches a query or a row (where PostgreSQL,
unlike SQLite, would fail with an error page). Every date is a ``DayField``, which takes the
same range as the API (``clinic.bounds``), so the year 1 never reaches date arithmetic.
"""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, PasswordField, StringField
from wtforms.validators import ValidationError

from clinic.bounds import CLINIC_DAYS, DayRange
from clinic.messages import field_message
from clinic.outcomes.measures import Wording, lefs_wording
from clinic.text import is_storable


def storable_text(form, field) -> None:
    """Refuse text with a character the clinic cannot store as typed (see ``clinic.text``)."""
    if isinstance(field.data, str) and not is_storable(field.data):
        raise ValidationError(field_message("invalid_characters"))


class StorableText:
    """Check every text field of the form with ``storable_text`` after its own validators."""

    def validate(self, extra_validators=None) -> bool:
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            # A password is hashed, never stored or looked up as text.
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                extra.setdefault(name, []).append(storable_text)
        return super().validate(extra)


class DayField(DateField):
    """A date typed as YYYY-MM-DD (what ``<input type=date>`` sends) within ``within``, with messages that say so."""

    def __init__(self, label=None, validators=None, *, within: DayRange = CLINIC_DAYS, **kwargs):
        render_kw = {"type": "date", "min": within.first.isoformat(), "max": within.last.isoformat(),
                     **kwargs.pop("render_kw", {})}
        super().__init__(label, validators, format="%Y-%m-%d", render_kw=render_kw, **kwargs)
        self.within = within

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a date as year-month-day, e.g. 2026-12-01.")) from None
        if self.data is not None and self.data not in self.within:
            self.data = None
            raise ValueError(_l("That date is out of range; please check the year."))


class ClinicForm(StorableText, FlaskForm):
    """A page's form: CSRF-protected (unless its Meta says otherwise), with storable text."""


class SubForm(StorableText, Form):
    """A group of fields nested in a ``ClinicForm`` through ``FormField``."""


def optional_int(value: str | None) -> int | None:
    """Return the chosen number, or None when none (or something else than a number) was sent."""
    return int(value) if value and value.lstrip("-").isdigit() and len(value) < 4 else None


def word_lefs(fields: list, placeholder: str | None = None) -> Wording:
    """Label the 20 LEFS ``fields`` and give them the answers, in the page's language if the LEFS has a
    validated wording in it, else in the original; return that wording (the page marks its language).
    A select gets ``placeholder`` first and each answer numbered; a group of choices gets the answers only."""
    wording = lefs_wording(get_locale().language)
    answers = [(str(n), f"{n} – {text}" if placeholder else text) for n, text in enumerate(wording.answers)]
    for number, (field, item) in enumerate(zip(fields, wording.items, strict=True), start=1):
        field.label.text = f"{number}. {item}"
        field.choices = ([("", placeholder)] if placeholder else []) + answers
    return wording
