"""A patient on a phone logs into the portal by e-mailed link, logs a training and opens an appointment."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentType, BookingSource, Chiropractor, OutboxMessage
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment
from clinic.services.seed import seed_clinic
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)


@pytest.fixture
def sanne(app, clock, create_patient):
    clock.set(NOW)
    seed_clinic(db.session)
    patient = create_patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17),
                             email="sanne@example.nl")
    for day, at, code in ((date(2026, 12, 3), time(10, 0), "sports_massage_30"),
                          (date(2026, 11, 30), time(16, 0), "follow_up")):
        book_appointment(
            db.session, patient=patient, appointment_type=db.session.query(AppointmentType).filter_by(code=code).one(),
            starts_at=combine(day, at), chiropractor_id=db.session.query(Chiropractor).first().id,
            source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
        )
    db.session.commit()
    return patient


def test_a_patient_logs_in_by_link_on_a_phone_and_keeps_a_training_log(live_server, page, screenshot, sanne):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/portaal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn afspraken")
    page.get_by_role("button", name="Mail mij een inloglink").click()
    expect(page.get_by_text("Vul dit in.").first).to_be_visible()
    screenshot("login-missing")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Geboortedatum").fill("1990-05-17")
    page.get_by_role("button", name="Mail mij een inloglink").click()
    expect(page.get_by_role("heading", name="Kijk in uw e-mail")).to_be_visible()
    screenshot("link-sent")

    db.session.rollback()
    body = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "portal_login_link")).body_text
    page.goto(re.search(r"http\S+", body).group(0))
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hallo Sanne")
    expect(page.get_by_text("donderdag 3 december 2026, 10:00")).to_be_visible()
    expect(page.get_by_text("Te kort van tevoren om online te wijzigen")).to_be_visible()
    screenshot("home")

    page.get_by_role("link", name="Training invoeren").click()
    page.get_by_label("Datum").fill("2026-11-29")
    page.get_by_label("Afgelopen om").fill("19:30")
    page.get_by_label("Duur (minuten)").fill("90")
    page.get_by_label("Sessie-RPE (Borg CR-10)").select_option("7")
    page.get_by_label("Soort training").fill("hockey competitie")
    competition = page.get_by_label("Dit was een wedstrijd")
    competition.check()
    box, words = competition.bounding_box(), page.get_by_text("Dit was een wedstrijd").bounding_box()
    assert box["width"] < 30 and words["height"] < 50  # a small box on the line of its words, not above them
    screenshot("training")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Uw training is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("cell", name="hockey")).to_be_visible()
    # Measured once the page's stylesheets are in: on a loaded machine the text can show before them.
    page.wait_for_load_state()
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("home-with-training")

    page.get_by_role("link", name="Check-in van vandaag invullen").click()
    screenshot("check-in")
    page.get_by_role("link", name="← Mijn afspraken").click()

    page.get_by_role("link", name="Download een kopie van uw gegevens en zie wie uw dossier heeft geopend").click()
    expect(page.get_by_role("heading", name="Wie uw dossier heeft geopend")).to_be_visible()
    screenshot("my-data")
    page.get_by_role("link", name="← Mijn afspraken").click()

    page.get_by_role("button", name="Verzetten of annuleren").click()
    expect(page.get_by_role("heading", name="Uw afspraak")).to_be_visible()
    screenshot("manage")
