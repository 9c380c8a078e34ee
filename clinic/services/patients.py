"""Finding and registering patients."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from clinic.contact import (
    ContactError,
    check_date_of_birth,
    clean_email,
    clean_name,
    clean_phone,
)
from clinic.errors import Invalid
from clinic.models import CreatedSource, Patient, PatientSearchTerm
from clinic.patient_search import END, query_terms

SEARCH_LIMIT = 25
MAX_SPORT_LENGTH = 100


@dataclass(frozen=True)
class NewPatient:
    """What is needed to register a patient, as typed."""

    first_name: str
    last_name: str
    date_of_birth: date
    email: str = ""
    phone: str = ""
    preferred_language: str = "nl"
    sport: str = ""


def cleaned(details: NewPatient, today: date) -> dict:
    """Return the patient's fields normalised, or raise ``Invalid`` naming every bad field."""
    checks = {
        "first_name": lambda: clean_name(details.first_name),
        "last_name": lambda: clean_name(details.last_name),
        "date_of_birth": lambda: check_date_of_birth(details.date_of_birth, today),
        "email": lambda: clean_email(details.email) if details.email.strip() else None,
        "phone": lambda: clean_phone(details.phone) if details.phone.strip() else None,
        "sport": lambda: clean_sport(details.sport),
    }
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ContactError as error:
            errors[field] = error.code
    if details.preferred_language not in ("nl", "en"):
        errors["preferred_language"] = "unknown_language"
    if errors:
        raise Invalid("Some details are not right.", fields=errors)
    return values | {"preferred_language": details.preferred_language}


def clean_sport(raw: str) -> str:
    """Return the sport with spaces tidied; refuse, rather than cut, one longer than the column."""
    sport = " ".join(raw.split())
    if len(sport) > MAX_SPORT_LENGTH:
        raise ContactError("too_long")
    return sport


def register_patient(
    session: Session,
    details: NewPatient,
    *,
    source: CreatedSource,
    today: date,
    privacy_consent_at: datetime | None = None,
) -> Patient:
    """Create a patient from the typed details (validated and normalised here)."""
    return add_patient(session, cleaned(details, today), source=source, privacy_consent_at=privacy_consent_at)


def add_patient(
    session: Session, values: dict, *, source: CreatedSource, privacy_consent_at: datetime | None = None
) -> Patient:
    """Create a patient from details that ``cleaned`` returned (for a caller that needed them first)."""
    patient = Patient(**values, created_source=source.value, privacy_consent_at=privacy_consent_at)
    session.add(patient)
    session.flush()
    return patient


def possible_duplicates(session: Session, details: NewPatient) -> Sequence[Patient]:
    """Return existing patients who look like the same person (same birth date and a same name,
    e-mail or phone), so the front desk can pick one instead of registering a twin."""
    same_person = [func.lower(Patient.last_name) == details.last_name.strip().lower()]
    if details.email.strip():
        same_person.append(Patient.email == details.email.strip().lower())
    if details.phone.strip():
        try:
            same_person.append(Patient.phone == clean_phone(details.phone))
        except ContactError:
            pass
    return session.scalars(
        select(Patient)
        .where(Patient.date_of_birth == details.date_of_birth, or_(*same_person))
        .order_by(Patient.last_name, Patient.first_name)
    ).all()


def search_patients(
    session: Session, query: str, limit: int = SEARCH_LIMIT, *, visible: ColumnElement[bool] = true()
) -> Sequence[Patient]:
    """Find patients by any part of the name (accents and case aside), date of birth (YYYY-MM-DD or
    DD-MM-YYYY), e-mail, phone in any notation or postcode; every word must match (``clinic.patient_search``).

    Each word is a prefix of one of the patient's search terms: a range of the terms' index.
    ``visible`` limits the search to the patients the user may see (``clinic.services.records``).
    """
    prefixes = query_terms(query)
    if not prefixes:
        return []
    conditions = [
        Patient.id.in_(select(PatientSearchTerm.patient_id).where(
            PatientSearchTerm.term >= prefix, PatientSearchTerm.term < prefix + END))
        for prefix in prefixes
    ]
    return session.scalars(
        select(Patient).where(visible, *conditions).order_by(Patient.last_name, Patient.first_name, Patient.id).limit(limit)
    ).all()
