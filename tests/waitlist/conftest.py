"""A seeded clinic at a fixed 'now', patients on the waitlist, and the e-mailed claim links."""
from __future__ import annotations

import re
from datetime import date, time

import pytest

from clinic.extensions import db
from clinic.models import AppointmentType, WaitlistSource
from clinic.services.waitlist import WishDetails, join_waitlist
from tests.services.conftest import NOW, appointment_type, clinic  # noqa: F401  (fixtures)

CLAIM_LINK = re.compile(r"http://localhost(/(?:afspraak/wachtlijst|en/book/waitlist)/[\w-]+)")
MASSAGE = "sports_massage_30"


def claim_path(message) -> str:
    return CLAIM_LINK.search(message.get_body(("plain",)).get_content()).group(1)


@pytest.fixture
def waiting(clinic, clock, create_patient):
    """Return a function that puts a new patient on the waitlist for the massage (any other wish as given)."""
    clock.set(NOW)

    def _waiting(first_name: str, *, language: str = "nl", until: date = date(2026, 12, 31), code: str = MASSAGE,
                 chiropractor_ids=(), weekdays=(), from_time: time | None = None, to_time: time | None = None):
        patient = create_patient(first_name=first_name, email=f"{first_name.lower()}@example.nl",
                                 preferred_language=language)
        appointment_type = db.session.query(AppointmentType).filter_by(code=code).one()
        join_waitlist(db.session, patient, WishDetails(appointment_type, until, chiropractor_ids, weekdays, from_time,
                                                       to_time), created_by=WaitlistSource.FRONTDESK, today=NOW.date())
        db.session.commit()
        return patient

    return _waiting
