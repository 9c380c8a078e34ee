"""A member of staff logs in, sees the day's book, and logs out, in a real browser."""
import re

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.models import Role
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_front_desk_logs_in_sees_the_four_chiropractors_and_logs_out(
    app, live_server, page, screenshot, create_account
):
    seed_clinic(db.session)
    db.session.commit()
    user = create_account(Role.FRONTDESK)

    page.goto(f"{live_server}/frontdesk/")
    expect(page).to_have_url(re.compile(r"/login\?next=/frontdesk/"))
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill("wrong password")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("E-mailadres of wachtwoord klopt niet.")).to_be_visible()
    expect(page.get_by_label("E-mailadres")).to_have_value(user.email)
    screenshot("login-error")

    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    expect(page).to_have_url(re.compile(r"/frontdesk/$"))
    for name in ("Jarco Schol", "Tijn Kooren", "Desiree Griesel", "Sten Hofstad"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    screenshot("day")

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    page.goto(f"{live_server}/frontdesk/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_visitor_switches_the_site_to_english_and_back(live_server, page, screenshot):
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Chiropractie voor mensen die in beweging zijn")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chiropractic care for people who move")
    screenshot("home-en")
    page.get_by_role("link", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
