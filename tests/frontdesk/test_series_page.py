"""The front desk's series page: a course booked in one step, dates that are not free shown with
alternatives (nothing typed lost), and the rest of a series cancelled in one step."""
import re
from datetime import time, timedelta

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Appointment
from tests.frontdesk.conftest import TUESDAY, appointment_type, chiropractor, field_error


def series_form(patient, **overrides):
    return {"appointment_type": str(appointment_type("sports_massage_30").id),
            "chiropractor": str(chiropractor("Jarco Schol").id), "first_day": TUESDAY.isoformat(),
            "first_time": "10:00", "course": "twice_weekly_3"} | overrides


def appointments_of(patient) -> list[Appointment]:
    return db.session.scalars(select(Appointment).where(Appointment.patient_id == patient.id)
                              .order_by(Appointment.starts_at)).all()


def test_the_desk_books_a_series_and_cancels_its_rest_in_one_step(client, desk, create_patient):
    patient = create_patient(first_name="Femke")
    form = client.get(f"/frontdesk/patients/{patient.id}/series/new")
    assert form.status_code == 200 and "Twice a week for three weeks" in form.get_data(as_text=True)
    booked = client.post(f"/frontdesk/patients/{patient.id}/series/new", data=series_form(patient))
    assert booked.status_code == 302 and "/frontdesk/series/" in booked.headers["Location"]
    appointments = appointments_of(patient)
    assert [a.starts_at.date().isoformat() for a in appointments] == [
        "2026-12-01", "2026-12-04", "2026-12-08", "2026-12-11", "2026-12-15", "2026-12-18"]
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    assert page.count("/frontdesk/appointments/") == 6 and "Cancel the rest of the series" in page
    assert field_error(client.post(booked.headers["Location"], data={"reason": ""}).get_data(as_text=True),
                       "reason") == "Please fill this in."
    cancelled = client.post(booked.headers["Location"], data={"reason": "Klachten over"})
    assert cancelled.status_code == 302
    assert {a.status for a in appointments_of(patient)} == {"cancelled"}


def test_dates_that_are_not_free_are_listed_with_alternatives_and_the_form_keeps_what_was_typed(
    client, desk, book, create_patient
):
    book(TUESDAY + timedelta(days=7), time(10, 0), chiropractor_name="Jarco Schol", code="sports_massage_30")
    patient = create_patient(first_name="Femke")
    response = client.post(f"/frontdesk/patients/{patient.id}/series/new",
                           data=series_form(patient, course="weekly_4"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "1 date of the series is not free" in page and "Tuesday, December 8, 2026, 10:00" in page
    assert "Free nearby:" in page and "That time overlaps another appointment." in page
    assert re.search(r'<input[^>]*name="first_time"[^>]*value="10:00"', page)
    assert re.search(r'<option selected value="weekly_4">', page)
    assert db.session.scalar(select(func.count()).select_from(Appointment).where(
        Appointment.patient_id == patient.id)) == 0
