"""Who may see and change the front desk's screens."""
from datetime import time

import pytest

from clinic.extensions import db
from clinic.models import Role
from tests.frontdesk.conftest import TUESDAY

LOOKING = ["/frontdesk/", "/frontdesk/week", "/frontdesk/appointments/{id}"]
CHANGING_GET = [
    "/frontdesk/book",
    "/frontdesk/book/new-patient",
    "/frontdesk/book/slots?patient={patient}",
    "/frontdesk/appointments/{id}/reschedule",
    "/frontdesk/appointments/{id}/confirm/cancelled",
]
CHANGING_POST = [
    ("/frontdesk/appointments/{id}/status", {"action": "checked_in"}),
    ("/frontdesk/appointments/{id}/undo", {"reason": "wrong"}),
    ("/frontdesk/appointments/{id}/reschedule", {"date": "2026-12-01", "start": "2026-12-01T10:00:00+00:00"}),
    ("/frontdesk/book/new-patient", {"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01"}),
    ("/frontdesk/book/confirm", {"patient": "{patient}"}),
]


@pytest.fixture
def appointment(book):
    return book(TUESDAY, time(9, 30))


def urls(templates, appointment):
    return [t.format(id=appointment.id, patient=appointment.patient_id) for t in templates]


def test_anonymous_visitors_are_sent_to_the_login_page(client, appointment):
    for url in urls(LOOKING + CHANGING_GET, appointment):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=/frontdesk/"), url
    for url, data in CHANGING_POST:
        response = client.post(url.format(id=appointment.id), data=data)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_patients_may_not_see_the_front_desk(client, login_as, appointment):
    login_as(Role.PATIENT)
    for url in urls(LOOKING + CHANGING_GET, appointment):
        assert client.get(url).status_code == 403, url
    for url, data in CHANGING_POST:
        assert client.post(url.format(id=appointment.id), data=data).status_code == 403, url


def test_chiropractors_may_look_but_not_change(client, english, login_as, appointment):
    login_as(Role.CHIROPRACTOR)
    for url in urls(LOOKING, appointment):
        assert client.get(url).status_code == 200, url
    detail = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    assert "Check-in opens" not in detail and "Cancel appointment" not in detail
    assert "Move to another time" not in detail
    assert "Book an appointment" not in client.get("/frontdesk/").get_data(as_text=True)
    for url in urls(CHANGING_GET, appointment):
        assert client.get(url).status_code == 403, url
    for url, data in CHANGING_POST:
        assert client.post(url.format(id=appointment.id), data=data).status_code == 403, url


@pytest.mark.parametrize("role", [Role.FRONTDESK, Role.ADMIN])
def test_front_desk_and_administrator_may_book_and_change(client, english, login_as, appointment, role):
    login_as(role)
    for url in urls(LOOKING + CHANGING_GET, appointment):
        assert client.get(url).status_code == 200, url
    detail = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    assert "Check-in opens" in detail and "Cancel appointment" in detail and "Move to another time" in detail


def test_a_changing_form_without_its_csrf_token_is_refused(app, client, desk, appointment):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/frontdesk/appointments/{appointment.id}/status", data={"action": "checked_in"})
    assert response.status_code == 400
    db.session.refresh(appointment)
    assert appointment.status == "booked" and [e.action for e in appointment.events] == ["booked"]
