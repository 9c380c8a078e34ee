"""The working-hours page: administrators add and end intervals; everyone else on the staff reads."""
from datetime import date, time

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Role, WorkingHours
from tests.admin.page_reader import Page

GOOD = {"weekday": "5", "start_time": "09:00", "end_time": "12:00", "valid_from": "2026-12-05", "valid_to": ""}


def hours_of(chiropractor, weekday):
    db.session.expire_all()
    return db.session.scalars(
        select(WorkingHours)
        .where(WorkingHours.chiropractor_id == chiropractor.id, WorkingHours.weekday == weekday)
        .order_by(WorkingHours.start_time)
    ).all()


def test_the_page_lists_each_weekdays_hours_with_their_dates(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    page = Page(client.get(f"/admin/chiropractors/{jarco.id}/hours").get_data(as_text=True))
    monday_morning = page.find(id=f"hours-{hours_of(jarco, 0)[0].id}")
    assert [cell.text for cell in monday_morning.walk() if cell.tag == "td"][:4] == [
        "Monday", "08:30–12:30", "Jan 1, 2026", "no end date"
    ]
    assert len([e for e in page.all("tr") if (e.attrs.get("id") or "").startswith("hours-")]) == 10
    assert page.value("valid_from") == "2026-11-30", "new hours start today unless changed"


def test_an_administrator_adds_hours(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    response = client.post(f"/admin/chiropractors/{jarco.id}/hours", data=GOOD)
    assert response.status_code == 302
    assert [(h.start_time, h.end_time, h.valid_from, h.valid_to) for h in hours_of(jarco, 5)] == [
        (time(9), time(12), date(2026, 12, 5), None)
    ]
    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.flashes() == ["The hours have been added."]
    assert "Saturday" in page.text() and "09:00–12:00" in page.text()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_time": "09:00"}, "end_time", "The end must be later than the start."),
        ({"end_time": "08:00"}, "end_time", "The end must be later than the start."),
        ({"valid_to": "2026-12-04"}, "valid_to", "The last day cannot be before the first day."),
        (
            {"valid_from": "2026-11-29"},
            "valid_from",
            "New hours can start today at the earliest: past weeks stay as they were.",
        ),
        (
            {"weekday": "0", "start_time": "12:00", "end_time": "13:00"},
            "start_time",
            "These hours overlap the hours 08:30–12:30 on the same day. "
            "End those first or choose other times.",
        ),
        ({"start_time": "25:00"}, "start_time", "Not a valid time value."),
        ({"valid_from": ""}, "valid_from", "This field is required."),
    ],
)
def test_refused_hours_show_the_message_next_to_the_field_and_keep_the_input(
    client, logged_in, jarco, changes, field, message
):
    logged_in(Role.ADMIN)
    typed = {**GOOD, **changes}
    before = len(hours_of(jarco, int(typed["weekday"])))
    response = client.post(f"/admin/chiropractors/{jarco.id}/hours", data=typed)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.errors() == {field: message}
    assert page.error_next_to(field) == message
    assert {name: page.value(name) or "" for name in typed} == typed
    assert len(hours_of(jarco, int(typed["weekday"]))) == before


def test_hours_are_ended_from_a_date_and_stay_in_the_history(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    monday_morning = hours_of(jarco, 0)[0]
    response = client.post(
        f"/admin/chiropractors/{jarco.id}/hours/{monday_morning.id}/end",
        data={f"end-{monday_morning.id}-last_day": "2026-12-31"},
    )
    assert response.status_code == 302
    assert hours_of(jarco, 0)[0].valid_to == date(2026, 12, 31)
    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.flashes() == ["The hours have been ended."]
    assert "Dec 31, 2026" in page.find(id=f"hours-{monday_morning.id}").text


def test_a_refused_end_date_is_shown_beside_that_rows_date(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    monday_morning = hours_of(jarco, 0)[0]
    field = f"end-{monday_morning.id}-last_day"
    end_url = f"/admin/chiropractors/{jarco.id}/hours/{monday_morning.id}/end"
    response = client.post(end_url, data={field: "2026-11-01"})
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.error_next_to(field) == "The last day cannot be in the past: past weeks stay as they were."
    assert page.value(field) == "2026-11-01"
    assert list(page.errors()) == [field], "the other rows and the add form stay clean"
    assert hours_of(jarco, 0)[0].valid_to is None


def test_hours_that_have_not_started_can_be_deleted_and_others_not(client, logged_in, jarco):
    logged_in(Role.ADMIN)
    client.post(f"/admin/chiropractors/{jarco.id}/hours", data=GOOD, follow_redirects=True)
    upcoming = hours_of(jarco, 5)[0]
    page = Page(client.get(f"/admin/chiropractors/{jarco.id}/hours").get_data(as_text=True))
    delete_buttons = [f for f in page.all("form") if f.attrs.get("action", "").endswith("/delete")]
    delete_url = f"/admin/chiropractors/{jarco.id}/hours/{upcoming.id}/delete"
    assert [f.attrs["action"] for f in delete_buttons] == [delete_url]

    deleted = client.post(delete_url, follow_redirects=True)
    assert Page(deleted.get_data(as_text=True)).flashes() == ["The hours have been deleted."]
    assert hours_of(jarco, 5) == []

    started = hours_of(jarco, 0)[0]
    response = client.post(f"/admin/chiropractors/{jarco.id}/hours/{started.id}/delete", follow_redirects=True)
    assert Page(response.get_data(as_text=True)).flashes() == [
        "These hours have started already, so they are part of the history: end them instead."
    ]
    assert len(hours_of(jarco, 0)) == 2


def test_hours_of_another_chiropractor_cannot_be_changed_through_this_ones_url(client, logged_in, jarco, tijn):
    logged_in(Role.ADMIN)
    tijns = hours_of(tijn, 0)[0]
    response = client.post(
        f"/admin/chiropractors/{jarco.id}/hours/{tijns.id}/end", data={f"end-{tijns.id}-last_day": "2026-12-31"}
    )
    assert response.status_code == 404
    assert hours_of(tijn, 0)[0].valid_to is None


@pytest.mark.parametrize("role", [Role.FRONTDESK, Role.CHIROPRACTOR])
def test_other_staff_read_the_hours_without_forms(client, logged_in, tijn, role):
    logged_in(role)
    response = client.get(f"/admin/chiropractors/{tijn.id}/hours")
    page = Page(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "08:30–12:30" in page.text()
    assert page.all("form") == [f for f in page.all("form") if f.attrs.get("action") == "/logout"]
