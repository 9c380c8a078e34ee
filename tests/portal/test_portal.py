"""The patient portal: logging in by e-mailed link, one's own appointments, the training log."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from flask import current_app
from sqlalchemy import func, select

from clinic.extensions import db
from clinic.localtime import combine
from clinic.models import (
    AccessAction, Appointment, AppointmentType, BookingSource, Chiropractor, OutboxMessage, Role, TrainingSession, User,
    WellnessCheckIn,
)
from clinic.scheduling import STAFF_POLICY
from clinic.services.accounts import create_user
from clinic.services.booking import book_appointment
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD
from tests.mail_server import run_mail_worker

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
LINK = re.compile(r"https?://[^/\s]+(/(?:portaal/inloggen|en/portal/login)/[\w-]+)")
SANNE = {"email": "sanne@example.nl", "date_of_birth": "1990-05-17"}


@pytest.fixture
def clinic(app, clock):
    clock.set(NOW)
    seed_clinic(db.session)
    db.session.commit()


@pytest.fixture
def sanne(clinic, create_patient):
    return create_patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17),
                          email="sanne@example.nl")


def book(patient, day: date, at: time, code: str = "sports_massage_30") -> Appointment:
    appointment = book_appointment(
        db.session, patient=patient, appointment_type=db.session.query(AppointmentType).filter_by(code=code).one(),
        starts_at=combine(day, at), chiropractor_id=db.session.query(Chiropractor).first().id,
        source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    return appointment


def emailed_links() -> list[str]:
    run_mail_worker(current_app)
    return [match for message in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            for match in LINK.findall(message.body_text)]


def logged_in(client, patient_details=SANNE) -> str:
    """Ask for a link and use it; return the link."""
    client.post("/portaal/inloggen", data=patient_details)
    link = emailed_links()[-1]
    assert client.post(link).status_code == 302
    return link


def test_known_details_get_a_login_link_and_unknown_ones_the_same_answer(client, sanne):
    known = client.post("/portaal/inloggen", data=SANNE, follow_redirects=True)
    unknown = client.post("/portaal/inloggen", data={**SANNE, "date_of_birth": "1990-05-18"}, follow_redirects=True)
    stranger = client.post("/portaal/inloggen", data={**SANNE, "email": "nobody@example.nl"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == stranger.status_code == 200
    assert known.get_data() == unknown.get_data() == stranger.get_data()
    messages = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.to_address, m.kind) for m in messages] == [("sanne@example.nl", "portal_login_link")]
    assert "Gebruik deze link om in te loggen bij MoveWell" in messages[0].body_text


def test_the_login_form_explains_what_is_missing_and_keeps_what_was_typed(client, sanne):
    response = client.post("/portaal/inloggen", data={"email": "sanne@example", "date_of_birth": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="sanne@example"' in page and page.count('class="error"') == 2
    assert emailed_links() == []


def test_a_link_logs_in_once_after_pressing_the_button(app, client, sanne):
    book(sanne, date(2026, 12, 3), time(10, 0))
    client.post("/portaal/inloggen", data=SANNE)
    link = emailed_links()[0]
    # Opening the link (a mail scanner does) does not use it up.
    assert client.get(link).status_code == 200
    assert client.get("/portaal/").status_code == 302
    response = client.post(link)
    assert response.status_code == 302 and response.headers["Location"] == "/portaal/"
    home = client.get("/portaal/").get_data(as_text=True)
    assert "Hallo Sanne" in home and "donderdag 3 december 2026, 10:00" in home

    account = db.session.get(User, sanne.user_id)
    assert account.role == "patient" and account.email == "sanne@example.nl"
    # The admin's accounts list shows when a patient last used the portal.
    assert account.last_login_at is not None
    other_browser = app.test_client()
    used = other_browser.post(link)
    assert used.status_code == 410 and "Deze link is al gebruikt" in used.get_data(as_text=True)


def test_a_link_expires_after_half_an_hour(client, sanne, clock):
    client.post("/portaal/inloggen", data=SANNE)
    clock.advance(minutes=30)
    assert client.get(emailed_links()[0]).status_code == 410
    expired = client.post(emailed_links()[0])
    assert expired.status_code == 410 and "Deze link is verlopen" in expired.get_data(as_text=True)
    assert sanne.user_id is None


def test_the_booking_confirmation_invites_the_patient_into_the_portal(client, clinic):
    details = {"type": "sports_massage_30", "chiropractor": "any",
               "slot": f"1@{combine(date(2026, 12, 2), time(9, 0)).isoformat()}", "first_name": "Zoë",
               "last_name": "Jansen", "date_of_birth": "1992-03-04", "email": "zoe@example.nl",
               "phone": "06 12345678", "consent": "y"}
    assert client.post("/en/book/confirm", data=details).status_code == 302
    run_mail_worker(client.application)
    confirmation = db.session.scalar(select(OutboxMessage))
    assert "In your MoveWell portal you see all your appointments" in confirmation.body_text
    invitation = LINK.search(confirmation.body_text).group(1)
    assert invitation.startswith("/en/portal/login/")
    assert client.post(invitation).headers["Location"] == "/en/portal/"
    home = client.get("/en/portal/").get_data(as_text=True)
    assert "Hello Zoë" in home and "Upcoming appointments" in home


def test_only_the_patient_gets_in(client, sanne, login_as):
    assert client.get("/portaal/").headers["Location"] == "/portaal/inloggen"
    assert client.get("/portaal/training/nieuw").headers["Location"] == "/portaal/inloggen"
    login_as(Role.FRONTDESK)
    assert client.get("/portaal/").status_code == 403


def test_a_patient_opens_their_own_appointment_and_nobody_elses(client, sanne, create_patient):
    mine = book(sanne, date(2026, 12, 3), time(10, 0))
    bram = create_patient(first_name="Bram", last_name="Jansen", email="bram@example.nl")
    theirs = book(bram, date(2026, 12, 3), time(11, 0))
    logged_in(client)
    home = client.get("/portaal/").get_data(as_text=True)
    assert "Bram" not in home
    for appointment_id in (theirs.id, 999_999):
        assert client.post(f"/portaal/afspraken/{appointment_id}/wijzigen").status_code == 404
    opened = client.post(f"/portaal/afspraken/{mine.id}/wijzigen")
    assert opened.status_code == 302 and opened.headers["Location"].startswith("/afspraak/beheer/")
    manage = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Verzetten naar een ander tijdstip" in manage or "Afspraak annuleren" in manage


def test_an_appointment_too_close_to_change_says_to_call(client, sanne, clock):
    book(sanne, date(2026, 11, 30), time(16, 0))
    logged_in(client)
    home = client.get("/portaal/").get_data(as_text=True)
    assert "Te kort van tevoren om online te wijzigen; belt u ons op" in home
    assert "Verzetten of annuleren" not in home


def test_a_patient_logs_training_and_a_check_in(client, sanne):
    logged_in(client)
    saved = client.post("/portaal/training/nieuw", data={
        "ended_on": "2026-11-29", "ended_time": "18:30", "duration_minutes": "75", "rpe": "7", "kind": "hockey",
    })
    assert saved.status_code == 302
    client.post("/portaal/check-in/nieuw", data={"day": "2026-11-30", "sleep": "2", "fatigue": "4", "stress": "3",
                                                 "soreness": "5", "doms": "4", "doms_region": "kuiten"})
    session_row = db.session.scalar(select(TrainingSession))
    check_in = db.session.scalar(select(WellnessCheckIn))
    assert (session_row.duration_minutes, session_row.rpe, session_row.kind) == (75, 7, "hockey")
    assert session_row.entered_by_id == sanne.user_id and check_in.entered_by_id == sanne.user_id
    assert (check_in.soreness, check_in.doms_region) == (5, "kuiten")
    home = client.get("/portaal/").get_data(as_text=True)
    assert "hockey" in home and "Laatste check-in: maandag 30 november 2026." in home


def test_wrong_training_input_is_explained_and_nothing_is_stored(client, sanne):
    logged_in(client)
    response = client.post("/portaal/training/nieuw", data={
        "ended_on": "2026-11-29", "ended_time": "18:30", "duration_minutes": "-5", "rpe": "7", "kind": "hockey",
    })
    assert response.status_code == 422
    assert 'value="hockey"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 0


def test_logging_out_ends_the_session_everywhere(app, client, sanne):
    logged_in(client)
    cookie = client.get_cookie("session").value
    assert client.post("/portaal/uitloggen").headers["Location"] == "/"
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/portaal/").status_code == 302


def test_an_email_already_used_by_a_staff_account_cannot_log_in(client, sanne):
    create_user(db.session, "sanne@example.nl", PASSWORD, Role.FRONTDESK)
    db.session.commit()
    client.post("/portaal/inloggen", data=SANNE)
    response = client.post(emailed_links()[0])
    assert response.status_code == 409
    assert "Een ander account gebruikt dit e-mailadres al" in response.get_data(as_text=True)


def test_the_portal_pages_are_not_cached(client, sanne):
    logged_in(client)
    assert client.get("/portaal/").headers["Cache-Control"] == "no-store"


def test_a_patient_downloads_their_data_and_sees_who_opened_their_record(client, sanne, create_account):
    from clinic.models import AccessLogEntry, RecordPart
    from clinic.services.access_log import Requester, record_access

    chiropractor = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    chiropractor.user = create_account(Role.CHIROPRACTOR, chiropractor=chiropractor)
    desk = create_account(Role.FRONTDESK)
    for user in (chiropractor.user, desk):
        record_access(db.session, Requester(user, "192.0.2.7", user.role), sanne.id, AccessAction.READ,
                      RecordPart.PATIENT, sanne.id)
    db.session.commit()
    logged_in(client)

    page = client.get("/portaal/mijn-gegevens").get_data(as_text=True)
    assert "Tijn Kooren (chiropractor)" in page and "Balie" in page
    assert page.count("<tr>") == 3  # the header and the two members of staff, not Sanne's own visits

    data = client.get("/portaal/mijn-gegevens.json")
    assert data.headers["Content-Disposition"].startswith("attachment;") and data.headers["Cache-Control"] == "no-store"
    assert data.json["patient"]["first_name"] == "Sanne"
    summary = client.get("/portaal/mijn-gegevens.html")
    assert summary.mimetype == "text/html" and "Sanne" in summary.get_data(as_text=True)
    exported = db.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "export")).all()
    assert [(row.user_id, row.role) for row in exported] == [(sanne.user_id, "patient")] * 2


def test_the_patient_turns_reminders_off_and_on_in_the_portal(client, sanne):
    from clinic.services.patient_messages import reminders_wanted

    logged_in(client)
    assert "Herinneringen uitzetten" in client.get("/portaal/").get_data(as_text=True)
    assert client.post("/portaal/herinneringen", data={"wanted": "0"}).headers["Location"] == "/portaal/"
    assert not reminders_wanted(db.session, sanne)
    assert "Herinneringen aanzetten" in client.get("/portaal/").get_data(as_text=True)
    client.post("/portaal/herinneringen", data={"wanted": "1"})
    assert reminders_wanted(db.session, sanne)


def test_the_training_form_leaves_effort_and_kind_for_the_patient_to_fill_in(client, sanne):
    logged_in(client)
    page = client.get("/portaal/training/nieuw").get_data(as_text=True)
    assert '<option selected value="">Kies…</option>' in page
    assert 'name="kind" required type="text" value=""' in page
    unanswered = client.post("/portaal/training/nieuw", data={
        "ended_on": "2026-11-29", "ended_time": "18:30", "duration_minutes": "60", "rpe": "", "kind": ""})
    assert unanswered.status_code == 422
    assert unanswered.get_data(as_text=True).count("Vul dit in.") == 2
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 0


def test_the_check_in_asks_two_different_questions_about_soreness(client, sanne):
    logged_in(client)
    page = client.get("/portaal/check-in/nieuw").get_data(as_text=True)
    labels = re.findall(r'<label for="(?:soreness|doms)">([^<]*)</label>', page)
    assert labels == ["Spierpijn, in het algemeen", "Pijnlijkste plek na het trainen, 0–10"]
    assert "heel, heel" not in page and "1 = uitstekend … 7 = heel slecht" in page


def test_who_opened_the_record_is_one_line_per_day_and_person_and_paged(client, sanne, create_account, clock):
    from clinic.models import RecordPart
    from clinic.services.access_log import Requester, record_access
    from clinic.services.portal import VISIT_DAYS_PER_PAGE

    chiropractor = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    chiropractor.user = create_account(Role.CHIROPRACTOR, chiropractor=chiropractor)
    desk = create_account(Role.FRONTDESK)
    start = clock.now
    # An afternoon of a chiropractor reading the record: five times, the file and a note.
    for minutes, part in ((0, RecordPart.PATIENT), (5, RecordPart.TREATMENT_NOTE), (9, RecordPart.PATIENT),
                          (30, RecordPart.PATIENT), (62, RecordPart.TREATMENT_NOTE)):
        clock.set(start + timedelta(minutes=minutes))
        record_access(db.session, Requester(chiropractor.user, "192.0.2.7", "chiropractor"), sanne.id,
                      AccessAction.READ, part, sanne.id)
    # The desk, once a day for more days than a page holds.
    for days in range(1, VISIT_DAYS_PER_PAGE + 3):
        clock.set(start - timedelta(days=days))
        record_access(db.session, Requester(desk, "192.0.2.8", "frontdesk"), sanne.id, AccessAction.READ,
                      RecordPart.PATIENT, sanne.id)
    db.session.commit()
    clock.set(start + timedelta(hours=2))
    logged_in(client)

    first = client.get("/portaal/mijn-gegevens").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", first, re.S)[1:]
    assert len(rows) == VISIT_DAYS_PER_PAGE
    assert "Tijn Kooren" in rows[0] and "5 keer" in rows[0] and "Ingezien: behandelnotitie, contactgegevens" in rows[0]
    assert all("Balie" in row for row in rows[1:])
    assert "Pagina 1 van 2" in first and "?pagina=2" in first
    second = client.get("/portaal/mijn-gegevens?pagina=2").get_data(as_text=True)
    assert len(re.findall(r"<tr>", second)) - 1 == 3 and "Pagina 2 van 2" in second
    english = client.get("/en/portal/my-data?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in english and "?page=1" in english
