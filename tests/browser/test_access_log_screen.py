"""The administrator filters the access log by a patient's name, the four filters side by side on a wide screen."""
import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.models import AccessAction, RecordPart, Role
from clinic.services.access_log import Requester, record_access
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_access_log_is_filtered_by_name_with_the_filters_in_one_row(live_server, page, screenshot, create_account,
                                                                         create_patient):
    desk = create_account(Role.FRONTDESK)
    for first_name in ("Noor", "Daan"):
        patient = create_patient(first_name=first_name, last_name="Bakker")
        record_access(db.session, Requester(desk, "192.0.2.1", "frontdesk"), patient.id, AccessAction.READ,
                      RecordPart.PATIENT, patient.id)
    db.session.commit()
    admin = create_account(Role.ADMIN)
    page.goto(f"{live_server}/taal/en?next=/login")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/admin/access-log")
    fields = [page.get_by_label(label) for label in ("Patient", "Account", "From (date)", "Until (date)")]
    tops = [field.bounding_box()["y"] for field in fields]
    assert max(tops) - min(tops) < 4, f"the filters are not in one row: their tops are at {tops}"
    fields[0].fill("noor bakk")
    page.get_by_role("button", name="Filter").click()
    expect(fields[0]).to_have_value("Noor Bakker")
    expect(page.locator("tbody tr", has_text="Daan Bakker")).to_have_count(0)
    expect(page.locator("tbody tr", has_text="Noor Bakker").first).to_be_visible()
    screenshot("filtered")
