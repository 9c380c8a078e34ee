"""Fixtures for the administration pages: a seeded clinic, a fixed clock, English pages."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Chiropractor, Role
from clinic.services.seed import seed_clinic
from tests.conftest import log_in

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def seeded_clinic(app, clock):
    """Seed the clinic and stop the clock at ``NOW``."""
    clock.set(NOW)
    seed_clinic(db.session)
    db.session.commit()


def chiropractor(slug: str) -> Chiropractor:
    return db.session.scalar(select(Chiropractor).where(Chiropractor.slug == slug))


@pytest.fixture
def jarco() -> Chiropractor:
    return chiropractor("jarco-schol")


@pytest.fixture
def tijn() -> Chiropractor:
    return chiropractor("tijn-kooren")


@pytest.fixture
def logged_in(client, create_account):
    """Return a function that logs the client in with ``role`` (as Jarco for a chiropractor), in English."""

    def _logged_in(role: Role):
        linked = chiropractor("jarco-schol") if role is Role.CHIROPRACTOR else None
        user = create_account(role, chiropractor=linked)
        assert log_in(client, user.email).status_code == 302
        client.get("/taal/en")
        return user

    return _logged_in
