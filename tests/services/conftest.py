"""Fixtures for service tests: a seeded clinic and a fixed 'now'."""
from datetime import datetime, timezone

import pytest

from clinic.extensions import db
from clinic.models import AppointmentType
from clinic.services.seed import seed_clinic

# Monday 30 November 2026, 08:00 in Amsterdam; the tests book on the days after it.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def clinic(app):
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def appointment_type(clinic):
    """Return a function giving the seeded appointment type with ``code``."""

    def _appointment_type(code: str = "sports_massage_30") -> AppointmentType:
        return db.session.query(AppointmentType).filter_by(code=code).one()

    return _appointment_type
