"""A patient books online on a phone-sized screen, in a real browser, in Dutch and in English."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, AppointmentType, BookingSource, OutboxMessage, Patient
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment
from clinic.services.seed import seed_clinic
from tests.mail_server import run_mail_worker

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic(app):
    seed_clinic(db.session)
    db.session.commit()


def fill_details(page, email="sanne@example.nl", birth_date="1991-04-12"):
    page.get_by_label("Voornaam" if page.locator("html").get_attribute("lang") == "nl" else "First name").fill("Sanne")
    last = "Achternaam" if page.locator("html").get_attribute("lang") == "nl" else "Last name"
    page.get_by_label(last).fill("de Vries")
    page.locator("#date_of_birth").fill(birth_date)
    page.locator("#email").fill(email)
    page.locator("#phone").fill("06 12345678")
    page.locator("#consent").check()


def choose_treatment_and_time(page, live_server, prefix, treatment, show_times, days_ahead=3):
    page.goto(f"{live_server}{prefix}/")
    page.get_by_label(treatment).check()
    page.get_by_role("button", name=show_times).click()
    day = (to_local(utcnow()) + timedelta(days=days_ahead)).date().isoformat()
    page.goto(page.url + f"&week={day}")
    page.locator(".slot").first.click()


def test_a_patient_books_in_dutch_fixes_a_mistake_and_cancels(app, clinic, live_server, page, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Afspraak maken").first.click()
    expect(page.get_by_role("heading", name="Afspraak maken")).to_be_visible()
    screenshot("1-treatment")
    page.get_by_label("Sportmassage 30 minuten").check()
    page.get_by_role("button", name="Toon vrije tijden").click()
    day = (to_local(utcnow()) + timedelta(days=3)).date().isoformat()
    page.goto(page.url + f"&week={day}")
    screenshot("2-time")
    page.locator(".slot").first.click()
    page.get_by_role("button", name="Volgende: uw gegevens").click()

    fill_details(page, birth_date="2031-01-01")
    page.get_by_role("button", name="Volgende: controleren en bevestigen").click()
    expect(page.get_by_text("Vul een geboortedatum in het verleden in.")).to_be_visible()
    expect(page.locator("#email")).to_have_value("sanne@example.nl")
    screenshot("3-mistake")
    page.locator("#date_of_birth").fill("1991-04-12")
    page.get_by_role("button", name="Volgende: controleren en bevestigen").click()
    expect(page.get_by_role("heading", name="Controleren en bevestigen")).to_be_visible()
    screenshot("4-summary")
    page.get_by_role("button", name="Deze afspraak boeken").click()

    expect(page.get_by_role("heading", name="Uw afspraak is geboekt")).to_be_visible()
    screenshot("5-booked")
    db.session.rollback()
    run_mail_worker(app)
    message = db.session.scalar(select(OutboxMessage))
    assert message.to_address == "sanne@example.nl" and "/afspraak/beheer/" in message.body_text

    page.get_by_role("link", name="Afspraak annuleren").click()
    page.get_by_label("Reden (optioneel)").fill("Griep")
    screenshot("6-cancel-question")
    page.get_by_role("button", name="Ja, annuleer deze afspraak").click()
    expect(page.get_by_text("Deze afspraak is geannuleerd.")).to_be_visible()
    screenshot("7-cancelled")
    db.session.rollback()
    assert db.session.scalar(select(Appointment.status)) == "cancelled"


def test_a_patient_books_in_english_and_loses_a_slot_to_someone_faster(app, clinic, live_server, page, screenshot):
    choose_treatment_and_time(page, live_server, "/en/book", "Sports massage 30 minutes", "Show free times")
    chosen = page.locator(".slot input").first.get_attribute("value")
    page.get_by_role("button", name="Next: your details").click()
    fill_details(page)
    page.get_by_role("button", name="Next: check and confirm").click()

    # Meanwhile the front desk books that very time for someone else.
    chiropractor_id, start = chosen.split("@")
    from datetime import datetime

    someone = Patient(first_name="Noor", last_name="Bakker", date_of_birth=datetime(1980, 1, 1).date(), created_source="frontdesk")
    db.session.add(someone)
    book_appointment(
        db.session, patient=someone,
        appointment_type=db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30")),
        starts_at=datetime.fromisoformat(start), chiropractor_id=int(chiropractor_id),
        source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=utcnow(),
    )
    db.session.commit()

    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_text("Someone else just booked this time.")).to_be_visible()
    expect(page.locator("#email")).to_have_value("sanne@example.nl")
    screenshot("slot-lost")
    page.locator("#slot-field .slot").first.click()
    page.locator("#consent").check()
    page.get_by_role("button", name="Next: check and confirm").click()
    page.get_by_role("button", name="Book this appointment").click()
    expect(page.get_by_role("heading", name="Your appointment is booked")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/en/book/manage/"))
    screenshot("booked-en")
