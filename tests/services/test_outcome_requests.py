"""The outcome measures asked by e-mail before a visit of an open care episode: queued once by the
mail worker a set time ahead (by the app clock), answered through a link that works once, stored with
the episode as the patient entered them."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from clinic.errors import NotFound
from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, CareEpisode, MessageKind, OutboxMessage, OutcomeMeasurement
from clinic.outcomes.measures import RegionQuestionnaire
from clinic.services import episodes
from clinic.services.booking import change_status
from clinic.services.outcome_requests import issue_outcome_link, queue_due_outcome_requests, valid_outcome_link
from clinic.services.patient_messages import set_reminders_wanted
from tests.mail_server import run_mail_worker
from tests.services.conftest import NOW
from tests.services.test_patient_mail import THURSDAY_1400, TUESDAY_0900, book_at_desk, subject

FORM_LINK = re.compile(r"http://localhost(/(?:afspraak/klachtenvragen|en/book/complaint-questions)/[\w-]+)")
LEAD = timedelta(hours=48)


@pytest.fixture
def sanne(clinic, clock, create_patient):
    clock.set(NOW)
    return create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")


def visit_for_complaint(patient, appointment_type, starts_at=THURSDAY_1400, episode=None):
    """Book a follow-up at ``starts_at`` for the patient's (new) knee episode."""
    appointment = book_at_desk(patient, lambda: appointment_type("follow_up"), starts_at)
    episode = episode or episodes.open_episode(db.session, patient, episodes.NewEpisode(1, "knie rechts",
                                                                                       date(2026, 11, 1)),
                                               by=None, now=NOW)
    episodes.assign_appointment(db.session, appointment, episode)
    db.session.commit()
    return appointment


def requests() -> list[OutboxMessage]:
    return db.session.query(OutboxMessage).filter_by(kind=MessageKind.OUTCOME_MEASURES.value).all()


def form_path(mail) -> str:
    return FORM_LINK.search(mail.get_body(("plain",)).get_content()).group(1)


def test_the_request_goes_once_two_days_ahead_and_its_form_works_once(
    app, sanne, appointment_type, clock, smtp_inbox, client
):
    appointment = visit_for_complaint(sanne, appointment_type)
    clock.set(appointment.starts_at - LEAD - timedelta(seconds=1))
    run_mail_worker(app)
    assert requests() == []
    clock.set(appointment.starts_at - LEAD)
    run_mail_worker(app)
    run_mail_worker(app)

    (queued,) = requests()
    assert queued.status == "sent"
    (mail,) = [m for m in smtp_inbox.to("sanne@example.nl") if "klacht" in subject(m)]
    assert subject(mail) == "Hoe gaat het met uw klacht? Een paar vragen voor uw afspraak"
    assert str(mail["List-Unsubscribe"]).strip().startswith("<http://localhost/afspraak/herinneringen-uit/")
    assert "knie rechts" in mail.get_body(("plain",)).get_content()

    path = form_path(mail)
    shown = client.get(path)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert "Hoe gaat het met uw klacht?" in shown.get_data(as_text=True)
    refused = client.post(path, data={"pain": "", "activity_1": "Hardlopen", "activity_score_1": "3"})
    assert refused.status_code == 422
    assert "Hardlopen" in refused.get_data(as_text=True)  # nothing the patient typed is lost
    answered = client.post(path, data={"pain": "6", "activity_1": "Hardlopen", "activity_score_1": "3"})
    assert answered.status_code == 200
    assert "uw antwoorden zijn bewaard" in answered.get_data(as_text=True)
    stored = db.session.query(OutcomeMeasurement).order_by(OutcomeMeasurement.measure).all()
    assert [(m.measure, m.score, m.entered_by, m.appointment_id) for m in stored] == [
        ("nprs", 6, "patient", appointment.id), ("psk", 3, "patient", appointment.id)]
    assert client.get(path).status_code == 410
    assert client.post(path, data={"pain": "2"}).status_code == 410
    assert db.session.query(OutcomeMeasurement).count() == 2


def test_the_request_is_in_english_for_an_english_speaking_patient(app, sanne, appointment_type, clock, smtp_inbox,
                                                                   client):
    sanne.preferred_language = "en"
    appointment = visit_for_complaint(sanne, appointment_type)
    clock.set(appointment.starts_at - LEAD)
    run_mail_worker(app)
    mail = smtp_inbox.messages[-1]
    assert subject(mail) == "How is your complaint? A few questions before your visit"
    path = form_path(mail)
    assert path.startswith("/en/book/complaint-questions/")
    assert "How is your complaint?" in client.get(path).get_data(as_text=True)


def test_the_linked_form_asks_the_lefs_the_chiropractor_chose_and_stores_it_with_the_visit(
    app, sanne, appointment_type, clock, smtp_inbox, client
):
    knee = episodes.open_episode(db.session, sanne, episodes.NewEpisode(
        1, "knie rechts", date(2026, 11, 1), region_questionnaire=RegionQuestionnaire.LEFS), by=None, now=NOW)
    appointment = visit_for_complaint(sanne, appointment_type, episode=knee)
    clock.set(appointment.starts_at - LEAD)
    run_mail_worker(app)
    path = form_path(smtp_inbox.messages[-1])
    assert client.get(path).get_data(as_text=True).count('type="radio"') == 100

    answers = {f"lefs_{number}": "2" for number in range(1, 21)}
    refused = client.post(path, data={"pain": "5"} | answers | {"lefs_7": ""})
    assert refused.status_code == 422 and refused.get_data(as_text=True).count("Vul dit in.") == 1
    assert client.post(path, data={"pain": "5"} | answers).status_code == 200
    lefs = db.session.query(OutcomeMeasurement).filter_by(measure="lefs").one()
    assert (lefs.score, lefs.appointment_id, len(lefs.answers)) == (40, appointment.id, 20)


def test_no_request_for_a_cancelled_or_past_visit_a_closed_episode_or_a_patient_who_turned_them_off(
    app, sanne, appointment_type, create_patient
):
    cancelled = visit_for_complaint(sanne, appointment_type)
    change_status(db.session, cancelled, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="ill")
    past = visit_for_complaint(sanne, appointment_type, starts_at=TUESDAY_0900)
    closed = visit_for_complaint(sanne, appointment_type, starts_at=THURSDAY_1400 + timedelta(hours=1))
    episodes.close_episode(db.session, db.session.get(CareEpisode, closed.episode_id), "Klachtenvrij",
                           now=NOW)
    book_at_desk(sanne, lambda: appointment_type("follow_up"), THURSDAY_1400 + timedelta(hours=2))  # no episode
    noor = create_patient(first_name="Noor", email="noor@example.nl")
    visit_for_complaint(noor, appointment_type, starts_at=THURSDAY_1400 + timedelta(hours=3))
    set_reminders_wanted(db.session, noor, False)
    # Wednesday evening: every visit above is within two days, Tuesday's is over.
    wednesday = THURSDAY_1400 - timedelta(hours=18)
    assert past.starts_at < wednesday
    assert queue_due_outcome_requests(db.session, wednesday, LEAD) == 0
    set_reminders_wanted(db.session, noor, True)
    assert queue_due_outcome_requests(db.session, wednesday, LEAD) == 1
    assert queue_due_outcome_requests(db.session, wednesday, LEAD) == 0


def test_the_database_keeps_one_request_per_appointment(app, sanne, appointment_type):
    appointment = visit_for_complaint(sanne, appointment_type)
    assert queue_due_outcome_requests(db.session, appointment.starts_at - LEAD, LEAD) == 1
    # A second worker that read before the first one wrote inserts its own row: the database refuses it.
    db.session.add(OutboxMessage(kind=MessageKind.OUTCOME_MEASURES.value, to_address=sanne.email,
                                 appointment=appointment, language="nl", appointment_starts_at=appointment.starts_at))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_the_link_ends_when_the_visit_starts_or_the_episode_closes(app, sanne, appointment_type):
    appointment = visit_for_complaint(sanne, appointment_type)
    token = issue_outcome_link(db.session, appointment)
    just_before = appointment.starts_at - timedelta(minutes=1)
    assert valid_outcome_link(db.session, token, just_before).appointment == appointment
    with pytest.raises(NotFound):
        valid_outcome_link(db.session, token, appointment.starts_at)
    episodes.close_episode(db.session, db.session.get(CareEpisode, appointment.episode_id), "Klachtenvrij",
                           now=NOW)
    with pytest.raises(NotFound):
        valid_outcome_link(db.session, token, NOW)
