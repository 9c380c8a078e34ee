"""The front desk books a new patient, and moves and cancels an appointment, in a real browser."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentType, BookingSource, Chiropractor, Patient, Role, TimeOff
from clinic.scheduling import ONLINE_POLICY, STAFF_POLICY
from clinic.services.booking import book_appointment, change_status
from clinic.services.seed import seed_clinic
from clinic.models import AppointmentAction
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Monday 30 November 2026, 08:00 in Amsterdam; the bookings are on Tuesday.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
TUESDAY = date(2026, 12, 1)


@pytest.fixture
def busy_tuesday(app, clock, create_patient):
    """A seeded clinic at ``NOW`` with a realistic Tuesday: online and desk bookings, a check-in,
    a cancellation and an afternoon off."""
    clock.set(NOW)
    seed_clinic(db.session)
    types = {t.code: t for t in db.session.query(AppointmentType)}
    chiros = {c.name.split()[0]: c for c in db.session.query(Chiropractor)}
    people = {
        name: create_patient(first_name=name.split()[0], last_name=name.split(maxsplit=1)[1],
                             date_of_birth=date(1980 + n, 1 + n % 12, 1 + n))
        for n, name in enumerate(
            ["Noor Bakker", "Daan de Jong", "Sem Smit", "Julia Meijer", "Lucas Mulder", "Emma de Boer",
             "Finn Bos", "Tess Dekker", "Milan Vermeulen", "Zoë Peters", "Levi Hendriks", "Lotte Visser"]
        )
    }
    people["Lotte Visser"].date_of_birth = date(1994, 7, 14)
    plan = [
        ("Noor Bakker", "Jarco", time(9, 30), "follow_up", BookingSource.FRONTDESK),
        ("Daan de Jong", "Jarco", time(10, 0), "intake", BookingSource.ONLINE),
        ("Sem Smit", "Jarco", time(13, 30), "sports_massage_60", BookingSource.FRONTDESK),
        ("Julia Meijer", "Tijn", time(8, 30), "follow_up", BookingSource.FRONTDESK),
        ("Lucas Mulder", "Tijn", time(9, 0), "dry_needling", BookingSource.ONLINE),
        ("Emma de Boer", "Tijn", time(11, 0), "decompression", BookingSource.FRONTDESK),
        ("Finn Bos", "Desiree", time(9, 0), "sports_massage_30", BookingSource.FRONTDESK),
        ("Tess Dekker", "Desiree", time(10, 15), "intake", BookingSource.ONLINE),
        ("Milan Vermeulen", "Sten", time(8, 30), "follow_up", BookingSource.FRONTDESK),
        ("Zoë Peters", "Sten", time(9, 0), "sports_massage_30", BookingSource.FRONTDESK),
        ("Levi Hendriks", "Sten", time(11, 30), "follow_up", BookingSource.FRONTDESK),
    ]
    booked = {}
    for patient, chiro, at, code, source in plan:
        booked[patient] = book_appointment(
            db.session, patient=people[patient], appointment_type=types[code], starts_at=combine(TUESDAY, at),
            chiropractor_id=chiros[chiro].id, source=source,
            policy=ONLINE_POLICY if source is BookingSource.ONLINE else STAFF_POLICY, now=NOW,
        )
    change_status(db.session, booked["Zoë Peters"], AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK,
                  now=NOW, reason="Ill")
    booked["Sem Smit"].desk_remarks = "Comes by wheelchair"
    db.session.add(TimeOff(chiropractor_id=chiros["Desiree"].id, starts_at=combine(TUESDAY, time(13, 30)),
                           ends_at=combine(TUESDAY, time(17, 30)), reason="Course"))
    db.session.commit()
    return booked


def log_in_as_front_desk(page, live_server, create_account):
    user = create_account(Role.FRONTDESK)
    page.goto(f"{live_server}/taal/en?next=/frontdesk/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/frontdesk/$"))


def test_front_desk_books_a_new_patient_from_search_to_confirmation(
    app, live_server, page, screenshot, create_account, busy_tuesday
):
    log_in_as_front_desk(page, live_server, create_account)
    page.get_by_label("Date", exact=True).fill(TUESDAY.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday, December 1, 2026")
    expect(page.get_by_role("link", name=re.compile("Daan de Jong"))).to_contain_text("Online")
    expect(page.get_by_role("link", name=re.compile("Sem Smit"))).to_contain_text("Comes by wheelchair")
    screenshot("day")

    page.locator("#main").get_by_role("link", name="Book an appointment").click()
    search = page.get_by_label("Name, date of birth, e-mail or phone")
    search.fill("Femke Visser")
    search.press("Enter")
    expect(page.get_by_text("Nobody matches “Femke Visser”")).to_be_visible()
    screenshot("search-nobody")

    page.get_by_role("link", name="Register a new patient").click()
    page.get_by_label("First name").fill("Femke")
    page.get_by_label("Last name").fill("Visser")
    page.get_by_label("Date of birth").fill("1994-07-14")
    page.get_by_label("Phone").fill("06 12345678")
    page.get_by_label("E-mail address").fill("femke@example.nl")
    page.get_by_role("button", name="Continue").click()
    # Her twin sister is a patient already: same birthday, same surname.
    expect(page.get_by_role("heading", name="Is this one of these patients?")).to_be_visible()
    expect(page.locator(".duplicates")).to_contain_text("Lotte Visser")
    expect(page.get_by_label("First name")).to_have_value("Femke")
    screenshot("possible-duplicate")
    page.get_by_role("button", name="This is someone else: register as a new patient").click()

    expect(page.get_by_text("Femke Visser is registered as a new patient.")).to_be_visible()
    expect(page.get_by_label("Type of appointment")).to_have_value(
        str(db.session.query(AppointmentType).filter_by(code="intake").one().id)
    )
    page.get_by_label("Day", exact=True).fill(TUESDAY.isoformat())
    page.get_by_role("button", name="Show free times").click()
    tijn = page.get_by_role("group", name=re.compile("Tijn Kooren"))
    expect(tijn.get_by_role("button", name="11:40")).to_be_visible()
    screenshot("free-times")

    tijn.get_by_role("button", name="11:40").click()
    expect(page.get_by_role("heading", name="Confirm the appointment")).to_be_visible()
    screenshot("confirm")

    # Meanwhile a colleague on the phone gives 11:40 with Tijn to somebody else. (The rollback ends
    # this test's read snapshot, which SQLite would not let turn into a write after the server's.)
    db.session.rollback()
    book_appointment(
        db.session, patient=db.session.query(Patient).filter_by(first_name="Lotte").one(),
        appointment_type=db.session.query(AppointmentType).filter_by(code="follow_up").one(),
        starts_at=combine(TUESDAY, time(11, 40)), chiropractor_id=busy_tuesday["Emma de Boer"].chiropractor_id,
        source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_role("alert")).to_contain_text("That time has just been taken")
    expect(tijn.get_by_role("button", name="11:40")).to_have_count(0)
    expect(page.get_by_label("Type of appointment")).to_have_value(
        str(db.session.query(AppointmentType).filter_by(code="intake").one().id)
    )
    screenshot("slot-taken")

    tijn.get_by_role("button", name="14:00").click()
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_text("Booked: Femke Visser on Tuesday, December 1, 2026 at 14:00 with Tijn Kooren.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Femke Visser")
    screenshot("booked")

    page.get_by_role("link", name="← Tuesday, December 1, 2026").click()
    expect(page.get_by_role("link", name=re.compile("14:00–14:45 .*Femke Visser"))).to_be_visible()


def test_front_desk_moves_and_then_cancels_an_appointment(
    app, live_server, page, screenshot, create_account, busy_tuesday
):
    log_in_as_front_desk(page, live_server, create_account)
    page.goto(f"{live_server}/frontdesk/?date={TUESDAY.isoformat()}")
    page.get_by_role("link", name=re.compile("09:30–09:50 Noor Bakker")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor Bakker")
    screenshot("detail")

    page.get_by_role("link", name="Move to another time").click()
    expect(page.get_by_label("Day", exact=True)).to_have_value(TUESDAY.isoformat())
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_text("Choose a new time.")).to_be_visible()
    screenshot("reschedule-nothing-chosen")
    page.get_by_label("11:00").check()
    page.get_by_role("button", name="Move appointment").click()
    expect(page.get_by_text("The appointment is moved to Tuesday, December 1, 2026 at 11:00.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Moved")).to_contain_text("was Dec 1, 2026 at 09:30")
    screenshot("moved")

    page.get_by_role("link", name="Cancel appointment…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel the appointment?")
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(page.get_by_text("Please fill this in.")).to_be_visible()
    screenshot("cancel-without-reason")
    page.get_by_label("Reason for cancelling").fill("Called in sick")
    page.get_by_role("button", name="Yes, cancel the appointment").click()
    expect(page.get_by_text("The appointment is cancelled; its time is free again.")).to_be_visible()
    expect(page.locator(".badges")).to_contain_text("Cancelled")
    expect(page.get_by_role("listitem").filter(has_text="Reason: Called in sick")).to_be_visible()
    expect(page.get_by_role("button", name="Check in")).to_have_count(0)
    screenshot("cancelled")


def test_front_desk_confirms_a_no_show_and_undoes_it_the_same_day(
    app, live_server, page, screenshot, create_account, busy_tuesday, clock
):
    clock.set(combine(TUESDAY, time(9, 45)))
    log_in_as_front_desk(page, live_server, create_account)
    page.goto(f"{live_server}/frontdesk/appointments/{busy_tuesday['Noor Bakker'].id}")
    page.get_by_role("link", name="Mark as no-show…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark as a no-show?")
    screenshot("confirm-no-show")
    page.get_by_role("button", name="Yes, mark as a no-show").click()
    expect(page.get_by_text("The appointment is marked as a no-show.")).to_be_visible()
    page.get_by_text("Undo “No-show”").click()
    page.get_by_label("Why is the status wrong?").fill("She was in the waiting room")
    screenshot("undo-no-show")
    page.get_by_role("button", name="Undo status").click()
    expect(page.get_by_text("The status is undone; the appointment is booked again.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Status undone")).to_contain_text(
        "Reason: She was in the waiting room")
    expect(page.get_by_role("button", name="Check in")).to_be_visible()


def test_front_desk_is_asked_to_check_with_the_chiropractor_before_booking_dry_needling(
    app, live_server, page, screenshot, create_account, busy_tuesday
):
    from clinic.services.readiness import ScreeningUpdate, update_screening

    patient = busy_tuesday["Lucas Mulder"].patient
    chiropractor = create_account(Role.CHIROPRACTOR)
    update_screening(db.session, patient, ScreeningUpdate(next_competition_at=combine(date(2026, 12, 3), time(9, 0))),
                     checked_by=chiropractor, now=NOW)
    db.session.commit()
    log_in_as_front_desk(page, live_server, create_account)
    page.goto(f"{live_server}/frontdesk/book/slots?patient={patient.id}")
    page.get_by_label("Type of appointment").select_option(label="Dry needling (30 min)")
    page.get_by_label("Day", exact=True).fill(TUESDAY.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_role("group", name=re.compile("Sten Hofstad")).get_by_role("button", name="14:00").click()

    notice = page.get_by_role("note")
    expect(notice).to_have_text("Check with the chiropractor before booking this treatment. You can still book.")
    screenshot("check-with-chiropractor")
    page.get_by_role("button", name="Book appointment").click()
    expect(page.get_by_text("Booked: Lucas Mulder on Tuesday, December 1, 2026 at 14:00 with Sten Hofstad.")).to_be_visible()
