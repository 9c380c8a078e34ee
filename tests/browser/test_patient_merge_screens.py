"""An administrator merges a duplicate patient record in a real browser, in Dutch, with the review step."""
from datetime import date

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.models import PatientMerge, Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_reviews_both_records_and_merges_the_duplicate(app, live_server, page, screenshot, create_account,
                                                             create_patient):
    kept = create_patient(first_name="Zoë", last_name="Patiënt", date_of_birth=date(1994, 5, 1), email="zoe@example.nl")
    duplicate_id = create_patient(first_name="Zoe", last_name="Patient", date_of_birth=date(1994, 5, 1),
                               email="zoe.nieuw@example.nl", created_source="online").id
    admin = create_account(Role.ADMIN)
    page.goto(f"{live_server}/taal/nl?next=/login")
    page.get_by_label("E-mailadres").fill(admin.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.goto(f"{live_server}/admin/patients/{kept.id}/privacy")
    page.get_by_role("link", name="Dubbel dossier samenvoegen…").click()
    page.get_by_label("Patiëntnummer van het dubbele dossier").fill(str(duplicate_id))
    page.get_by_label("Reden").fill("Online geboekt met een nieuw e-mailadres")
    screenshot("choose")
    page.get_by_role("button", name="Samenvoegen controleren").click()
    expect(page.get_by_role("cell", name="zoe.nieuw@example.nl")).to_be_visible()
    screenshot("review")
    page.get_by_label("Dit is dezelfde persoon.").check()
    page.get_by_role("button", name="Dossiers samenvoegen").click()
    expect(page.get_by_text("De dossiers zijn samengevoegd.")).to_be_visible()
    db.session.rollback()  # a fresh read of what the server committed
    assert db.session.query(PatientMerge).one().merged_id == duplicate_id
