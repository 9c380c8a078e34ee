"""The check-in after a treatment with known after-effects: queued once by the mail worker, answered
through a link that works once, shown in the chart, a worrying answer an alert for the chiropractor."""
import re
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from clinic.errors import NotFound
from clinic.extensions import db
from clinic.models import (
    AfterVisitAnswer,
    AppointmentAction,
    AppointmentType,
    BookingSource,
    MessageKind,
    OutboxMessage,
    Role,
)
from clinic.services.after_visit import (
    AfterVisitReport,
    issue_after_visit_link,
    queue_due_after_visit_check_ins,
    record_after_visit_answers,
    worrying_after_visit_answers,
)
from clinic.services.booking import change_status
from clinic.services.patient_messages import set_reminders_wanted
from tests.conftest import log_in
from tests.mail_server import run_mail_worker
from tests.services.conftest import NOW
from tests.services.test_patient_mail import DAY, THURSDAY_1400, TUESDAY_0900, book_at_desk, subject

FORM_LINK = re.compile(r"http://localhost(/(?:afspraak/nazorg|en/book/aftercare)/[\w-]+)")


@pytest.fixture
def sanne(clinic, clock, create_patient):
    clock.set(NOW)
    return create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")


def treated(patient, appointment_type, code="dry_needling", starts_at=TUESDAY_0900,
            action=AppointmentAction.COMPLETED):
    """Book ``code`` at the desk and mark it as ``action`` once it has started."""
    appointment = book_at_desk(patient, lambda: appointment_type(code), starts_at)
    change_status(db.session, appointment, action, source=BookingSource.FRONTDESK,
                  now=appointment.starts_at + timedelta(minutes=5), reason="ill")
    db.session.commit()
    return appointment


def check_ins() -> list[OutboxMessage]:
    return db.session.query(OutboxMessage).filter_by(kind=MessageKind.AFTER_VISIT.value).all()


def form_path(message) -> str:
    return FORM_LINK.search(message.get_body(("plain",)).get_content()).group(1)


def test_seeded_treatments_with_after_effects_ask_for_a_check_in(clinic):
    asking = db.session.query(AppointmentType.code).filter_by(after_visit_check_in=True)
    assert {code for (code,) in asking} == {"follow_up", "dry_needling", "decompression"}


def test_a_check_in_goes_once_a_day_after_the_visit_and_its_form_works_once(
    app, sanne, appointment_type, clock, smtp_inbox, client
):
    appointment = treated(sanne, appointment_type)
    run_mail_worker(app)  # the booking's confirmation
    clock.set(appointment.ends_at + DAY - timedelta(seconds=1))
    run_mail_worker(app)
    assert check_ins() == []
    clock.set(appointment.ends_at + DAY)
    run_mail_worker(app)
    run_mail_worker(app)

    (queued,) = check_ins()
    assert queued.status == "sent"
    (mail,) = [m for m in smtp_inbox.to("sanne@example.nl") if "behandeling" in subject(m)]
    assert subject(mail) == "Hoe gaat het na uw behandeling bij MoveWell?"
    assert str(mail["List-Unsubscribe"]).strip().startswith("<http://localhost/afspraak/herinneringen-uit/")
    text = mail.get_body(("plain",)).get_content()
    assert "Dry needling" in text and app.config["CLINIC_PHONE"] in text

    path = form_path(mail)
    assert client.get(path).status_code == 200
    refused = client.post(path, data={"pain_now": "", "soreness": "11", "remarks": "Wat stijf"})
    assert refused.status_code == 422
    assert "Wat stijf" in refused.get_data(as_text=True)  # nothing the patient typed is lost
    answered = client.post(path, data={"pain_now": "3", "soreness": "5", "bruising": "y", "remarks": "Wat stijf"})
    assert answered.status_code == 200
    answer = db.session.query(AfterVisitAnswer).one()
    assert (answer.appointment_id, answer.pain_now, answer.soreness, answer.bruising, answer.dizziness,
            answer.remarks) == (appointment.id, 3, 5, True, False, "Wat stijf")
    assert not answer.is_worrying  # bruising after needling is expected
    assert client.get(path).status_code == 410
    assert client.post(path, data={"pain_now": "9", "soreness": "9"}).status_code == 410
    assert db.session.query(AfterVisitAnswer).count() == 1


def test_the_check_in_is_in_english_for_an_english_speaking_patient(app, sanne, appointment_type, clock, smtp_inbox):
    sanne.preferred_language = "en"
    appointment = treated(sanne, appointment_type, "decompression")
    clock.set(appointment.ends_at + DAY)
    run_mail_worker(app)
    mail = smtp_inbox.messages[-1]
    assert subject(mail) == "How are you after your treatment at MoveWell?"
    assert form_path(mail).startswith("/en/book/aftercare/")


def test_no_check_in_after_a_cancelled_or_missed_visit_another_type_or_for_a_patient_who_turned_them_off(
    app, sanne, appointment_type, clock, create_patient
):
    treated(sanne, appointment_type, action=AppointmentAction.CANCELLED)
    treated(sanne, appointment_type, starts_at=TUESDAY_0900 + timedelta(hours=1), action=AppointmentAction.NO_SHOW)
    treated(sanne, appointment_type, "sports_massage_30", starts_at=TUESDAY_0900 + timedelta(hours=2))
    noor = create_patient(first_name="Noor", email="noor@example.nl")
    treated(noor, appointment_type, starts_at=TUESDAY_0900 + timedelta(hours=3))
    set_reminders_wanted(db.session, noor, False)
    assert queue_due_after_visit_check_ins(db.session, THURSDAY_1400, DAY) == 0
    set_reminders_wanted(db.session, noor, True)
    assert queue_due_after_visit_check_ins(db.session, THURSDAY_1400, DAY) == 1
    # Not a week late: by then the questions are about another day.
    later = treated(noor, appointment_type, starts_at=THURSDAY_1400)
    assert queue_due_after_visit_check_ins(db.session, later.ends_at + DAY + timedelta(days=7), DAY) == 0


def test_the_database_keeps_one_check_in_per_appointment(app, sanne, appointment_type):
    appointment = treated(sanne, appointment_type)
    assert queue_due_after_visit_check_ins(db.session, appointment.ends_at + DAY, DAY) == 1
    # A second worker that read before the first one wrote inserts its own row: the database refuses it.
    db.session.add(OutboxMessage(kind=MessageKind.AFTER_VISIT.value, to_address=sanne.email, appointment=appointment,
                                 language="nl", appointment_starts_at=appointment.starts_at))
    with pytest.raises(IntegrityError):
        db.session.flush()


def answer(appointment, now, **answers) -> AfterVisitAnswer:
    token = issue_after_visit_link(db.session, appointment, now)
    recorded = record_after_visit_answers(db.session, token, AfterVisitReport(**answers), now)
    db.session.commit()
    return recorded


@pytest.mark.parametrize(("answers", "worrying"), [
    ({"pain_now": 7, "soreness": 2}, True),
    ({"pain_now": 6, "soreness": 10, "bruising": True}, False),
    ({"pain_now": 1, "soreness": 1, "dizziness": True}, True),
    ({"pain_now": 1, "soreness": 1, "numbness": True}, True),
    ({"pain_now": 1, "soreness": 1, "fever": True}, True),
], ids=["pain 7", "sore and bruised", "dizzy", "numb", "fever"])
def test_a_worrying_answer_is_the_treating_chiropractors_alert(app, sanne, appointment_type, clock, answers, worrying):
    appointment = treated(sanne, appointment_type)
    answer(appointment, appointment.ends_at + DAY, **answers)
    alerts = worrying_after_visit_answers(db.session, appointment.chiropractor_id)
    assert [alert.appointment_id for alert in alerts] == ([appointment.id] if worrying else [])
    assert worrying_after_visit_answers(db.session, appointment.chiropractor_id + 1) == []


def test_a_used_or_expired_link_opens_nothing(app, sanne, appointment_type):
    appointment = treated(sanne, appointment_type)
    now = appointment.ends_at + DAY
    token = issue_after_visit_link(db.session, appointment, now)
    with pytest.raises(NotFound):
        record_after_visit_answers(db.session, token, AfterVisitReport(pain_now=1, soreness=1), now + timedelta(days=8))
    record_after_visit_answers(db.session, token, AfterVisitReport(pain_now=1, soreness=1), now)
    with pytest.raises(NotFound):
        record_after_visit_answers(db.session, token, AfterVisitReport(pain_now=2, soreness=2), now)


def test_the_answers_show_in_the_chart_and_a_worrying_one_as_an_alert(
    app, sanne, appointment_type, clock, client, create_account
):
    calm = treated(sanne, appointment_type)
    worrying = treated(sanne, appointment_type, starts_at=THURSDAY_1400)
    answer(calm, calm.ends_at + DAY, pain_now=2, soreness=4, remarks="Beetje stijf")
    answer(worrying, worrying.ends_at + DAY, pain_now=8, soreness=6, dizziness=True)
    clock.set(worrying.ends_at + DAY + timedelta(hours=1))
    chiropractor = create_account(Role.CHIROPRACTOR)
    assert log_in(client, chiropractor.email).status_code == 302

    page = client.get(f"/clinical/patients/{sanne.id}").get_data(as_text=True)
    alert = page[page.index('class="card alert worrying-after-visit"'):page.index("readiness-heading")]
    assert "pijn 8/10" in alert and "duizeligheid" in alert
    assert "pijn 2/10" not in alert
    chart = page[page.index('id="after-visit-heading"'):page.index('id="notes-heading"')]
    assert "pijn 2/10, napijn 4/10" in chart and "Beetje stijf" in chart and "pijn 8/10" in chart
