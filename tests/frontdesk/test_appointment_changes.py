"""Changing an appointment from its detail page: check in, complete, no-show, cancel, move."""
import re
from datetime import time, timedelta

import pytest

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import AppointmentAction, BookingSource
from clinic.services.booking import change_status
from tests.conftest import log_in
from tests.frontdesk.conftest import NOW, TUESDAY, field_error, text_of


@pytest.fixture
def appointment(book, create_patient):
    return book(TUESDAY, time(9, 30), patient=create_patient(first_name="Noor", last_name="Bakker"))


def changes_of(page: str) -> str:
    """Return the appointment page's "Change" card (a confirmation page is one whole form)."""
    card = re.search(r'<section class="card actions".*?</section>', page, re.S)
    return card.group(0) if card else page


def buttons(page: str) -> list[str]:
    """Return the labels of the change buttons, but the header's log-out button."""
    labels = [" ".join(b.split()) for b in re.findall(r"<button type=\"submit\"[^>]*>(.*?)</button>",
                                                      changes_of(page), re.S)]
    return [label for label in labels if label != "Log out"]


def status_change(client, appointment, action, reason=""):
    return client.post(f"/frontdesk/appointments/{appointment.id}/status", data={"action": action, "reason": reason})


def offered_times(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="start" value="[^"]+"(?: disabled)?>\s*<span>(\d\d:\d\d)', page)


def test_the_detail_page_shows_the_appointment_the_patient_and_the_history(client, desk, appointment):
    page = text_of(client.get(f"/frontdesk/appointments/{appointment.id}"))
    for expected in ("Noor Bakker", "Chiropractic follow-up (20 min)", "Jarco Schol", "Tuesday, December 1, 2026",
                     "09:30 – 09:50", "Booked via the front desk", "History Booked"):
        assert expected in page
    assert "by the front desk" in page  # booked by a service call without a user


def test_a_booking_by_another_system_names_it_in_plain_dutch(client, desk, book):
    appointment = book(TUESDAY, time(10, 0), source=BookingSource.API)
    client.get("/taal/nl")
    page = text_of(client.get(f"/frontdesk/appointments/{appointment.id}"))
    assert "Geboekt via de koppeling" in page and "door de koppeling" in page
    assert "API" not in page


def links(page: str) -> list[str]:
    """Return the labels of the links styled as buttons (the changes that open a page first)."""
    return [" ".join(label.split())
            for label in re.findall(r'<a class="button[^"]*" href="[^"]*">(.*?)</a>', changes_of(page), re.S)]


@pytest.fixture
def at_the_appointment(client, clock, desk, appointment):
    """Move the clock to five minutes after the appointment's start (and log in again, as the desk would)."""
    clock.set(combine(TUESDAY, time(9, 35)))
    log_in(client, desk.email)


def test_the_day_before_only_cancelling_and_moving_are_offered_and_check_in_says_when(client, desk, appointment):
    page = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    assert buttons(page) == []
    assert links(page) == ["Cancel appointment…", "Move to another time", "Plan follow-up"]
    assert "Check-in opens on Tuesday, December 1, 2026 at 08:30; no-show and completed from the start." \
        in text_of(client.get(f"/frontdesk/appointments/{appointment.id}"))


def test_at_the_appointment_every_change_is_offered_and_the_final_ones_ask_first(client, appointment, at_the_appointment):
    page = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    assert buttons(page) == ["Check in", "Complete"]
    assert links(page) == ["Mark as no-show…", "Cancel appointment…", "Move to another time", "Plan follow-up"]
    assert f'href="/frontdesk/appointments/{appointment.id}/confirm/no_show"' in page


def test_a_no_show_or_check_in_the_day_before_is_refused_and_explained(client, desk, appointment):
    for action in ("no_show", "checked_in", "completed"):
        response = status_change(client, appointment, action)
        assert response.status_code == 422, action
        assert "Not yet: check-in opens on the day" in text_of(response)
    db.session.refresh(appointment)
    assert appointment.status == "booked" and len(appointment.events) == 1


def test_checking_in_is_recorded_with_who_and_leaves_only_complete_and_cancel(client, desk, appointment, at_the_appointment):
    response = status_change(client, appointment, "checked_in")
    assert response.status_code == 302
    db.session.refresh(appointment)
    assert appointment.status == "checked_in"
    event = appointment.events[-1]
    assert (event.action, event.user_id, event.source) == ("checked_in", desk.id, "frontdesk")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The patient is checked in." in page
    assert buttons(page) == ["Complete", "Undo status"]
    assert links(page) == ["Cancel appointment…", "Plan follow-up"]
    history = text_of(client.get(response.headers["Location"]))
    assert "by Sanne Jacobs" in history and desk.email not in history  # staff by name, not e-mail


@pytest.mark.parametrize("action, status, message", [
    ("completed", "completed", "The appointment is marked as completed."),
    ("no_show", "no_show", "The appointment is marked as a no-show."),
])
def test_completing_or_marking_a_no_show_leaves_only_the_undo(client, appointment, at_the_appointment, action, status,
                                                               message):
    response = status_change(client, appointment, action)
    db.session.refresh(appointment)
    assert appointment.status == status
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert buttons(page) == ["Undo status"] and links(page) == ["Plan follow-up"]


def test_marking_a_no_show_asks_first_on_a_page_of_its_own(client, appointment, at_the_appointment):
    response = client.get(f"/frontdesk/appointments/{appointment.id}/confirm/no_show")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Mark as a no-show?" in page and "Noor Bakker" in page
    assert f'action="/frontdesk/appointments/{appointment.id}/status"' in page
    assert '<input type="hidden" name="action" value="no_show">' in page
    assert buttons(page) == ["Yes, mark as a no-show"] and links(page) == ["No, keep it as it is"]
    db.session.refresh(appointment)
    assert appointment.status == "booked"


def test_the_confirmation_is_only_for_a_change_possible_now(client, desk, appointment):
    too_early = client.get(f"/frontdesk/appointments/{appointment.id}/confirm/no_show")
    assert too_early.status_code == 409
    assert "That change is not possible for this appointment now" in text_of(too_early)
    assert client.get(f"/frontdesk/appointments/{appointment.id}/confirm/checked_in").status_code == 404


def test_cancelling_asks_first_and_needs_a_reason_next_to_its_field(client, desk, appointment):
    question = client.get(f"/frontdesk/appointments/{appointment.id}/confirm/cancelled").get_data(as_text=True)
    assert "Cancel the appointment?" in question and 'name="reason"' in question
    response = status_change(client, appointment, "cancelled", reason="   ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "reason") == "Please fill this in."
    assert "Cancel the appointment?" in page
    db.session.refresh(appointment)
    assert appointment.status == "booked"

    response = status_change(client, appointment, "cancelled", reason="x" * 501)
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == "Please type at most 500 characters."
    assert 'x' * 501 in response.get_data(as_text=True)

    response = status_change(client, appointment, "cancelled", reason="Called in sick")
    db.session.refresh(appointment)
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Called in sick"
    page = text_of(client.get(response.headers["Location"]))
    assert "The appointment is cancelled; its time is free again." in page
    assert "Reason: Called in sick" in page


def test_a_wrong_no_show_is_undone_with_a_reason_that_stays_in_the_history(client, appointment, at_the_appointment):
    status_change(client, appointment, "no_show")
    undo_url = f"/frontdesk/appointments/{appointment.id}/undo"
    refused = client.post(undo_url, data={"reason": ""})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "reason") == "Please fill this in."
    assert '<details class="undo-box" open>' in refused.get_data(as_text=True)
    response = client.post(undo_url, data={"reason": "She was in the waiting room"})
    assert response.status_code == 302
    db.session.refresh(appointment)
    assert appointment.status == "booked"
    page = text_of(client.get(response.headers["Location"]))
    assert "The status is undone; the appointment is booked again." in page
    assert "Status undone" in page and "was No-show" in page and "Reason: She was in the waiting room" in page


def test_an_undo_the_next_day_is_refused_and_not_offered(client, clock, desk, appointment, at_the_appointment):
    status_change(client, appointment, "no_show")
    clock.set(combine(TUESDAY + timedelta(days=1), time(8, 0)))
    log_in(client, desk.email)
    assert "Undo status" not in client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    response = client.post(f"/frontdesk/appointments/{appointment.id}/undo", data={"reason": "Oops"})
    assert response.status_code == 422
    assert "A status can only be undone on the day it was set." in text_of(response)
    db.session.refresh(appointment)
    assert appointment.status == "no_show"


def test_a_change_the_status_no_longer_allows_is_explained_and_nothing_changes(client, desk, appointment):
    change_status(db.session, appointment, AppointmentAction.COMPLETED, source=BookingSource.FRONTDESK,
                  now=appointment.starts_at)
    db.session.commit()
    response = status_change(client, appointment, "checked_in")
    assert response.status_code == 409
    assert "This appointment was changed in the meantime; see its current status below." in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "completed" and len(appointment.events) == 2


def test_an_unknown_action_or_appointment_is_refused_plainly(client, desk, appointment):
    for action in ("booked", "rescheduled", "explode", ""):
        response = status_change(client, appointment, action)
        assert response.status_code == 400, action
        assert "Choose one of the buttons below." in response.get_data(as_text=True)
    assert client.get("/frontdesk/appointments/999").status_code == 404
    assert client.post("/frontdesk/appointments/999/status", data={"action": "checked_in"}).status_code == 404
    db.session.refresh(appointment)
    assert appointment.status == "booked"


def test_the_move_page_offers_the_chiropractors_free_times_including_the_current_one(client, desk, appointment, book):
    book(TUESDAY, time(10, 0), chiropractor_name="Jarco Schol")
    page = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule").get_data(as_text=True)
    assert 'value="2026-12-01"' in page
    times = offered_times(page)
    assert times[:3] == ["08:30", "08:40", "08:50"]
    assert "09:30" in times and "09:40" in times and "10:00" not in times
    assert re.search(r'value="2026-12-01T08:30:00\+00:00" disabled>', page)  # the current time
    other_day = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule?date=2026-12-02").get_data(as_text=True)
    assert "09:30" in offered_times(other_day) and " disabled>" not in other_day


def test_moving_is_recorded_with_the_previous_time(client, desk, appointment):
    response = client.post(
        f"/frontdesk/appointments/{appointment.id}/reschedule",
        data={"date": "2026-12-01", "start": combine(TUESDAY, time(11, 0)).isoformat()},
    )
    assert response.status_code == 302
    db.session.refresh(appointment)
    assert appointment.starts_at == combine(TUESDAY, time(11, 0))
    event = appointment.events[-1]
    assert (event.action, event.previous_starts_at, event.user_id) == ("rescheduled", combine(TUESDAY, time(9, 30)), desk.id)
    page = text_of(client.get(response.headers["Location"]))
    assert "The appointment is moved to Tuesday, December 1, 2026 at 11:00." in page
    assert "Moved" in page and "was Dec 1, 2026 at 09:30" in page


def test_moving_into_a_time_taken_meanwhile_offers_the_fresh_times(client, desk, appointment, book):
    book(TUESDAY, time(11, 0), chiropractor_name="Jarco Schol")
    response = client.post(
        f"/frontdesk/appointments/{appointment.id}/reschedule",
        data={"date": "2026-12-01", "start": combine(TUESDAY, time(11, 0)).isoformat()},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert field_error(page, "start") == "That time has just been taken. Please choose another time below."
    assert "11:00" not in offered_times(page) and "11:20" in offered_times(page)
    db.session.refresh(appointment)
    assert appointment.starts_at == combine(TUESDAY, time(9, 30))


def test_moving_without_a_time_or_to_a_bad_day_is_explained(client, desk, appointment):
    nothing = client.post(f"/frontdesk/appointments/{appointment.id}/reschedule", data={"date": "2026-12-01"})
    assert nothing.status_code == 422
    assert "Choose a new time." in nothing.get_data(as_text=True)
    assert "09:40" in offered_times(nothing.get_data(as_text=True))
    past = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule?date=2026-11-27")
    assert field_error(past.get_data(as_text=True), "date") == "That day has passed; choose today or a later day."
    malformed = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule?date=27/11")
    assert field_error(malformed.get_data(as_text=True), "date") == "Enter a date as year-month-day, e.g. 2026-12-01."
    far = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule?date=9999-12-31")
    assert field_error(far.get_data(as_text=True), "date") == "That date is out of range; please check the year."
    evening = client.post(
        f"/frontdesk/appointments/{appointment.id}/reschedule",
        data={"date": "2026-12-01", "start": combine(TUESDAY, time(20, 0)).isoformat()},
    )
    assert evening.status_code == 422
    assert "The chiropractor does not work at that time." in evening.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.starts_at == combine(TUESDAY, time(9, 30))


def test_a_cancelled_appointment_cannot_be_moved(client, desk, appointment):
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="Ill")
    db.session.commit()
    response = client.get(f"/frontdesk/appointments/{appointment.id}/reschedule")
    assert response.status_code == 409
    assert "Only a booked appointment can be moved." in response.get_data(as_text=True)
    moved = client.post(
        f"/frontdesk/appointments/{appointment.id}/reschedule",
        data={"date": "2026-12-01", "start": combine(TUESDAY, time(11, 0)).isoformat()},
    )
    assert moved.status_code == 409
    db.session.refresh(appointment)
    assert appointment.status == "cancelled" and appointment.starts_at == combine(TUESDAY, time(9, 30))
