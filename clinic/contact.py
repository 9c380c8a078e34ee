"""Checking and normalising what people type about themselves: names, birth dates, e-mail, phone.

Pure Python (no Flask): the web forms, the API and the services share these rules. Each function
returns the normalised value or raises ``ContactError`` with a message code the caller translates.
"""
from __future__ import annotations

import unicodedata
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MAX_NAME_LENGTH = 100
MAX_AGE_YEARS = 130
DEFAULT_PHONE_REGION = "NL"


class ContactError(ValueError):
    """A value a person typed is not acceptable; ``code`` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def clean_name(raw: str) -> str:
    """Return a person's name with surrounding and repeated spaces removed; any script is fine."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise ContactError("required")
    if len(name) > MAX_NAME_LENGTH:
        raise ContactError("too_long")
    # Control and format characters (NUL, RTL overrides, zero-width joiners) have no place in a
    # name and would make it print differently from how it reads.
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in name):
        raise ContactError("invalid_characters")
    if not any(char.isalpha() for char in name):
        raise ContactError("no_letters")
    return name


def check_date_of_birth(value: date, today: date) -> date:
    """Return the birth date if it is in the past and not absurdly long ago."""
    if value >= today:
        raise ContactError("not_in_past")
    if value.year < today.year - MAX_AGE_YEARS:
        raise ContactError("too_long_ago")
    return value


def clean_email(raw: str) -> str:
    """Return the e-mail address in the lower-case form the clinic stores."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ContactError("invalid_email") from None


def clean_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """Return the phone number in E.164 form; a Dutch number may leave out the country code."""
    try:
        number = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException:
        raise ContactError("invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ContactError("invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """Return a stored E.164 number the way people write it (national for Dutch numbers)."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.region_code_for_number(number) == DEFAULT_PHONE_REGION
    style = phonenumbers.PhoneNumberFormat.NATIONAL if national else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)
