"""The desk's waitlist with who was offered what, and the page a patient claims a freed time on, in
Dutch; both readable at 1400 and 360 pixels wide, without serious accessibility problems."""
from __future__ import annotations

import re
from datetime import date, time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import OutboxMessage, Role
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD
from tests.mail_server import run_mail_worker
from tests.waitlist.conftest import clinic, waiting  # noqa: F401  (fixtures)
from tests.waitlist.test_waitlist_offers import book, cancel

pytestmark = pytest.mark.browser
WIDE, NARROW = {"width": 1400, "height": 900}, {"width": 360, "height": 740}
CLAIM_PATH = re.compile(r"/afspraak/wachtlijst/[\w-]+")


def check(page, name: str) -> None:
    """Save the page at both widths; no sideways scrolling when narrow; no serious or critical axe finding."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("1400", WIDE), ("360", NARROW)):
        page.set_viewport_size(viewport)
        page.screenshot(path=ARTIFACTS / f"waitlist-{name}-{label}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, label)
        findings = Axe().run(page).response["violations"]
        assert [f["id"] for f in findings if f["impact"] in ("serious", "critical")] == [], (name, label)
    page.set_viewport_size(WIDE)


def test_the_desk_sees_the_offers_and_the_patient_claims_the_freed_time(app, live_server, browser, waiting,
                                                                        create_patient, create_account):
    waiting("Piet", weekdays=[1], from_time=time(8, 0), to_time=time(12, 0), until=date(2026, 12, 31))
    waiting("Emma", language="en", chiropractor_ids=[1])
    cancel(book(create_patient(first_name="Sanne", last_name="Bakker")))
    run_mail_worker(app)
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_address == "piet@example.nl"))
    claim = CLAIM_PATH.search(body).group(0)
    user = create_account(Role.FRONTDESK)
    context = browser.new_context(viewport=WIDE, locale="nl-NL", timezone_id="Europe/Amsterdam", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server}/taal/nl?next=/frontdesk/waitlist")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachtlijst")
    expect(page.get_by_role("row", name=re.compile("Piet"))).to_contain_text("dinsdag")
    expect(page.get_by_role("row", name=re.compile("Piet"))).to_contain_text("Aangeboden")
    check(page, "desk")

    page.goto(f"{live_server}{claim}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Er is een tijd vrijgekomen")
    expect(page.get_by_text("dinsdag 1 december 2026, 09:00")).to_be_visible()
    check(page, "claim")
    page.get_by_role("button", name="Deze tijd boeken").click()
    expect(page.get_by_role("status")).to_contain_text("Deze tijd is voor u")
    check(page, "claimed")

    page.goto(f"{live_server}/frontdesk/waitlist")
    expect(page.get_by_role("row", name=re.compile("Piet"))).to_contain_text("Geclaimd")
    expect(page.get_by_role("row", name=re.compile("Emma"))).to_contain_text("Aangeboden")
    context.close()
