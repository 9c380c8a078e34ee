"""Fixtures for the clinical tests: a seeded clinic, a patient, and API headers per role."""
from __future__ import annotations

import pytest

from clinic.extensions import db
from clinic.models import Role, User
from clinic.services.seed import seed_clinic
from tests.conftest import api_token_for


@pytest.fixture
def clinic(app):
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def patient(clinic, create_patient):
    return create_patient()


@pytest.fixture
def account_with_token(create_account):
    """Return a callable giving (account, Authorization header) for a new account with ``role``."""

    def _account_with_token(role: Role) -> tuple[User, dict[str, str]]:
        user = create_account(role)
        return user, {"Authorization": f"Bearer {api_token_for(user)}"}

    return _account_with_token


@pytest.fixture
def chiropractor(account_with_token):
    return account_with_token(Role.CHIROPRACTOR)


@pytest.fixture
def headers(account_with_token):
    """Return the Authorization header of a new account with ``role``."""
    return lambda role: account_with_token(role)[1]
