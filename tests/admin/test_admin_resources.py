"""The equipment-and-rooms page: the administrator adds a resource and says which type needs it."""
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AppointmentType, ClinicResource, Role
from tests.admin.page_reader import Page
from tests.admin.test_admin_appointment_types import NEW, stored


def test_an_administrator_adds_a_room_and_a_type_that_needs_it(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/resources", data={"name": "Behandelkamer 2"})
    assert response.status_code == 302
    page = Page(client.get(response.headers["Location"]).get_data(as_text=True))
    assert [item.text for item in page.find(id="resources").walk() if item.tag == "li"] == [
        "Behandelkamer 2", "Decompressietafel",
    ]
    room = db.session.scalar(select(ClinicResource).where(ClinicResource.name == "Behandelkamer 2"))
    assert client.post("/admin/appointment-types/new", data={**NEW, "resource_id": str(room.id)}).status_code == 302
    assert stored("sports_massage_45").resource_id == room.id


def test_a_name_already_taken_is_refused_next_to_the_field(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/resources", data={"name": "Decompressietafel"})
    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).error_next_to("name") == "Another resource already has this name."


def test_the_front_desk_sees_the_resources_but_cannot_add_one(client, logged_in):
    logged_in(Role.FRONTDESK)
    page = Page(client.get("/admin/resources").get_data(as_text=True))
    assert page.find(name="name") is None
    assert client.post("/admin/resources", data={"name": "Kamer 3"}).status_code == 403
    assert db.session.scalar(select(db.func.count(ClinicResource.id))) == 1


def test_an_unknown_resource_on_a_type_is_refused(client, logged_in):
    logged_in(Role.ADMIN)
    response = client.post("/admin/appointment-types/new", data={**NEW, "resource_id": "999"})
    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).error_next_to("resource_id") == "Choose one of the resources."
    assert db.session.scalar(select(AppointmentType).where(AppointmentType.code == NEW["code"])) is None
