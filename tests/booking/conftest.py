"""Fixtures for the online booking tests: a seeded clinic and the online rules."""
from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.scheduling import ONLINE_POLICY
from clinic.services.online_booking import OnlineRules
from clinic.services.seed import seed_clinic

RULES = OnlineRules(policy=ONLINE_POLICY, max_open_bookings=3, cancellation_deadline=timedelta(hours=24))


@pytest.fixture
def clinic(app):
    seed_clinic(db.session)
    db.session.commit()
