"""Fixtures for the API tests: a seeded clinic, bearer tokens per role, and future days to book on.

The API reads the real clock, so bookings go on days a week or more ahead (the online rules
allow up to eight weeks); tests about fixed dates read appointments booked with an earlier 'now'.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.extensions import db
from clinic.models import Role
from clinic.services.seed import seed_clinic
from tests.conftest import api_token_for

AMS = ZoneInfo("Europe/Amsterdam")


def next_weekday(weekday: int, at_least_days_ahead: int = 7) -> date:
    """Return the first local date with ``weekday`` (0 = Monday) at least that many days ahead."""
    earliest = datetime.now(AMS).date() + timedelta(days=at_least_days_ahead)
    return earliest + timedelta(days=(weekday - earliest.weekday()) % 7)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMS)


@pytest.fixture
def clinic(app):
    """Seed the four chiropractors (ids 1-4), their hours and the appointment types."""
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def tuesday() -> date:
    """A working day far enough ahead for every booking rule, and within the online horizon."""
    return next_weekday(1)


@pytest.fixture
def bearer(create_account):
    """Return a callable giving the Authorization header of a new account with ``role``."""

    def _bearer(role: Role = Role.FRONTDESK) -> dict[str, str]:
        return {"Authorization": f"Bearer {api_token_for(create_account(role))}"}

    return _bearer


@pytest.fixture
def staff(bearer) -> dict[str, str]:
    """The Authorization header of a front-desk account."""
    return bearer(Role.FRONTDESK)
