"""An administrator adds a room, withdraws dry needling from a chiropractor and closes the clinic."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Role
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_sets_resources_offered_treatments_and_a_closure(app, live_server, page, screenshot, create_account):
    seed_clinic(db.session)
    db.session.commit()
    admin = create_account(Role.ADMIN)
    next_week = to_local(utcnow()).date() + timedelta(days=7)

    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="English").click()
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/admin/resources")
    page.get_by_label("Name").fill("Behandelkamer 2")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Behandelkamer 2 has been added.")).to_be_visible()
    expect(page.locator("#resources")).to_contain_text("Decompressietafel")
    screenshot("resources")

    page.goto(f"{live_server}/admin/chiropractors")
    page.get_by_role("link", name="Treatments offered Tijn Kooren").click()
    page.get_by_label("Dry needling").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The treatments of Tijn Kooren have been saved.")).to_be_visible()
    expect(page.get_by_label("Dry needling")).not_to_be_checked()
    screenshot("offered-treatments")

    page.goto(f"{live_server}/admin/closures")
    page.get_by_label("From (date)").fill(next_week.isoformat())
    page.get_by_label("From (time)").fill("13:00")
    page.get_by_label("Until (date)").fill(next_week.isoformat())
    page.get_by_label("Until (time)").fill("17:30")
    page.get_by_label("Reason").fill("Teamtraining")
    page.get_by_role("button", name="Close the clinic").click()
    expect(page.get_by_text("Closure saved.")).to_be_visible()
    expect(page.get_by_role("cell", name="Teamtraining")).to_be_visible()
    screenshot("closures")
