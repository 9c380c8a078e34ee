"""Helpers for the login-hardening tests: TOTP codes, and a count of password checks.

Import the ``hash_checks`` fixture into a test module to use it (the ``clock`` fixture is the suite's).
"""
from __future__ import annotations

from datetime import datetime
from unittest import mock

import pyotp
import pytest

from clinic.auth import passwords
from clinic.extensions import db
from clinic.models import User
from clinic.services.accounts import confirm_second_factor, start_second_factor


def code_at(user: User, when: datetime) -> str:
    """Return the code the user's authenticator app shows at ``when``."""
    return pyotp.TOTP(user.totp_secret).at(when)


def enrol(user: User, when: datetime) -> None:
    """Give ``user`` a confirmed second factor, as the enrolment page does."""
    start_second_factor(user)
    assert confirm_second_factor(db.session, user, code_at(user, when), when)
    db.session.commit()


@pytest.fixture
def hash_checks(monkeypatch) -> mock.Mock:
    """Count every argon2 verification, of a real hash or of the dummy one."""
    spy = mock.Mock(wraps=passwords.PasswordHasher.verify)
    monkeypatch.setattr(passwords.PasswordHasher, "verify", lambda self, *args: spy(self, *args))
    return spy
