"""The front desk finds a patient, reads the patient file and changes the e-mail address, in Dutch."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentAction, AppointmentType, BookingSource, Chiropractor, Role
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, change_status
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def zoe(app, clock, create_patient):
    """A patient with a full file: details, a past no-show and an upcoming appointment."""
    clock.set(NOW)
    seed_clinic(db.session)
    patient = create_patient(
        first_name="Zoë", last_name="Patiënt", date_of_birth=date(1994, 5, 1), email="zoe@example.nl",
        phone="+31612345678", sport="Hockey", address_street="Kerkstraat", address_house_number="12",
        address_postcode="1211 AB", address_city="Hilversum", gp_name="Dr. M. Jansen", gp_practice="Huisartsen Centrum",
        gp_phone="+31356210000", insurer_name="Zilveren Kruis", insurer_policy_number="ZK-0042",
        emergency_contact_name="Tom Patiënt", emergency_contact_phone="+31687654321",
        emergency_contact_relation="partner", desk_remarks="Slechthorend; liefst ochtends.",
    )
    follow_up = db.session.query(AppointmentType).filter_by(code="follow_up").one()
    jarco = db.session.query(Chiropractor).filter_by(name="Jarco Schol").one()
    missed, _ = (
        book_appointment(db.session, patient=patient, appointment_type=follow_up,
                         starts_at=combine(date(2026, 11, 30) + timedelta(days=days), time(9, 0)),
                         chiropractor_id=jarco.id, source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
        for days in (1, 8)
    )
    db.session.commit()
    clock.set(NOW + timedelta(days=2))
    change_status(db.session, missed, AppointmentAction.NO_SHOW, source=BookingSource.FRONTDESK,
                  now=NOW + timedelta(days=2))
    db.session.commit()
    return patient


def test_front_desk_finds_a_patient_reads_the_file_and_changes_the_email(
    app, live_server, page, screenshot, create_account, zoe
):
    user = create_account(Role.FRONTDESK)
    page.goto(f"{live_server}/taal/nl?next=/frontdesk/patients")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    search = page.get_by_label("Naam, geboortedatum, e-mail of telefoon")
    search.fill("patient")
    search.press("Enter")
    page.get_by_role("link", name="Zoë Patiënt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Zoë Patiënt")
    expect(page.locator(".badges")).to_contain_text("1 keer niet verschenen")
    expect(page.get_by_label("Postcode")).to_have_value("1211 AB")
    screenshot("file")

    page.get_by_label("E-mailadres").fill("zoe.patient@example.nl")
    page.get_by_label("Sport").fill("Tennis")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", name="Wijzigen hoe de patiënt inlogt?")).to_be_visible()
    expect(page.get_by_label("Sport")).to_have_value("Tennis")
    screenshot("confirm-email")

    page.get_by_role("button", name="Ja, wijzigen").click()
    expect(page.get_by_text("De gegevens zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_label("E-mailadres")).to_have_value("zoe.patient@example.nl")
    expect(page.locator("#changes-heading + div")).to_contain_text(re.compile("zoe@example.nl.*zoe.patient@example.nl"))
