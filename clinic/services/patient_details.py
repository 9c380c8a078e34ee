"""Changing a patient's details: every detail checked and normalised, changes recorded, twins refused.

E-mail address and date of birth together are how a patient logs in to the portal and is matched
when booking online (``clinic.services.online_booking``). Changing either therefore needs the
caller to confirm it, and is refused when the patient would then have the same pair as another
one. Every detail that changes gets a ``PatientChange`` row: old and new value, who and when.
Details are named as the API names them (``address.postcode``), in errors and in the history.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic.contact import ContactError, check_date_of_birth, clean_email, clean_name, clean_phone
from clinic.errors import Conflict, Invalid
from clinic.localtime import utcnow
from clinic.models import LANGUAGES, Patient, PatientChange, User
from clinic.services.patients import clean_sport
from clinic.text import is_storable

# The details whose change asks for a confirmation: together they are the portal login and the
# online-booking match.
IDENTITY_FIELDS = ("email", "date_of_birth")
DUTCH_POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})$")
# Dutch postcodes never end in these letters (PostNL).
UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
COUNTRIES = frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha())
MAX_REMARKS_LENGTH = 500


class ConfirmationNeeded(Conflict):
    """The change touches e-mail or date of birth and was not confirmed."""

    code = "confirmation_needed"


def line(max_length: int) -> Callable[[str], str]:
    """Return a check for one line of free text: spaces tidied, at most ``max_length`` characters."""

    def clean(raw: str) -> str:
        if not is_storable(raw):
            raise ContactError("invalid_characters")
        text = " ".join(raw.split())
        if len(text) > max_length:
            raise ContactError("too_long")
        return text

    return clean


def clean_remarks(raw: str) -> str:
    """Return desk remarks with each line's spaces tidied; line breaks stay."""
    if not is_storable(raw):
        raise ContactError("invalid_characters")
    text = "\n".join(" ".join(row.split()) for row in raw.strip().splitlines()).strip()
    if len(text) > MAX_REMARKS_LENGTH:
        raise ContactError("too_long")
    return text


def optional_phone(raw: str) -> str | None:
    return clean_phone(raw) if raw.strip() else None


def optional_email(raw: str) -> str | None:
    return clean_email(raw) if raw.strip() else None


def clean_country(raw: str) -> str:
    code = raw.strip().upper()
    if code not in COUNTRIES:
        raise ContactError("unknown_country")
    return code


def clean_postcode(raw: str, country: str) -> str:
    """Return a Dutch postcode as "1234 AB" (however it was typed); another country's as typed."""
    if country != "NL":
        return line(10)(raw)
    compact = "".join(raw.split()).upper()
    if not compact:
        return ""
    found = DUTCH_POSTCODE.match(compact)
    if found is None or found.group(2) in UNUSED_POSTCODE_LETTERS:
        raise ContactError("invalid_postcode")
    return f"{found.group(1)} {found.group(2)}"


def clean_language(raw: str) -> str:
    if raw not in LANGUAGES:
        raise ContactError("unknown_language")
    return raw


# Each detail by the name callers use: (column, check). The check takes what was typed (a date
# for the date of birth) and returns what is stored, or raises ``ContactError``.
DETAILS: dict[str, tuple[str, Callable]] = {
    "first_name": ("first_name", clean_name),
    "last_name": ("last_name", clean_name),
    "date_of_birth": ("date_of_birth", None),  # needs today: checked in ``cleaned_changes``
    "email": ("email", optional_email),
    "phone": ("phone", optional_phone),
    "language": ("preferred_language", clean_language),
    "sport": ("sport", clean_sport),
    "desk_remarks": ("desk_remarks", clean_remarks),
    "address.street": ("address_street", line(100)),
    "address.house_number": ("address_house_number", line(20)),
    "address.postcode": ("address_postcode", None),  # depends on the country: ``cleaned_changes``
    "address.city": ("address_city", line(100)),
    "address.country": ("address_country", clean_country),
    "gp.name": ("gp_name", line(100)),
    "gp.practice": ("gp_practice", line(100)),
    "gp.phone": ("gp_phone", optional_phone),
    "insurer.name": ("insurer_name", line(100)),
    "insurer.policy_number": ("insurer_policy_number", line(40)),
    "emergency_contact.name": ("emergency_contact_name", line(100)),
    "emergency_contact.phone": ("emergency_contact_phone", optional_phone),
    "emergency_contact.relation": ("emergency_contact_relation", line(50)),
}


def cleaned_changes(patient: Patient, typed: Mapping[str, object], today: date) -> dict[str, object]:
    """Return the typed details normalised, by name, or raise ``Invalid`` naming every bad one.

    Details not in ``typed`` are left as they are; an empty text clears an optional detail.
    """
    values, errors = {}, {}
    for name, raw in typed.items():
        if name not in DETAILS:
            raise ValueError(f"unknown detail {name}")
        try:
            if name == "date_of_birth":
                values[name] = check_date_of_birth(raw, today)
            elif name == "address.postcode":
                continue  # below, once the country is known
            else:
                values[name] = DETAILS[name][1](raw)
        except ContactError as error:
            errors[name] = error.code
    if "address.postcode" in typed or "address.country" in values:
        country = values.get("address.country", patient.address_country)
        postcode = typed.get("address.postcode", patient.address_postcode)
        try:
            values["address.postcode"] = clean_postcode(postcode, country)
        except ContactError as error:
            errors["address.postcode"] = error.code
    if errors:
        raise Invalid("Some details are not right.", fields=errors)
    return values


def changed_identity(patient: Patient, values: Mapping[str, object]) -> list[str]:
    """Return which of e-mail and date of birth ``values`` would change."""
    return [name for name in IDENTITY_FIELDS if name in values and values[name] != getattr(patient, name)]


def update_patient(
    session: Session, patient: Patient, typed: Mapping[str, object], *, user: User, today: date,
    identity_confirmed: bool,
) -> list[PatientChange]:
    """Change the patient's details to what was typed and record each change; return the changes.

    :raises Invalid: a detail is not right (``fields`` names each by its name).
    :raises ConfirmationNeeded: e-mail or date of birth would change and ``identity_confirmed`` is false.
    :raises Conflict: (code ``patient_conflict``) another patient has the e-mail and date of birth this one would get.
    """
    values = cleaned_changes(patient, typed, today)
    identity = changed_identity(patient, values)
    if identity and not identity_confirmed:
        raise ConfirmationNeeded("Changing the e-mail address or date of birth needs a confirmation.",
                                 fields={name: "confirm" for name in identity})
    if identity:
        refuse_twin(session, patient, values)
    changes = []
    for name, value in values.items():
        column = DETAILS[name][0]
        old = getattr(patient, column)
        if value == old:
            continue
        setattr(patient, column, value)
        changes.append(PatientChange(patient_id=patient.id, field=name, old_value=as_text(old),
                                     new_value=as_text(value), changed_by_id=user.id, changed_at=utcnow()))
    session.add_all(changes)
    session.flush()
    return changes


def refuse_twin(session: Session, patient: Patient, values: Mapping[str, object]) -> None:
    """Refuse e-mail and date of birth that another patient has together (they would be one login)."""
    email = values.get("email", patient.email)
    born = values.get("date_of_birth", patient.date_of_birth)
    if email is None:
        return
    twin = session.scalar(select(Patient.id).where(
        Patient.email == email, Patient.date_of_birth == born, Patient.id != patient.id).limit(1))
    if twin is not None:
        fields = {name: "patient_conflict" for name in IDENTITY_FIELDS if name in values}
        raise Conflict("Another patient has this e-mail address and date of birth.", code="patient_conflict",
                       fields=fields)


def as_text(value: object) -> str:
    """Return a stored value as the history keeps it ('' for none)."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)
