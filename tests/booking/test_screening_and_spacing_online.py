"""Online booking of a type that needs a current screening, and of one with a spacing rule (issue 14).

A type that needs a screening answers every visitor alike, on the pages and in the API; only a
matched patient whose screening is current gets the link that books it. A spacing rule refuses
a time too close to the patient's other appointment of the type without saying when that is.
"""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, AppointmentType, PatientReadinessProfile
from tests.booking.test_booking_pages import first_slot
from tests.booking.test_booking_privacy import PATIENT, answer, api_body, count, emailed_links, free_api_start, page_form

SCREENED = PATIENT
NOT_SCREENED = PATIENT | {"first_name": "Daan", "email": "daan@example.nl", "date_of_birth": "1985-02-03"}
UNKNOWN = PATIENT | {"email": "nobody@example.nl"}


def type_with(code: str, **settings) -> AppointmentType:
    found = db.session.scalar(select(AppointmentType).where(AppointmentType.code == code))
    for name, value in settings.items():
        setattr(found, name, value)
    db.session.commit()
    return found


@pytest.fixture
def patients(clinic, create_patient):
    """Sanne, screened last month (current), and Daan, a patient who was never screened."""
    sanne = create_patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17),
                           email="sanne@example.nl")
    daan = create_patient(first_name="Daan", last_name="de Vries", date_of_birth=date(1985, 2, 3),
                          email="daan@example.nl")
    db.session.add(PatientReadinessProfile(patient_id=sanne.id, screened_at=utcnow() - timedelta(days=30),
                                           screening_due_on=(to_local(utcnow()) + timedelta(days=150)).date()))
    db.session.commit()
    type_with("decompression", online_needs_screening=True)
    return sanne, daan


def test_a_type_needing_a_screening_answers_every_visitor_alike_and_mails_only_the_screened_patient(
    client, patients
):
    sanne, _daan = patients
    slot = first_slot(client, type_code="decompression", days_ahead=3)
    page_answers = {answer(client.post("/afspraak/bevestigen", data=page_form(slot, visitor, "decompression")))
                    for visitor in (SCREENED, NOT_SCREENED, UNKNOWN)}
    start = free_api_start(client, "decompression")
    api_answers = {answer(client.post("/api/v1/bookings", json=api_body(start, visitor, "decompression")))
                   for visitor in (SCREENED, NOT_SCREENED, UNKNOWN)}
    assert len(page_answers) == 1 and len(api_answers) == 1
    assert count(Appointment) == 0
    links = emailed_links()
    assert [address for address, _path in links] == ["sanne@example.nl", "sanne@example.nl"]
    booked = client.post(links[0][1])
    assert booked.status_code == 302
    assert db.session.scalar(select(Appointment.patient_id)) == sanne.id


def test_the_link_books_nothing_once_the_screening_is_due(client, patients):
    sanne, _daan = patients
    client.post("/afspraak/bevestigen", data=page_form(first_slot(client, type_code="decompression", days_ahead=3),
                                                       SCREENED, "decompression"))
    profile = db.session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == sanne.id))
    profile.screening_due_on = to_local(utcnow()).date()
    db.session.commit()
    refused = client.post(emailed_links()[0][1])
    assert refused.status_code == 409 and "screening" in refused.get_data(as_text=True).lower()
    assert count(Appointment) == 0


def test_a_time_too_close_to_the_patients_other_appointment_is_refused_without_saying_when(client, patients):
    type_with("dry_needling", min_hours_apart=48)
    first = free_api_start(client, "dry_needling")
    assert client.post("/api/v1/bookings", json=api_body(first, SCREENED, "dry_needling")).status_code == 201
    next_day = (datetime.fromisoformat(first) + timedelta(days=1)).isoformat()
    response = client.post("/api/v1/bookings", json=api_body(next_day, SCREENED, "dry_needling"))
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "spacing_too_short" and "other_appointment" not in error
    assert first[11:16] not in error["message"]
    # Anyone else gets the time.
    assert client.post("/api/v1/bookings", json=api_body(next_day, UNKNOWN, "dry_needling")).status_code == 201


def test_the_manage_page_offers_only_moves_that_keep_the_spacing(client, patients):
    type_with("dry_needling", min_hours_apart=48)
    first = free_api_start(client, "dry_needling")
    assert client.post("/api/v1/bookings", json=api_body(first, SCREENED, "dry_needling")).status_code == 201
    first_start = datetime.fromisoformat(first)
    later = free_api_start(client, "dry_needling", days_ahead=10)
    token = client.post("/api/v1/bookings", json=api_body(later, SCREENED, "dry_needling")).json["manage_url"]
    day_after = (first_start + timedelta(days=1)).date().isoformat()
    page = client.get(f"/afspraak/beheer/{token.rsplit('/', 1)[1]}/verzetten",
                      query_string={"week": first_start.date().isoformat(), "dag": day_after})
    offered = [datetime.fromisoformat(value.split("@")[1])
               for value in re.findall(r'name="slot" value="([^"]+)"', page.get_data(as_text=True))]
    assert offered and all(abs(start - first_start) >= timedelta(hours=48) for start in offered)
