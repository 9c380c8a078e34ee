"""From an appointment: plan its follow-up in one step; remarks for the desk, shown on the day view."""
import html
import re
from datetime import time

import pytest

from clinic.extensions import db
from tests.frontdesk.conftest import TUESDAY, appointment_type, chiropractor, field_error, text_of


@pytest.fixture
def appointment(book, create_patient):
    return book(TUESDAY, time(9, 30), patient=create_patient(first_name="Noor", last_name="Bakker"))


def selected(page: str, field: str) -> str:
    select_html = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S).group(0)
    return re.search(r"<option selected value=\"([^\"]*)\"", select_html).group(1)


def test_plan_follow_up_opens_the_times_of_the_same_chiropractor_and_type_the_types_interval_later(
    client, desk, appointment
):
    appointment_type("follow_up").follow_up_days = 3
    db.session.commit()
    page = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    link = html.unescape(re.search(r'<a class="button" href="([^"]+)">Plan follow-up</a>', page).group(1))
    slots = client.get(link).get_data(as_text=True)
    assert "Noor Bakker" in slots and "Free times on Friday, December 4, 2026" in slots
    assert selected(slots, "appointment_type") == str(appointment_type("follow_up").id)
    assert selected(slots, "chiropractor") == str(chiropractor("Jarco Schol").id)
    assert re.search(r"<legend>Jarco Schol .*?09:30", slots, re.S)


def test_a_cancelled_appointment_offers_no_follow_up(client, desk, appointment):
    client.post(f"/frontdesk/appointments/{appointment.id}/status", data={"action": "cancelled", "reason": "Ill"})
    assert "Plan follow-up" not in client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)


def test_desk_remarks_are_saved_and_shown_on_the_day_view(client, desk, appointment):
    response = client.post(f"/frontdesk/appointments/{appointment.id}/remarks",
                           data={"remarks": "  Comes by wheelchair  "})
    assert response.status_code == 302
    assert "The remarks are saved." in text_of(client.get(response.headers["Location"]))
    db.session.refresh(appointment)
    assert appointment.desk_remarks == "Comes by wheelchair"
    assert "Comes by wheelchair" in text_of(client.get(f"/frontdesk/?date={TUESDAY.isoformat()}"))


def test_too_long_remarks_are_refused_next_to_the_field_and_kept(client, desk, appointment):
    response = client.post(f"/frontdesk/appointments/{appointment.id}/remarks", data={"remarks": "x" * 501})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "remarks") == "Please type at most 500 characters."
    assert "x" * 501 in page
    db.session.refresh(appointment)
    assert appointment.desk_remarks == ""
