"""A patient refused another patient's appointment in the portal: logged, and shown to that other patient."""
from __future__ import annotations

from datetime import date, time

import pytest

from clinic.extensions import db
from clinic.models import AccessAction, AccessLogEntry
from tests.portal.test_portal import book, clinic, logged_in, sanne  # noqa: F401  (fixtures)

BRAM = {"email": "bram@example.nl", "date_of_birth": "1988-03-04"}


@pytest.fixture
def bram(clinic, create_patient):  # noqa: F811
    return create_patient(first_name="Bram", last_name="Jansen", date_of_birth=date(1988, 3, 4),
                          email=BRAM["email"])


def test_a_refused_appointment_is_logged_and_shown_in_both_languages(app, client, sanne, bram):  # noqa: F811
    theirs = book(bram, date(2026, 12, 3), time(11, 0))
    logged_in(client)
    assert client.post(f"/portaal/afspraken/{theirs.id}/wijzigen").status_code == 404
    refused = db.session.query(AccessLogEntry).filter_by(action=AccessAction.REFUSED.value).one()
    assert (refused.user_id, refused.patient_id, refused.object_type, refused.object_id) == (
        sanne.user_id, bram.id, "appointment", theirs.id)

    other_browser = app.test_client()
    logged_in(other_browser, BRAM)
    dutch = other_browser.get("/portaal/mijn-gegevens").get_data(as_text=True)
    english = other_browser.get("/en/portal/my-data").get_data(as_text=True)
    assert "<strong>Toegang geweigerd</strong>: afspraak" in dutch
    assert "<strong>Access refused</strong>: appointment" in english
