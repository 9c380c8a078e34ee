"""A patient opens an e-mailed link that has been used, has expired or never existed: a real browser at 1400 and
360 px shows why and what to do next, in the page's language, with no serious accessibility problem."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import TokenPurpose
from clinic.services.patient_links import issue_single_use_link
from tests.browser.test_episode_screens import check_and_capture

pytestmark = pytest.mark.browser


def link_that_is(state: str, create_patient) -> str:
    if state == "unknown":
        return "Zm9vYmFyLW5vdC1hLWxpbmstb2YtYW55b25lLWF0LWFsbA"
    now = utcnow()
    patient = create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")
    link, secret = issue_single_use_link(db.session, TokenPurpose.AFTER_VISIT, patient.id,
                                         now - timedelta(minutes=1) if state == "expired" else now + timedelta(days=1))
    if state == "used":
        link.used_at = now - timedelta(hours=1)
    db.session.commit()
    return secret


@pytest.mark.parametrize(("state", "path", "heading", "next_step"), [
    ("used", "/afspraak/nazorg/", "Deze link is al gebruikt", "Log in om uw afspraken te zien"),
    ("expired", "/afspraak/nazorg/", "Deze link is verlopen", "Afspraak maken"),
    ("unknown", "/afspraak/nazorg/", "Deze link kennen we niet", "Log in om uw afspraken te zien"),
    ("expired", "/en/book/aftercare/", "This link has expired", "Log in to see your appointments"),
])
def test_a_link_that_opens_nothing_says_why_and_what_to_do(app, live_server, page, create_patient, state, path,
                                                            heading, next_step):
    page.goto(live_server + path + link_that_is(state, create_patient))

    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("main").get_by_role("link", name=next_step)).to_be_visible()
    expect(page.locator("main")).to_contain_text(app.config["CLINIC_PHONE"])
    expect(page.locator("main")).not_to_contain_text("Sanne")
    check_and_capture(page, f"refused-link-{state}-{path.split('/')[1]}")
