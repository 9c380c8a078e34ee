"""The base of the clinic's web forms: what holds for text typed into any of them.

Every form refuses text that cannot be stored as typed (see ``clinic.text``), with the usual
message next to the field, so a NUL byte never reaches a query or a row (where PostgreSQL,
unlike SQLite, would fail with an error page).
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Form, PasswordField, StringField
from wtforms.validators import ValidationError

from clinic.messages import field_message
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


class ClinicForm(StorableText, FlaskForm):
    """A page's form: CSRF-protected (unless its Meta says otherwise), with storable text."""


class SubForm(StorableText, Form):
    """A group of fields nested in a ``ClinicForm`` through ``FormField``."""
