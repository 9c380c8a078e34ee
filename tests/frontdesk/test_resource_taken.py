"""The front desk booking decompression while another chiropractor has the table then, or a
treatment too soon after the patient's previous one of the type."""
from datetime import time, timedelta

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment
from tests.frontdesk.conftest import TUESDAY, appointment_type, field_error
from tests.frontdesk.test_booking_flow import booking_data


def test_the_table_taken_by_another_chiropractor_is_explained_next_to_the_time(client, desk, book, create_patient):
    book_at = time(10, 0)
    book(TUESDAY, book_at, chiropractor_name="Jarco Schol",
         code="decompression")
    patient = create_patient(first_name="Femke")
    response = client.post("/frontdesk/book/confirm", data=booking_data(patient, code="decompression", at=book_at))
    assert response.status_code == 409
    assert field_error(response.get_data(as_text=True), "start") == (
        "The equipment this treatment needs has just been taken at that time. Please choose another time below."
    )
    assert db.session.scalar(select(db.func.count(Appointment.id))) == 1


def test_a_treatment_too_soon_after_the_previous_one_names_that_appointment(client, desk, book, create_patient):
    needling = appointment_type("dry_needling")
    needling.min_hours_apart = 48
    db.session.commit()
    patient = create_patient(first_name="Femke")
    book(TUESDAY - timedelta(days=1), time(15, 0), chiropractor_name="Jarco Schol", code="dry_needling",
         patient=patient)
    response = client.post("/frontdesk/book/confirm", data=booking_data(patient, code="dry_needling", at=time(10, 0)))
    assert response.status_code == 409
    assert field_error(response.get_data(as_text=True), "start") == (
        "At least 48 hours must lie between two of these treatments: the patient has one on "
        "Monday, November 30, 2026 at 15:00 with Jarco Schol."
    )
