"""A chiropractor's day: their own appointments of a date, each with the readiness at its start, alerts and the note."""
from __future__ import annotations

from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.models import Chiropractor, Role, TreatmentNote
from clinic.services import alerts, my_day, readiness
from clinic.services.readiness import NewCheckIn, ScreeningUpdate, record_check_in, update_screening
from clinical_builders import add_appointment, local
from tests.conftest import log_in

# A Wednesday in June; the appointments are the next day, so nothing depends on when the tests run.
NOW = local(2026, 6, 10, 8)
TOMORROW = NOW.date() + timedelta(days=1)


@pytest.fixture
def day(clock, clinic, create_account, create_patient):
    """The clock at NOW; a chiropractor with two patients tomorrow (one cancelled), and a colleague's appointment."""
    clock.set(NOW)
    user = create_account(Role.CHIROPRACTOR)
    mine = my_day.chiropractor_of(db.session, user)
    colleague = db.session.query(Chiropractor).filter(Chiropractor.id != mine.id).first()
    sanne, piet = create_patient(), create_patient(first_name="Piet", last_name="Jansen")
    update_screening(db.session, piet, ScreeningUpdate(flags={}), checked_by=user, now=NOW)
    appointments = {
        "afternoon": add_appointment(sanne, local(2026, 6, 11, 15), chiropractor=mine),
        "morning": add_appointment(piet, local(2026, 6, 11, 9), chiropractor=mine),
        "cancelled": add_appointment(piet, local(2026, 6, 11, 11), chiropractor=mine, status="cancelled"),
        "colleague": add_appointment(sanne, local(2026, 6, 11, 10), chiropractor=colleague),
        "other_day": add_appointment(sanne, local(2026, 6, 12, 9), chiropractor=mine),
    }
    db.session.commit()
    return user, mine, sanne, piet, appointments


def test_the_day_lists_only_my_appointments_of_that_date_by_start(day):
    user, mine, _, _, appointments = day
    rows = my_day.day_of(db.session, mine, TOMORROW)
    assert [row.appointment for row in rows] == [appointments[name] for name in ("morning", "cancelled", "afternoon")]


def test_readiness_is_evaluated_once_per_appointment_at_its_start(day, monkeypatch):
    user, mine, _, _, appointments = day
    instants = []
    evaluate = readiness.evaluate_readiness
    monkeypatch.setattr(readiness, "evaluate_readiness",
                        lambda session, patient, at: instants.append(at) or evaluate(session, patient, at))
    rows = my_day.day_of(db.session, mine, TOMORROW)
    # The cancelled appointment takes no evaluation and offers no note to write.
    assert instants == [appointments["morning"].starts_at, appointments["afternoon"].starts_at]
    assert [row.takes_place for row in rows] == [True, False, True]
    assert [row.readiness.at for row in rows if row.takes_place] == instants


def test_the_alerts_name_a_missing_screening_and_a_reported_red_flag(day):
    user, mine, sanne, piet, _ = day
    record_check_in(db.session, piet, NewCheckIn(NOW.date(), complaints={"fever": NOW.date()}), entered_by=None,
                    today=NOW.date())
    db.session.commit()
    found = {row.appointment.patient.first_name: [(alert.kind.value, alert.detail) for alert in found]
             for row, found in alerts.day_with_alerts(db.session, mine, TOMORROW) if row.takes_place}
    assert found["Sanne"] == [("screening", "missing")]
    assert found["Piet"] == [("reported_red_flag", "fever")]  # screened: no screening alert


# The pages ---------------------------------------------------------------------------------------


@pytest.fixture
def logged_in(client, day):
    user = day[0]
    response = log_in(client, user.email)
    client.get("/taal/en")
    return response, day


def test_a_chiropractor_lands_on_today_and_picks_another_date(client, logged_in):
    login, (_, _, _, _, appointments) = logged_in
    assert login.headers["Location"].endswith("/clinical/my-day")
    assert "You have no appointments on this day." in client.get("/clinical/my-day").get_data(as_text=True)

    page = client.get(f"/clinical/my-day?date={TOMORROW.isoformat()}").get_data(as_text=True)
    assert page.count("Write note") == 2  # not for the cancelled one
    assert f"/clinical/appointments/{appointments['morning'].id}/note" in page
    assert f"/clinical/appointments/{appointments['colleague'].id}" not in page
    assert "Adaptation phase (after 72 h)" in page and "Never screened" in page
    assert client.get("/clinical/my-day?date=11-06-2026x").status_code == 400


def test_a_written_note_is_opened_from_the_day_and_the_appointment_page(client, logged_in):
    _, (user, _, sanne, _, appointments) = logged_in
    afternoon = appointments["afternoon"]
    response = client.post(f"/clinical/appointments/{afternoon.id}/note",
                           data={"subjective": "Stijve kuiten"})
    note = db.session.query(TreatmentNote).filter_by(appointment_id=afternoon.id).one_or_none()
    assert note is not None, response.get_data(as_text=True)[:2000]

    page = client.get(f"/clinical/my-day?date={TOMORROW.isoformat()}").get_data(as_text=True)
    assert f"/clinical/notes/{note.id}" in page and page.count("Write note") == 1
    appointment_page = client.get(f"/clinical/appointments/{afternoon.id}").get_data(as_text=True)
    assert f"/clinical/patients/{sanne.id}" in appointment_page and f"/clinical/notes/{note.id}" in appointment_page
