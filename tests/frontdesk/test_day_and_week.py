"""The appointment book: every chiropractor's day side by side, and one chiropractor's week."""
import re
from datetime import time, timedelta

import pytest

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentAction, BookingSource, TimeOff
from clinic.services.booking import change_status
from tests.frontdesk.conftest import NOW, TODAY, TUESDAY, chiropractor, field_error, text_of

CHIROPRACTORS = ("Jarco Schol", "Tijn Kooren", "Desiree Griesel", "Sten Hofstad")


def booking_link(page: str, appointment) -> str:
    """Return the text of the timeline block that links to the appointment."""
    match = re.search(rf'<a class="booking[^"]*" href="/frontdesk/appointments/{appointment.id}">(.*?)</a>', page, re.S)
    assert match, f"appointment {appointment.id} is not on the timeline"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_the_day_shows_each_chiropractor_with_patient_type_and_status(client, desk, book, create_patient):
    noor = book(TUESDAY, time(9, 30), patient=create_patient(first_name="Noor", last_name="Bakker"))
    daan = book(TUESDAY, time(10, 0), chiropractor_name="Tijn Kooren", code="intake", source=BookingSource.ONLINE,
                patient=create_patient(first_name="Daan", last_name="de Jong"))
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    for name in CHIROPRACTORS:
        assert f"<h2>{name}</h2>" in page
    assert booking_link(page, noor) == "09:30–09:50 Noor Bakker Chiropractic follow-up Booked"
    assert booking_link(page, daan) == "10:00–10:45 Online Daan de Jong Intake and first treatment Booked"
    assert "Tuesday, December 1, 2026" in text_of(client.get("/frontdesk/?date=2026-12-01"))


def test_a_booking_is_as_tall_as_it_lasts_and_the_grid_runs_from_opening_to_closing(client, desk, book):
    follow_up = book(TUESDAY, time(9, 30))  # 20 minutes: four rows of five minutes
    massage = book(TUESDAY, time(13, 30), code="sports_massage_60")  # an hour: twelve rows
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    for appointment, rows in ((follow_up, 4), (massage, 12)):
        block = re.search(rf'href="/frontdesk/appointments/{appointment.id}">.*?<span class="rows"[^>]*>(.*?)</span>\s*</a>',
                          page, re.S)
        assert block.group(1).count("<span></span>") == rows
    labels = re.findall(r'<div class="tick[^"]*"><span>(\d\d:\d\d)</span></div>', page)
    # Opening at 08:30, closing at 17:30: the grid shows the whole hours around them.
    assert labels[0] == "08:00" and labels[-1] == "17:45" and len(labels) == 40


def test_the_day_is_today_by_default_and_links_to_the_days_around_it(client, desk, book):
    today_appointment = book(TODAY, time(14, 0))
    page = client.get("/frontdesk/").get_data(as_text=True)
    assert booking_link(page, today_appointment).startswith("14:00–14:20")
    assert 'href="/frontdesk/?date=2026-11-29" rel="prev"' in page
    assert 'href="/frontdesk/?date=2026-12-01" rel="next"' in page
    assert "Monday, November 30, 2026" in page


def test_cancelled_appointments_leave_the_grid_but_stay_listed(client, desk, book):
    appointment = book(TUESDAY, time(9, 30))
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="Ill")
    db.session.commit()
    replacement = book(TUESDAY, time(9, 30))
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    assert booking_link(page, replacement).startswith("09:30–09:50")
    assert 'class="cancelled-list"' in page
    assert f'href="/frontdesk/appointments/{appointment.id}"><time' in page


def test_hours_off_work_and_time_off_are_marked(client, desk, clinic):
    desiree = chiropractor("Desiree Griesel")
    db.session.add(TimeOff(chiropractor_id=desiree.id, starts_at=combine(TUESDAY, time(13, 30)),
                           ends_at=combine(TUESDAY, time(17, 30)), reason="Course"))
    db.session.commit()
    page = client.get("/frontdesk/?date=2026-12-01").get_data(as_text=True)
    columns = page.split('class="board-column"')[1:]
    desiree_column = next(c for c in columns if "<h2>Desiree Griesel</h2>" in c)
    jarco_column = next(c for c in columns if "<h2>Jarco Schol</h2>" in c)
    assert desiree_column.count("gap-off") == 48  # four hours of five-minute rows
    assert "Away from 13:30 to 17:30" in desiree_column
    assert jarco_column.count("gap-off") == 0
    # 08:00–08:30, the lunch hour and 17:30–18:00 are outside working hours.
    assert jarco_column.count("gap-closed") == 6 + 12 + 6


def test_a_malformed_date_is_explained_next_to_the_field_and_today_is_shown(client, desk):
    response = client.get("/frontdesk/?date=2026-13-45")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert field_error(page, "date") == "Enter a date as year-month-day, e.g. 2026-12-01."
    assert 'value="2026-13-45"' in page
    assert "Monday, November 30, 2026" in page


def test_a_date_at_the_edge_of_the_calendar_is_refused_not_crashed_on(client, desk):
    for url in ("/frontdesk/?date=9999-12-31", "/frontdesk/week?date=0001-01-01"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert field_error(response.get_data(as_text=True), "date") == "That date is out of range; please check the year."


def test_a_day_nobody_works_says_so(client, desk):
    page = text_of(client.get("/frontdesk/?date=2026-12-05"))
    assert "Nobody works on this day and nothing is booked." in page


def test_the_week_shows_one_chiropractor_monday_to_friday_and_names_those_days(client, desk, book, create_patient):
    tijn = chiropractor("Tijn Kooren")
    mine = book(TUESDAY, time(9, 30), chiropractor_name="Tijn Kooren")
    friday = book(TUESDAY + timedelta(days=3), time(11, 0), chiropractor_name="Tijn Kooren", code="sports_massage_30")
    other = book(TUESDAY, time(9, 30), chiropractor_name="Jarco Schol")
    response = client.get(f"/frontdesk/week?chiropractor={tijn.id}&date=2026-12-03")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    headings = re.findall(r'<h2><a href="/frontdesk/\?date=(\d{4}-\d\d-\d\d)"', page)
    # Nobody works at the weekend: Saturday and Sunday are left out.
    assert headings == [f"2026-11-{d}" for d in (30,)] + [f"2026-12-0{d}" for d in range(1, 5)]
    # The heading names the first and last day shown, not the Sunday left out.
    assert re.search(r"<h1>([^<]*)</h1>", page).group(1) == "November 30, 2026 – December 4, 2026"
    assert booking_link(page, mine).startswith("09:30–09:50")
    assert booking_link(page, friday).startswith("11:00–11:30")
    assert f"/frontdesk/appointments/{other.id}" not in page
    assert f'<option selected value="{tijn.id}">Tijn Kooren</option>' in page
    assert f"/frontdesk/week?chiropractor={tijn.id}&amp;date=2026-11-23" in page
    assert f"/frontdesk/week?chiropractor={tijn.id}&amp;date=2026-12-07" in page


@pytest.mark.parametrize("screen", ["week", "day-list"])
def test_the_week_and_the_day_list_refuse_an_unknown_chiropractor_next_to_the_field(client, desk, screen):
    response = client.get(f"/frontdesk/{screen}?chiropractor=999&date=2026-12-01")
    assert response.status_code == 400
    assert field_error(response.get_data(as_text=True), "chiropractor") == "Choose one of the chiropractors."
    response = client.get(f"/frontdesk/{screen}?chiropractor=abc&date=2026-12-01")
    assert field_error(response.get_data(as_text=True), "chiropractor") == "Choose one of the chiropractors."
