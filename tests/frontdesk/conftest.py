"""Fixtures for the front desk's screens: a seeded clinic, a fixed 'now' and a logged-in front desk."""
from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timezone

import pytest

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentType, BookingSource, Chiropractor, Role
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment
from clinic.services.seed import seed_clinic

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)
TUESDAY = date(2026, 12, 1)
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def frozen_now(app, clock):
    """Stop the clock at ``NOW``."""
    return clock.set(NOW)


@pytest.fixture
def clinic(app, frozen_now):
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def english(client):
    """Make the client's pages English, so assertions do not depend on the Dutch catalogue."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def desk(clinic, english, login_as):
    """Log the client in as the front desk and return the account."""
    return login_as(Role.FRONTDESK, name="Sanne Jacobs")


def chiropractor(name: str) -> Chiropractor:
    return db.session.query(Chiropractor).filter_by(name=name).one()


def appointment_type(code: str) -> AppointmentType:
    return db.session.query(AppointmentType).filter_by(code=code).one()


@pytest.fixture
def book(clinic, create_patient):
    """Return a function booking through the service at a local time; a new patient unless given."""

    def _book(day: date, at: time, *, chiropractor_name="Jarco Schol", code="follow_up", patient=None,
              source=BookingSource.FRONTDESK, now=NOW):
        appointment = book_appointment(
            db.session,
            patient=patient or create_patient(),
            appointment_type=appointment_type(code),
            starts_at=combine(day, at),
            chiropractor_id=chiropractor(chiropractor_name).id,
            source=source,
            policy=STAFF_POLICY,
            now=now,
        )
        db.session.commit()
        return appointment

    return _book


def field_error(page: str, field_id: str) -> str | None:
    """Return the error message shown next to the field ``field_id``, if any."""
    match = re.search(rf'<p class="error[^"]*" id="{field_id}-error"[^>]*>(.*?)</p>', page, re.S)
    return html.unescape(" ".join(match.group(1).split())) if match else None


def text_of(response) -> str:
    """Return the page's text with tags removed and whitespace collapsed, for reading assertions."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))
