"""The front desk booking decompression while another chiropractor has the table then."""
from datetime import time

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment
from tests.frontdesk.conftest import TUESDAY, field_error
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
