"""Online booking must not tell strangers who is a patient (issue 17, defect 7).

Three visitors ask for the same thing: a patient with their own e-mail address and birth date,
someone with the patient's e-mail address and a wrong birth date, and someone unknown. The
public answers (booking pages and API) are compared byte for byte: status, body and the headers
that matter. A type for returning patients only books nothing at once; the patient alone gets
an e-mail with a link that books it.
"""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, AppointmentType, OutboxMessage, Patient
from tests.booking.test_booking_pages import first_slot

PATIENT = {"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17",
           "email": "sanne@example.nl", "phone": "06 12345678"}
VISITORS = {
    "the patient": PATIENT,
    "the patient's address, another birth date": PATIENT | {"date_of_birth": "1991-05-17"},
    "someone unknown": PATIENT | {"email": "nobody@example.nl"},
}
# Headers a caller could read a difference from (Date changes by the second, for everyone alike).
COMPARED_HEADERS = ("Content-Type", "Content-Length", "Location", "Cache-Control", "Set-Cookie", "Retry-After")
LINK = re.compile(r"https?://[^/\s]+(/afspraak/bevestigen/[\w.-]+)")


@pytest.fixture
def sanne(clinic, create_patient):
    return create_patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17),
                          email="sanne@example.nl")


def answer(response, *, token: str | None = None) -> tuple:
    """Return what a caller sees of a response; a random manage token is the same for everyone in kind."""
    body = response.get_data(as_text=True)
    headers = [(name, response.headers.get(name)) for name in COMPARED_HEADERS]
    if token:
        body = body.replace(token, "<token>")
        headers = [(name, value and value.replace(token, "<token>")) for name, value in headers]
    return response.status_code, tuple(headers), body


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_form(slot: str, visitor: dict, code: str = "follow_up") -> dict:
    return {"type": code, "chiropractor": "any", "slot": slot, "consent": "y"} | visitor


def api_body(start: str, visitor: dict, code: str = "follow_up") -> dict:
    details = {name: visitor[name] for name in ("first_name", "last_name", "date_of_birth", "email", "phone")}
    return {"type": code, "start": start, "consent": True, "patient": details}


def free_api_start(client, code: str, days_ahead: int = 3) -> str:
    day = (to_local(utcnow()) + timedelta(days=days_ahead)).date()
    slots = client.get("/api/v1/availability", query_string={
        "type": code, "from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}).json["slots"]
    return slots[0]["start"]


def emailed_links() -> list[tuple[str, str]]:
    """Return (address, booking link path) of every e-mail in the outbox."""
    return [(message.to_address, path) for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            for path in LINK.findall(message.body_text)]


def test_a_returning_only_type_answers_every_visitor_alike_on_the_pages(client, sanne):
    slot = first_slot(client, type_code="follow_up", days_ahead=3)
    answers = {who: answer(client.post("/afspraak/bevestigen", data=page_form(slot, visitor)))
               for who, visitor in VISITORS.items()}
    assert len(set(answers.values())) == 1, answers
    status, headers, _body = answers["someone unknown"]
    assert status == 302 and dict(headers)["Location"] == "/afspraak/bevestig-per-email"
    told = client.get("/afspraak/bevestig-per-email").get_data(as_text=True)
    assert "als de tijd dan nog vrij is" in told and "eerst een intake" in told
    assert count(Appointment) == 0 and count(Patient) == 1


def test_a_returning_only_type_answers_every_visitor_alike_in_the_api(client, sanne):
    start = free_api_start(client, "follow_up")
    answers = {who: answer(client.post("/api/v1/bookings", json=api_body(start, visitor)))
               for who, visitor in VISITORS.items()}
    assert len(set(answers.values())) == 1, answers
    response = client.post("/api/v1/bookings", json=api_body(start, VISITORS["someone unknown"]))
    assert response.status_code == 202 and response.json["status"] == "confirmation_emailed"
    assert count(Appointment) == 0 and count(Patient) == 1


def test_only_the_patient_gets_the_link_and_it_books_into_their_record(client, sanne):
    slot = first_slot(client, type_code="follow_up", days_ahead=3)
    for visitor in VISITORS.values():
        client.post("/afspraak/bevestigen", data=page_form(slot, visitor))
    links = emailed_links()
    assert [address for address, _path in links] == ["sanne@example.nl"]
    link = links[0][1]
    shown = client.get(link)  # a mail scanner opening the link books nothing
    assert shown.status_code == 200 and "Deze afspraak boeken" in shown.get_data(as_text=True)
    assert count(Appointment) == 0
    booked = client.post(link)
    assert booked.status_code == 302 and "/afspraak/beheer/" in booked.headers["Location"]
    appointment = db.session.scalar(select(Appointment))
    assert (appointment.patient_id, appointment.appointment_type.code, appointment.source) == (sanne.id, "follow_up",
                                                                                               "online")
    again = client.post(link)
    assert again.status_code == 409 and count(Appointment) == 1


def test_a_forged_or_expired_link_books_nothing(client, sanne, monkeypatch):
    slot = first_slot(client, type_code="follow_up", days_ahead=3)
    client.post("/afspraak/bevestigen", data=page_form(slot, PATIENT))
    link = emailed_links()[0][1]
    forged = client.post(link[:-3] + "abc")
    assert forged.status_code == 404 and "Deze link kennen we niet" in forged.get_data(as_text=True)
    later = utcnow() + timedelta(hours=25)
    monkeypatch.setattr("clinic.booking.routes.utcnow", lambda: later)
    expired = client.post(link)
    assert expired.status_code == 410 and "Deze link is verlopen" in expired.get_data(as_text=True)
    assert count(Appointment) == 0


def test_a_link_for_a_treatment_no_longer_booked_online_says_so_and_books_nothing(client, sanne):
    slot = first_slot(client, type_code="follow_up", days_ahead=3)
    client.post("/afspraak/bevestigen", data=page_form(slot, PATIENT))
    link = emailed_links()[0][1]
    db.session.scalar(select(AppointmentType).filter_by(code="follow_up")).is_online_bookable = False
    db.session.commit()
    for response in (client.get(link), client.post(link)):
        text = response.get_data(as_text=True)
        assert response.status_code == 410 and "Deze behandeling is niet meer online te boeken" in text
        assert "Sanne" not in text and "sanne@example.nl" not in text
    assert count(Appointment) == 0


def test_an_open_type_answers_a_patient_and_a_stranger_alike_without_internal_ids(client, sanne):
    start = free_api_start(client, "sports_massage_30")
    answers = {}
    for who, visitor in VISITORS.items():
        response = client.post("/api/v1/bookings", json=api_body(start, visitor, "sports_massage_30"))
        token = response.json["manage_url"].rsplit("/", 1)[1]
        answers[who] = answer(response, token=token)
        assert "id" not in response.json["appointment"] and "patient_id" not in response.json["appointment"]
        # Free the time again, so that every visitor asks for the same one.
        assert client.post(f"/afspraak/beheer/{token}/annuleren").status_code == 302
    assert len(set(answers.values())) == 1, answers
    patients = {appointment.patient_id for appointment in db.session.scalars(select(Appointment))}
    assert sanne.id in patients and len(patients) == 3


def test_an_open_type_on_the_pages_answers_alike_and_the_manage_pages_match(client, sanne):
    slot = first_slot(client, days_ahead=3)
    answers, pages = {}, {}
    for who, visitor in VISITORS.items():
        response = client.post("/afspraak/bevestigen", data=page_form(slot, visitor, "sports_massage_30"))
        token = response.headers["Location"].split("/beheer/")[1].split("?")[0]
        answers[who] = answer(response, token=token)
        pages[who] = answer(client.get(response.headers["Location"]), token=token)
        assert client.post(f"/afspraak/beheer/{token}/annuleren").status_code == 302
    assert len(set(answers.values())) == 1, answers
    # The manage page shows the address typed, which differs between the visitors, and nothing else.
    unify = {visitor["email"]: "<email>" for visitor in VISITORS.values()}
    normalised = set()
    for status, headers, body in pages.values():
        for email, placeholder in unify.items():
            body = body.replace(email, placeholder)
        normalised.add((status, body))
    assert len(normalised) == 1
