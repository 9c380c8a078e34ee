"""Helpers for the login-hardening tests: a clock the login code reads, and TOTP codes.

Import the ``clock`` and ``hash_checks`` fixtures into a test module to use them.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock

import pyotp
import pytest

from clinic.auth import passwords
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import User
from clinic.services.accounts import confirm_second_factor, start_second_factor

# Every place the login code asks for the time.
CLOCK_READERS = ("clinic.auth.login.utcnow", "clinic.auth.routes.utcnow")


class Clock:
    """A settable ``utcnow``."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **duration) -> None:
        self.now += timedelta(**duration)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    # Start from the real time: Flask-Limiter's windows run on the real clock.
    clock = Clock(utcnow().replace(microsecond=0))
    for target in CLOCK_READERS:
        monkeypatch.setattr(target, clock)
    return clock


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
