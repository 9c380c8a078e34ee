"""The front desk books a treatment series in a real browser, in Dutch: a date that is not free is
shown with the free times near it, the form keeps what was typed, and the rest is cancelled in one step."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentType, BookingSource, Chiropractor
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment
from clinic.services.seed import seed_clinic
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_frontdesk_screens import log_in_as_front_desk

pytestmark = pytest.mark.browser

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
TUESDAY = date(2026, 12, 1)
WIDTHS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 360, "height": 740}}


def check_screen(page, name: str) -> None:
    """Save the screen at 1400 and 360 px; no serious or critical accessibility problem, no sideways scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.screenshot(path=ARTIFACTS / f"series-{name}-{label}.png", full_page=True)
        if label == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    page.set_viewport_size(WIDTHS["desktop"])


def test_front_desk_books_a_series_sees_a_taken_date_and_cancels_the_rest(
    app, live_server, page, clock, create_account, create_patient
):
    clock.set(NOW)
    seed_clinic(db.session)
    massage = db.session.query(AppointmentType).filter_by(code="sports_massage_30").one()
    jarco = db.session.query(Chiropractor).filter(Chiropractor.name.startswith("Jarco")).one()
    book_appointment(db.session, patient=create_patient(first_name="Daan"), appointment_type=massage,
                     starts_at=combine(TUESDAY + timedelta(days=7), time(10, 0)), chiropractor_id=jarco.id,
                     source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    femke = create_patient(first_name="Femke", last_name="Jansen")
    db.session.commit()
    log_in_as_front_desk(page, live_server, create_account)
    page.goto(f"{live_server}/taal/nl?next=/frontdesk/patients/{femke.id}")
    page.get_by_role("link", name="Reeks boeken").click()
    page.get_by_label("Soort afspraak").select_option(label="Sportmassage 30 minuten (30 min)")
    page.get_by_label("Chiropractor").select_option(label=jarco.name)
    page.get_by_label("Eerste dag").fill(TUESDAY.isoformat())
    page.get_by_label("Tijd").fill("10:00")
    page.get_by_label("Hoe vaak").select_option(label="Elke week, 4 keer")
    page.get_by_role("button", name="Reeks boeken").click()
    expect(page.get_by_text("1 datum van de reeks is niet vrij.")).to_be_visible()
    expect(page.get_by_text("Vrij in de buurt:")).to_be_visible()
    expect(page.get_by_label("Tijd")).to_have_value("10:00")
    check_screen(page, "conflict")

    page.get_by_label("Tijd").fill("11:00")
    page.get_by_role("button", name="Reeks boeken").click()
    expect(page.get_by_text("Geboekt: een reeks van 4 afspraken voor Femke Jansen.")).to_be_visible()
    expect(page.locator(".series-list li")).to_have_count(4)
    check_screen(page, "booked")

    page.get_by_label("Reden van annuleren").fill("Klachten verdwenen")
    page.get_by_role("button", name="Rest van de reeks annuleren").click()
    expect(page.get_by_text("4 afspraken van de reeks zijn geannuleerd.")).to_be_visible()
