"""The day view keeps each day's timeline until the schedule changes: never a stale one, never
another language's."""
from datetime import time

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.frontdesk import routes
from clinic.localtime import combine
from clinic.models import AppointmentAction, BookingSource, ScheduleRevision, TimeOff
from clinic.services.booking import change_status
from tests.frontdesk.conftest import NOW, TUESDAY, appointment_type, chiropractor, text_of
from tests.frontdesk.test_day_and_week import booking_link

DAY_URL = "/frontdesk/?date=2026-12-01"


@pytest.fixture
def layouts(monkeypatch):
    """Count the times the day view lays out a timeline."""
    counted = []

    def build_board(agendas):
        counted.append(agendas)
        return real_build_board(agendas)

    real_build_board = routes.build_board
    monkeypatch.setattr(routes, "build_board", build_board)
    return counted


def revision() -> int:
    return db.session.scalar(select(ScheduleRevision.value))


def test_a_day_is_laid_out_once_until_the_schedule_changes(client, desk, book, layouts):
    first = book(TUESDAY, time(9, 30))
    for _ in range(3):
        assert booking_link(client.get(DAY_URL).get_data(as_text=True), first).startswith("09:30–09:50")
    assert len(layouts) == 1

    second = book(TUESDAY, time(11, 0))
    page = client.get(DAY_URL).get_data(as_text=True)
    assert booking_link(page, second).startswith("11:00–11:20")
    assert len(layouts) == 2
    # Another day is a timeline of its own.
    client.get("/frontdesk/?date=2026-12-02")
    assert len(layouts) == 3


def test_a_status_change_shows_at_once(client, desk, book):
    appointment = book(TUESDAY, time(9, 30))
    assert 'class="cancelled-list"' not in client.get(DAY_URL).get_data(as_text=True)
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="Ill")
    db.session.commit()
    page = client.get(DAY_URL).get_data(as_text=True)
    assert f'<a class="booking status-booked is-short" href="/frontdesk/appointments/{appointment.id}">' not in page
    assert 'class="cancelled-list"' in page


def test_a_patients_new_name_shows_at_once(client, desk, book, create_patient):
    patient = create_patient(first_name="Noor", last_name="Bakker")
    appointment = book(TUESDAY, time(9, 30), patient=patient)
    assert "Noor Bakker" in booking_link(client.get(DAY_URL).get_data(as_text=True), appointment)
    patient.last_name = "Bakker-Visser"
    db.session.commit()
    assert "Noor Bakker-Visser" in booking_link(client.get(DAY_URL).get_data(as_text=True), appointment)


def test_time_off_and_names_of_chiropractors_and_types_show_at_once(client, desk, book):
    appointment = book(TUESDAY, time(9, 30))
    client.get(DAY_URL)
    desiree = chiropractor("Desiree Griesel")
    db.session.add(TimeOff(chiropractor_id=desiree.id, starts_at=combine(TUESDAY, time(13, 30)),
                           ends_at=combine(TUESDAY, time(17, 30)), reason="Course"))
    db.session.commit()
    assert "Away from 13:30 to 17:30" in text_of(client.get(DAY_URL))

    desiree.name = "Desiree Griesel-Kooren"
    appointment_type("follow_up").name_en = "Follow-up visit"
    db.session.commit()
    page = client.get(DAY_URL).get_data(as_text=True)
    assert "<h2>Desiree Griesel-Kooren</h2>" in page
    assert "Follow-up visit" in booking_link(page, appointment)


def test_each_language_has_its_own_timeline(client, desk, book):
    appointment = book(TUESDAY, time(9, 30))
    english = booking_link(client.get(DAY_URL).get_data(as_text=True), appointment)
    dutch = booking_link(client.get(DAY_URL, headers={"Accept-Language": "nl"}).get_data(as_text=True), appointment)
    assert english.endswith("Chiropractic follow-up Booked")
    assert dutch.endswith("Chiropractische vervolgbehandeling Geboekt")
    assert booking_link(client.get(DAY_URL).get_data(as_text=True), appointment) == english


def test_only_a_patients_name_raises_the_schedule_revision(app, create_patient):
    patient = create_patient(first_name="Noor", last_name="Bakker")
    start = revision()
    patient.phone = "+31612345678"
    patient.sport = "Hockey"
    db.session.commit()
    assert revision() == start
    patient.first_name = "Noortje"
    db.session.commit()
    assert revision() > start
