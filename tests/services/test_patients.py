"""Registering and finding patients."""
from datetime import date

import pytest

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.models import CreatedSource
from clinic.services.patients import NewPatient, possible_duplicates, register_patient, search_patients

TODAY = date(2026, 11, 25)


def register(**fields):
    details = NewPatient(**({"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": date(1990, 5, 17)} | fields))
    patient = register_patient(db.session, details, source=CreatedSource.FRONTDESK, today=TODAY)
    db.session.commit()
    return patient


def test_registering_normalises_what_was_typed(app):
    patient = register(first_name="  Zoë ", email="Zoe@Example.NL", phone="06 12345678")
    assert (patient.first_name, patient.email, patient.phone) == ("Zoë", "zoe@example.nl", "+31612345678")


def test_registering_names_every_bad_field(app):
    with pytest.raises(Invalid) as refused:
        register(first_name="", email="nope", phone="12", date_of_birth=date(2030, 1, 1))
    assert refused.value.fields == {
        "first_name": "required",
        "email": "invalid_email",
        "phone": "invalid_phone",
        "date_of_birth": "not_in_past",
    }


def test_possible_duplicates_share_a_birth_date_and_a_name_email_or_phone(app):
    original = register(email="sanne@example.nl", phone="0612345678")
    register(first_name="Other", last_name="Person", date_of_birth=date(1990, 5, 17))
    same_name = NewPatient("S.", "De Vries", date(1990, 5, 17))
    same_phone = NewPatient("Sanne", "Jansen", date(1990, 5, 17), phone="+31 6 12345678")
    other_birthday = NewPatient("Sanne", "de Vries", date(1991, 5, 17))
    assert possible_duplicates(db.session, same_name) == [original]
    assert possible_duplicates(db.session, same_phone) == [original]
    assert possible_duplicates(db.session, other_birthday) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vries", ["de Vries"]),
        ("sanne vries", ["de Vries"]),
        ("17-05-1990", ["de Vries"]),
        ("1990-05-17", ["de Vries"]),
        ("sanne@example.nl", ["de Vries"]),
        ("06 12345678", ["de Vries"]),
        ("Bakker", ["Bakker"]),
        ("", []),
        ("%", []),
        ("_", []),
        ("Patient", ["Patiënt"]),
        ("ZOE PAT", ["Patiënt"]),
        ("0612345678", ["de Vries"]),
        ("+31 6 1234 5678", ["de Vries"]),
        ("06-12345678", ["de Vries"]),
        ("01-05-1994", ["Patiënt"]),
        ("1994-05-01", ["Patiënt"]),
        ("1234 AB", ["Patiënt"]),
        ("1234ab", ["Patiënt"]),
        ("devries", ["de Vries"]),
        ("sanne 1985-01-02", []),
    ],
)
def test_search_finds_patients_by_name_birth_date_email_phone_or_postcode(app, query, expected):
    register(email="sanne@example.nl", phone="0612345678")
    register(first_name="Noor", last_name="Bakker", date_of_birth=date(1985, 1, 2))
    patient = register(first_name="Zoë", last_name="Patiënt", date_of_birth=date(1994, 5, 1))
    patient.address_postcode = "1234 AB"
    db.session.commit()
    assert [p.last_name for p in search_patients(db.session, query)] == expected


def test_search_follows_a_changed_name(app):
    patient = register()
    patient.last_name = "Jansen"
    db.session.commit()
    assert search_patients(db.session, "vries") == []
    assert search_patients(db.session, "jansen") == [patient]
