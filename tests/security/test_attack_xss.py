"""Stored and reflected XSS: markup typed into any free-text field is shown as text, everywhere.

Each payload goes into every field a person can fill, through the pages and the API that take
it; then every page, JSON answer, e-mail and calendar file that shows it is read back. A field
may refuse a payload (names must contain letters, for instance) but never with an error page.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from email import message_from_string

import pytest
from flask import current_app
from icalendar import Calendar
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import (
    Appointment,
    AppointmentType,
    Chiropractor,
    OutboxMessage,
    Patient,
    Role,
    TreatmentNote,
)
from clinic.services.accounts import issue_api_token
from clinic.services.outbox import as_email
from clinic.services.seed import seed_clinic
from tests.conftest import log_in
from tests.mail_server import run_mail_worker
from tests.security.attack_payloads import XSS_PAYLOADS, markup_dangers, text_of

IDS = [f"payload{number}" for number in range(len(XSS_PAYLOADS))]


class Visit:
    """A logged-in client that fails on an error page and checks every HTML page it reads."""

    def __init__(self, client, payload: str, attempts):
        self.client = client
        self.payload = payload
        self.attempts = attempts

    def post(self, url: str, data: dict, **kwargs):
        response = self.client.post(url, data=data, **kwargs)
        assert response.status_code < 500, (url, response.status_code)
        self.attempts.record("xss")
        return response

    def page(self, url: str, *, shows_payload: bool = False, **kwargs) -> str:
        response = self.client.get(url, **kwargs)
        assert response.status_code in (200, 400, 404, 409, 422), (url, response.status_code)
        page = response.get_data(as_text=True)
        assert markup_dangers(page) == [], (url, self.payload)
        if shows_payload:
            assert self.payload in text_of(page), f"{url} does not show the payload as typed"
        return page


def strings_in(value) -> list[str]:
    """Return every string in a JSON document."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return [value] if isinstance(value, str) else []


def local_day(days_ahead: int):
    return to_local(utcnow()).date() + timedelta(days=days_ahead)


@pytest.fixture
def seeded(app):
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def staff_visits(app, seeded, create_account, attempts):
    """Return a callable giving (administrator's Visit, chiropractor's Visit) for a payload."""

    def _visits(payload: str) -> tuple[Visit, Visit]:
        admin, chiropractor = app.test_client(), app.test_client()
        for client, role in ((admin, Role.ADMIN), (chiropractor, Role.CHIROPRACTOR)):
            assert log_in(client, create_account(role).email).status_code == 302
            client.get("/taal/en")
        return Visit(admin, payload, attempts), Visit(chiropractor, payload, attempts)

    return _visits


def stored_patient(desk: Visit, payload: str) -> Patient:
    """Register a patient named after the payload at the front desk (directly if the name is refused)."""
    desk.post("/frontdesk/book/new-patient", data={
        "first_name": f"{payload} Anna", "last_name": f"{payload} Jansen", "date_of_birth": "1990-05-17",
        "preferred_language": "nl", "sport": payload, "create_anyway": "y",
    })
    patient = db.session.scalars(select(Patient).order_by(Patient.id.desc())).first()
    if patient is None:
        patient = Patient(first_name="Anna", last_name="Jansen", date_of_birth=datetime(1990, 5, 17).date(),
                          created_source="frontdesk", sport=payload)
        db.session.add(patient)
        db.session.commit()
    return patient


def stored_appointment(patient: Patient, chiropractor: Chiropractor, day, hour: int) -> Appointment:
    appointment_type = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
    starts_at = datetime.combine(day, time(hour), tzinfo=CLINIC_TZ)
    ends_at = starts_at + timedelta(minutes=30)
    appointment = Appointment(
        patient_id=patient.id, chiropractor_id=chiropractor.id, appointment_type_id=appointment_type.id,
        starts_at=starts_at, ends_at=ends_at, buffer_ends_at=ends_at, source="frontdesk", status="booked",
    )
    db.session.add(appointment)
    db.session.commit()
    return appointment


@pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=IDS)
def test_staff_pages_show_every_payload_as_text(staff_visits, payload):
    desk, chiro = staff_visits(payload)
    jarco = db.session.scalars(select(Chiropractor).order_by(Chiropractor.id)).first()
    day = local_day(2)

    # Administration: an appointment type and time off.
    desk.post("/admin/appointment-types/new", data={
        "code": "xss_type", "name_nl": payload, "name_en": payload, "duration_minutes": "30", "follow_up_days": "7",
        "buffer_after_minutes": "0", "modality": "massage", "is_online_bookable": "y",
        "is_open_to_new_patients": "y", "is_active": "y",
    })
    later = local_day(30)
    desk.post(f"/admin/chiropractors/{jarco.id}/time-off", data={
        "start_date": later.isoformat(), "start_time": "09:00", "end_date": later.isoformat(), "end_time": "12:00",
        "reason": payload,
    })

    # The front desk: a patient, an appointment, and one cancelled with the payload as reason.
    patient = stored_patient(desk, payload)
    kept = stored_appointment(patient, jarco, day, 10)
    cancelled = stored_appointment(patient, jarco, day, 11)
    desk.post(f"/frontdesk/appointments/{cancelled.id}/status", data={"action": "cancelled", "reason": payload})

    # The chiropractor: training log, check-in, screening, a signed note with an amendment, a draft.
    base = f"/clinical/patients/{patient.id}"
    yesterday = local_day(-1).isoformat()
    chiro.post(f"{base}/training-sessions/new", data={
        "ended_on": yesterday, "ended_time": "18:30", "duration_minutes": "60", "rpe": "6", "kind": payload})
    chiro.post(f"{base}/wellness/new", data={"day": yesterday, "doms": "3", "doms_region": payload})
    chiro.post(f"{base}/screening", data={"flag_open_wound_region": "y", "regions_open_wound_region": payload})
    note_fields = {
        "subjective": payload, "objective": payload, "assessment": payload, "plan": payload,
        "massage-applied": "y", "massage-regions": payload, "massage-minutes": "30", "massage-technique": payload,
        "massage-justification": payload, "massage-override": "y",
    }
    signed = chiro.post(f"/clinical/appointments/{kept.id}/note", data=note_fields)
    chiro.post(f"{base}/notes/new", data=note_fields)
    notes = db.session.scalars(select(TreatmentNote).order_by(TreatmentNote.id)).all()
    assert len(notes) == 2, "the notes were refused: " + text_of(signed.get_data(as_text=True))[:300]
    chiro.post(f"/clinical/notes/{notes[0].id}/sign", data={})
    chiro.post(f"/clinical/notes/{notes[0].id}/amendments", data={"text": payload})

    # Every page that shows any of it.
    desk.page(f"/frontdesk/?date={day.isoformat()}", shows_payload=True)
    desk.page(f"/frontdesk/week?date={day.isoformat()}&chiropractor={jarco.id}", shows_payload=True)
    desk.page(f"/frontdesk/appointments/{cancelled.id}", shows_payload=True)
    desk.page(f"/frontdesk/appointments/{kept.id}", shows_payload=True)
    desk.page(f"/frontdesk/appointments/{kept.id}/reschedule?date={day.isoformat()}")
    desk.page("/frontdesk/book", query_string={"q": payload})
    desk.page("/frontdesk/book", query_string={"q": "Anna"})
    desk.page(f"/frontdesk/book/slots?patient={patient.id}&date={day.isoformat()}")
    desk.page("/frontdesk/book/new-patient", query_string={"q": payload, "date": payload})
    desk.page("/admin/appointment-types", shows_payload=True)
    desk.page(f"/admin/chiropractors/{jarco.id}/time-off", shows_payload=True)
    desk.page("/admin/chiropractors")
    desk.page("/admin/users")
    chiro.page("/clinical/", query_string={"q": payload})
    chiro.page(f"{base}", shows_payload=True)
    chiro.page(f"{base}/screening", shows_payload=True)
    chiro.page(f"/clinical/notes/{notes[0].id}", shows_payload=True)
    chiro.page(f"/clinical/notes/{notes[1].id}/edit", shows_payload=True)


def test_the_api_gives_payloads_back_as_typed_json(client, seeded, create_account, attempts):
    desk, chiropractor = (issue_api_token(db.session, create_account(role)) for role in (Role.FRONTDESK, Role.CHIROPRACTOR))
    db.session.commit()
    for payload in XSS_PAYLOADS:
        api_round_trip(client, {"Authorization": f"Bearer {desk}"}, {"Authorization": f"Bearer {chiropractor}"}, payload)
        attempts.record("xss", 3)


def api_round_trip(client, registrar: dict, headers: dict, payload: str) -> None:
    """Register a patient with the payload (``registrar``), then store it in each clinical text field the
    API takes (``headers``), and read it all back, as typed, as JSON."""
    registered = client.post("/api/v1/patients", headers=registrar, json={
        "first_name": f"{payload} Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17", "sport": payload})
    assert registered.status_code in (201, 422), registered.get_data(as_text=True)
    patient_id = registered.json["id"] if registered.status_code == 201 else None
    if patient_id is None:
        patient_id = client.post("/api/v1/patients", headers=registrar, json={
            "first_name": "Anna", "last_name": "Jansen", "date_of_birth": "1990-05-17", "sport": payload}).json["id"]
    base = f"/api/v1/patients/{patient_id}"
    writes = {
        f"{base}/training-sessions": {
            "ended_at": (utcnow() - timedelta(days=1)).isoformat(), "duration_minutes": 60, "rpe": 5, "kind": payload},
        f"{base}/treatment-notes": {
            "subjective": payload, "plan": payload,
            "modalities": [{"modality": "massage", "details": {"regions": [payload], "technique": payload, "minutes": 30},
                            "justification": payload, "override": True}]},
    }
    for url, body in writes.items():
        response = client.post(url, headers=headers, json=body)
        # A kind of session is at most 40 characters; the longest payloads are refused there.
        assert response.status_code in (201, 422), response.get_data(as_text=True)
        if response.status_code == 201:
            read = client.get(url, headers=headers)
            assert read.mimetype == "application/json" and payload in strings_in(read.json), (url, payload)
    read = client.get(f"/api/v1/patients/{patient_id}", headers=headers)
    assert read.mimetype == "application/json" and read.json["sport"] == payload
    assert read.headers["X-Content-Type-Options"] == "nosniff"


def test_online_booking_pages_e_mail_and_calendar_show_payloads_as_text(client, seeded, attempts):
    for number, payload in enumerate(XSS_PAYLOADS):
        book_online_as(Visit(client, payload, attempts), f"anna{number}@example.nl")


def book_online_as(visit: Visit, email: str) -> None:
    """Book online with the payload in the patient's name and the type's name; read every result."""
    payload = visit.payload
    appointment_type = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
    appointment_type.name_nl = appointment_type.name_en = payload
    db.session.commit()
    week = visit.page("/afspraak/tijd", query_string={"type": "sports_massage_30", "chiropractor": "any"})
    slot = re.findall(r'name="slot" value="([^"]+)"', week)[0]
    form = {"type": "sports_massage_30", "chiropractor": "any", "slot": slot, "first_name": f"{payload} Anna",
            "last_name": f"{payload} Jansen", "date_of_birth": "1990-02-28", "email": email,
            "phone": "06 12345678", "consent": "y"}
    for field in ("type", "chiropractor", "slot", "email", "phone", "date_of_birth", "website"):
        page = visit.post("/afspraak/gegevens", data=form | {field: payload}).get_data(as_text=True)
        assert markup_dangers(page) == [], (field, payload)
    visit.page("/afspraak/", query_string={"type": payload, "chiropractor": payload, "error": payload})
    visit.page("/afspraak/tijd", query_string={"type": "sports_massage_30", "week": payload, "dag": payload,
                                              "slot": payload})
    summary = visit.post("/afspraak/gegevens", data=form).get_data(as_text=True)
    assert markup_dangers(summary) == [], payload
    booked = visit.post("/afspraak/bevestigen", data=form)
    assert booked.headers["Location"].startswith("/afspraak/beheer/"), (payload, "not booked")
    visit.page(booked.headers["Location"], shows_payload=True)
    visit.page(booked.headers["Location"].split("?")[0] + "/verzetten")
    run_mail_worker(current_app)
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == email)).one()
    mail = message_from_string(as_email(message, "clinic@example.nl").as_string())
    assert [part.get_content_type() for part in mail.walk() if not part.is_multipart()] == [
        "text/plain", "text/calendar"]
    assert f"{payload} Anna" in message.body_text  # plain text: shown exactly as typed
    (calendar_file,) = message.attachments
    event = Calendar.from_ical(calendar_file.content).walk("VEVENT")[0]
    assert payload in str(event["SUMMARY"])
    lines = calendar_file.content.replace("\r\n ", "").split("\r\n")
    assert lines.pop() == "" and all(re.match(r"[A-Z-]+[:;]", line) for line in lines), (payload, "broke a line")
