"""Fixtures for the privacy tests: a seeded clinic, its staff, and a patient with a full record."""
from __future__ import annotations

import pytest

from clinic.extensions import db
from clinic.models import Role
from clinic.services.seed import seed_clinic
from tests.privacy.privacy_builders import NOW, PatientRecord, fill_patient_record


@pytest.fixture
def clinic(app):
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def admin(clinic, create_account):
    return create_account(Role.ADMIN)


@pytest.fixture
def chiropractor(clinic, create_account):
    return create_account(Role.CHIROPRACTOR)


@pytest.fixture
def record(clinic, create_patient, chiropractor) -> PatientRecord:
    """Return a patient with something in every part of their record."""
    patient = create_patient(email="sanne@example.nl", phone="+31612345678", sport="hockey")
    built = fill_patient_record(patient, chiropractor, now=NOW)
    db.session.commit()
    return built


@pytest.fixture
def client(app):
    """Return a test client whose browser asks for English pages (the clinic's default is Dutch)."""
    english = app.test_client()
    english.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return english
