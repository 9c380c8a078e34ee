"""A patient's details: what the database refuses, how the service checks and records changes."""
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.models import PatientChange, Role
from clinic.services.patient_details import ConfirmationNeeded, update_patient

TODAY = date(2026, 12, 5)


@pytest.fixture
def desk(create_account):
    return create_account(Role.FRONTDESK, "desk@movewell.test")


@pytest.fixture
def sanne(create_patient):
    return create_patient(email="sanne@example.nl")


def refused_by_database(patient, **values):
    for name, value in values.items():
        setattr(patient, name, value)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_keeps_dutch_postcodes_and_phone_numbers_in_form(sanne):
    refused_by_database(sanne, address_postcode="1234ab")
    refused_by_database(sanne, address_postcode="0123 AB")
    refused_by_database(sanne, address_country="nl")
    refused_by_database(sanne, gp_phone="0612345678")
    sanne.address_country, sanne.address_postcode = "BE", "1000"  # another country's postcode, as typed
    db.session.flush()


def test_the_history_of_changes_cannot_be_rewritten(sanne, desk):
    update_patient(db.session, sanne, {"sport": "hockey"}, user=desk, today=TODAY, identity_confirmed=False)
    db.session.commit()
    for statement in ("UPDATE patient_changes SET new_value = 'tennis'", "DELETE FROM patient_changes"):
        with pytest.raises(DBAPIError):
            db.session.execute(text(statement))
        db.session.rollback()


def test_details_are_normalised_and_every_change_recorded(sanne, desk):
    changes = update_patient(db.session, sanne, {
        "address.postcode": " 1234ab", "address.street": "  Lange   Laan ", "gp.phone": "035 621 0000",
        "desk_remarks": "hard of hearing\n  prefers mornings ", "sport": "",
    }, user=desk, today=TODAY, identity_confirmed=False)
    db.session.commit()
    assert (sanne.address_postcode, sanne.address_street, sanne.gp_phone, sanne.desk_remarks) == (
        "1234 AB", "Lange Laan", "+31356210000", "hard of hearing\nprefers mornings")
    recorded = db.session.scalars(db.select(PatientChange).order_by(PatientChange.field)).all()
    assert [(c.field, c.old_value, c.new_value, c.changed_by_id) for c in recorded] == [
        ("address.postcode", "", "1234 AB", desk.id), ("address.street", "", "Lange Laan", desk.id),
        ("desk_remarks", "", "hard of hearing\nprefers mornings", desk.id), ("gp.phone", "", "+31356210000", desk.id),
    ]
    assert len(changes) == 4  # the sport was empty already: no change


def test_every_bad_detail_is_named_by_its_path(sanne, desk):
    with pytest.raises(Invalid) as refused:
        update_patient(db.session, sanne, {
            "address.postcode": "12345", "address.country": "XX", "emergency_contact.phone": "12",
            "first_name": "", "date_of_birth": date(2030, 1, 1),
        }, user=desk, today=TODAY, identity_confirmed=False)
    assert refused.value.fields == {
        "address.country": "unknown_country", "emergency_contact.phone": "invalid_phone",
        "first_name": "required", "date_of_birth": "not_in_past", "address.postcode": "invalid_postcode",
    }


def test_a_postcode_is_checked_in_the_country_it_belongs_to(sanne, desk):
    with pytest.raises(Invalid) as refused:
        update_patient(db.session, sanne, {"address.postcode": "12345"}, user=desk, today=TODAY,
                       identity_confirmed=False)
    assert refused.value.fields == {"address.postcode": "invalid_postcode"}
    update_patient(db.session, sanne, {"address.postcode": "12345", "address.country": "de"}, user=desk,
                   today=TODAY, identity_confirmed=False)
    assert (sanne.address_country, sanne.address_postcode) == ("DE", "12345")


def test_changing_email_or_birth_date_needs_a_confirmation(sanne, desk):
    with pytest.raises(ConfirmationNeeded) as asked:
        update_patient(db.session, sanne, {"email": "S.de.Vries@example.nl", "sport": "golf"}, user=desk,
                       today=TODAY, identity_confirmed=False)
    assert asked.value.fields == {"email": "confirm"}
    assert sanne.sport == ""
    update_patient(db.session, sanne, {"email": "sanne@example.nl"}, user=desk, today=TODAY,
                   identity_confirmed=False)  # the same address, as typed before: nothing to confirm
    update_patient(db.session, sanne, {"email": "S.de.Vries@example.nl"}, user=desk, today=TODAY,
                   identity_confirmed=True)
    assert sanne.email == "s.de.vries@example.nl"


def test_a_patient_cannot_be_made_the_twin_of_another(sanne, desk, create_patient):
    other = create_patient(first_name="Sanne", email="sanne@example.nl", date_of_birth=date(1991, 5, 17))
    with pytest.raises(Conflict) as refused:
        update_patient(db.session, other, {"date_of_birth": date(1990, 5, 17)}, user=desk, today=TODAY,
                       identity_confirmed=True)
    assert refused.value.code == "patient_conflict"
