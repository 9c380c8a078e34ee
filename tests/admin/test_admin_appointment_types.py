"""The appointment-type pages: administrators create and change types, and deactivate instead of deleting."""
import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AppointmentType, Role
from tests.admin.page_reader import Page

NEW = {
    "code": "sports_massage_45",
    "name_nl": "Sportmassage 45 minuten",
    "name_en": "Sports massage 45 minutes",
    "duration_minutes": "45",
    "buffer_after_minutes": "5",
    "follow_up_days": "10",
    "modality": "massage",
    "is_online_bookable": "y",
    "is_open_to_new_patients": "y",
    "is_active": "y",
}


def stored(code: str) -> AppointmentType | None:
    db.session.expire_all()
    return db.session.scalar(select(AppointmentType).where(AppointmentType.code == code))


def test_the_list_shows_every_type_with_both_names(client, logged_in):
    logged_in(Role.ADMIN)
    page = Page(client.get("/admin/appointment-types").get_data(as_text=True))
    intake = page.find(id="type-intake")
    assert [cell.text for cell in intake.walk() if cell.tag == "td"][:8] == [
        "Intake en eerste behandeling Intake and first treatment", "intake", "Consultation",
        "45 min", "15 min", "yes", "yes", "yes",
    ]
    assert len([row for row in page.all("tr") if (row.attrs.get("id") or "").startswith("type-")]) == 6


def test_an_administrator_creates_a_type(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/appointment-types/new", data={**NEW, "is_online_bookable": ""})
    assert response.status_code == 302
    created = stored("sports_massage_45")
    assert (created.name_nl, created.name_en, created.duration_minutes, created.buffer_after_minutes) == (
        "Sportmassage 45 minuten", "Sports massage 45 minutes", 45, 5
    )
    assert (created.modality, created.is_online_bookable, created.is_open_to_new_patients, created.is_active) == (
        "massage", False, True, True
    )
    assert created.follow_up_days == 10
    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert page.flashes() == ["Appointment type sports_massage_45 has been added."]
    assert page.find(id="type-sports_massage_45") is not None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "intake"}, "code", "Another appointment type already has this code."),
        (
            {"code": "Sports Massage"},
            "code",
            "Use 1 to 40 lower-case letters, digits or underscores, e.g. sports_massage_45.",
        ),
        ({"duration_minutes": "4"}, "duration_minutes", "Choose a duration from 5 to 480 minutes."),
        ({"duration_minutes": "481"}, "duration_minutes", "Choose a duration from 5 to 480 minutes."),
        ({"duration_minutes": "three quarters"}, "duration_minutes", "Not a valid integer value."),
        ({"buffer_after_minutes": "121"}, "buffer_after_minutes", "Choose a buffer from 0 to 120 minutes."),
        ({"buffer_after_minutes": "-1"}, "buffer_after_minutes", "Choose a buffer from 0 to 120 minutes."),
        ({"follow_up_days": "0"}, "follow_up_days", "Choose a follow-up interval from 1 to 365 days."),
        ({"name_nl": "   "}, "name_nl", "Give a name."),
        ({"modality": "acupuncture"}, "modality", "Not a valid choice."),
    ],
)
def test_a_refused_type_shows_the_message_next_to_the_field_and_keeps_the_input(
    client, logged_in, changes, field, message
):
    logged_in(Role.ADMIN)
    form = {**NEW, **changes}
    response = client.post("/admin/appointment-types/new", data=form)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.errors() == {field: message}
    assert page.error_next_to(field) == message
    shown = {name: ("checked" if value == "y" else value) for name, value in form.items() if name != "modality"}
    assert {name: page.value(name) for name in shown} == shown
    assert db.session.scalar(select(db.func.count(AppointmentType.id))) == 6


def test_an_edit_changes_the_type_but_never_its_code_and_deactivates_it(client, logged_in):
    logged_in(Role.ADMIN)
    intake = stored("intake")
    form = {**NEW, "code": "renamed", "name_en": "Intake", "duration_minutes": "60", "is_active": ""}
    page = Page(client.get(f"/admin/appointment-types/{intake.id}").get_data(as_text=True))
    assert page.find(name="code") is None
    assert page.value("name_nl") == "Intake en eerste behandeling" and page.value("is_active") == "checked"

    response = client.post(f"/admin/appointment-types/{intake.id}", data=form, follow_redirects=True)

    changed = stored("intake")
    assert (changed.id, changed.name_en, changed.duration_minutes, changed.is_active) == (
        intake.id, "Intake", 60, False
    )
    assert stored("renamed") is None
    listed = Page(response.get_data(as_text=True))
    assert listed.flashes() == ["Appointment type intake has been saved."]
    assert "inactive" in listed.find(id="type-intake").classes()


def test_a_refused_edit_keeps_what_was_typed(client, logged_in):
    logged_in(Role.ADMIN)
    intake = stored("intake")
    form = {**NEW, "name_en": "Changed", "duration_minutes": "500"}
    response = client.post(f"/admin/appointment-types/{intake.id}", data=form)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.error_next_to("duration_minutes") == "Choose a duration from 5 to 480 minutes."
    assert (page.value("name_en"), page.value("duration_minutes")) == ("Changed", "500")
    assert (stored("intake").name_en, stored("intake").duration_minutes) == ("Intake and first treatment", 45)


def test_an_unknown_type_is_not_found(client, logged_in):
    logged_in(Role.ADMIN)
    assert client.get("/admin/appointment-types/999").status_code == 404


def test_the_front_desk_reads_the_list_without_links_to_change_it(client, logged_in):
    logged_in(Role.FRONTDESK)
    page = Page(client.get("/admin/appointment-types").get_data(as_text=True))
    assert page.find(id="type-intake") is not None
    assert not [a for a in page.all("a") if "/admin/appointment-types/" in (a.attrs.get("href") or "")]


def test_the_administrator_turns_the_after_visit_check_in_on_and_off_per_type(client, logged_in):
    logged_in(Role.ADMIN)
    needling, massage = stored("dry_needling"), stored("sports_massage_30")
    page = Page(client.get(f"/admin/appointment-types/{needling.id}").get_data(as_text=True))
    assert page.value("after_visit_check_in") == "checked"
    client.post(f"/admin/appointment-types/{needling.id}", data={**NEW, "name_nl": "Dry needling"})
    client.post(f"/admin/appointment-types/{massage.id}", data={**NEW, "after_visit_check_in": "y"})
    assert (stored("dry_needling").after_visit_check_in, stored("sports_massage_30").after_visit_check_in) == (
        False, True)


def test_an_administrator_sets_a_spacing_rule_and_the_screening_requirement(client, logged_in):
    logged_in(Role.ADMIN)
    needling = stored("dry_needling")
    form = {**NEW, "code": None, "modality": "dry_needling", "min_hours_apart": "-1", "online_needs_screening": "y"}
    form = {name: value for name, value in form.items() if value is not None}
    refused = client.post(f"/admin/appointment-types/{needling.id}", data=form)
    assert refused.status_code == 422 and "0 to 720 hours" in refused.get_data(as_text=True)
    assert client.post(f"/admin/appointment-types/{needling.id}",
                       data={**form, "min_hours_apart": "48"}).status_code == 302
    saved = stored("dry_needling")
    assert (saved.min_hours_apart, saved.online_needs_screening) == (48, True)
