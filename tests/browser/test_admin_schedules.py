"""An administrator sets up working hours, time off and an appointment type in a real browser."""
import re
from datetime import datetime, timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import Appointment, Role
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_admin_adds_working_hours_time_off_and_an_appointment_type(
    app, live_server, page, screenshot, create_account, create_patient
):
    seed_clinic(db.session)
    today = to_local(utcnow()).date()
    next_saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    next_wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    patient = create_patient(first_name="Noor", last_name="Bakker")
    starts_at = datetime.combine(next_wednesday, datetime.min.time().replace(hour=14), tzinfo=CLINIC_TZ)
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=1, appointment_type_id=3, starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30), buffer_ends_at=starts_at + timedelta(minutes=30),
            source="frontdesk",
        )
    )
    db.session.commit()
    admin = create_account(Role.ADMIN)

    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="English").click()
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/admin/chiropractors")
    expect(page.get_by_role("heading", name="Schedules")).to_be_visible()
    screenshot("schedules")
    page.get_by_role("link", name="Working hours Jarco Schol").click()
    expect(page.get_by_role("heading", name="Working hours of Jarco Schol")).to_be_visible()

    add_hours = page.locator("section.add-form")
    add_hours.get_by_label("Day of the week").select_option(label="Saturday")
    add_hours.get_by_label("Start time").fill("09:00")
    add_hours.get_by_label("End time").fill("08:00")
    add_hours.get_by_label("Valid from").fill(next_saturday.isoformat())
    add_hours.get_by_role("button", name="Add hours").click()
    expect(page.locator("#end_time-error")).to_have_text("The end must be later than the start.")
    expect(add_hours.get_by_label("Start time")).to_have_value("09:00")
    screenshot("hours-refused")
    add_hours.get_by_label("End time").fill("12:00")
    add_hours.get_by_role("button", name="Add hours").click()
    expect(page.get_by_text("The hours have been added.")).to_be_visible()
    saturday = page.get_by_role("row", name=re.compile("Saturday 09:00–12:00"))
    expect(saturday).to_be_visible()
    saturday.get_by_text("End these hours").click()
    last_day = next_saturday + timedelta(weeks=4)
    saturday.get_by_label("Last day").fill(last_day.isoformat())
    screenshot("hours")
    saturday.get_by_role("button", name="End hours").click()
    expect(page.get_by_text("The hours have been ended.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Saturday 09:00–12:00"))).to_contain_text(
        format_date(last_day, "medium", locale="en")
    )

    page.get_by_role("link", name="Time off of Jarco Schol").click()
    page.get_by_label("From (date)").fill(next_wednesday.isoformat())
    page.get_by_label("From (time)").fill("13:30")
    page.get_by_label("Until (date)").fill(next_wednesday.isoformat())
    page.get_by_label("Until (time)").fill("17:30")
    page.get_by_label("Reason (optional)").fill("Cursus")
    page.get_by_role("button", name="Add time off").click()
    expect(page.get_by_text("Time off saved, but appointments fall in it.")).to_be_visible()
    reschedule = page.locator(".to-reschedule")
    expect(reschedule).to_contain_text("Noor Bakker")
    expect(reschedule.get_by_role("link")).to_have_attribute("href", f"/frontdesk/?date={next_wednesday.isoformat()}")
    screenshot("time-off")

    page.goto(f"{live_server}/admin/appointment-types")
    page.get_by_role("link", name="New appointment type").click()
    page.get_by_label("Code").fill("sports_massage_45")
    page.get_by_label("Name in Dutch").fill("Sportmassage 45 minuten")
    page.get_by_label("Name in English").fill("Sports massage 45 minutes")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Buffer after (minutes)").fill("5")
    page.get_by_label("Kind of treatment").select_option(label="Massage")
    page.get_by_label("Bookable online").uncheck()
    screenshot("appointment-type-form")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Appointment type sports_massage_45 has been added.")).to_be_visible()
    new_row = page.locator("#type-sports_massage_45")
    expect(new_row).to_contain_text("Sportmassage 45 minuten")
    expect(new_row).to_contain_text("45 min")
    screenshot("appointment-types")
