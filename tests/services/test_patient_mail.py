"""What patients hear about their appointments, as it arrives at a real SMTP server.

The request only queues what a message is about; the mail worker (``flask clinic send-mail``)
writes it, with a calendar file that keeps one event in the patient's agenda, and queues the
reminders that have become due.
"""
import re
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskCliRunner

from clinic.errors import NotFound
from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, MessageKind, OutboxMessage, Role
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, change_status
from clinic.services.online_booking import appointment_for_token, issue_manage_token, reschedule_online
from clinic.services.patient_messages import queue_due_reminders, set_reminders_wanted
from tests.booking.conftest import RULES
from tests.mail_server import calendar_of, free_port, run_mail_worker
from tests.services.conftest import NOW

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_0900 = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)
THURSDAY_1400 = datetime(2026, 12, 3, 14, 0, tzinfo=AMS)
DAY = timedelta(hours=24)
LINK = re.compile(r"http://localhost/(?:afspraak/beheer|en/book/manage)/[\w-]+")


@pytest.fixture
def sanne(clinic, clock, create_patient):
    clock.set(NOW)
    return create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")


def book_at_desk(patient, appointment_type, starts_at=TUESDAY_0900):
    appointment = book_appointment(
        db.session, patient=patient, appointment_type=appointment_type(), starts_at=starts_at, chiropractor_id=1,
        source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    return appointment


def subject(message) -> str:
    # A long subject is folded onto the header's next line; a mail client shows it unfolded.
    return str(message["Subject"]).strip()


def event_of(message):
    calendar = calendar_of(message)
    (event,) = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), str(event["UID"]), int(event["SEQUENCE"]), event


def test_booked_at_the_desk_moved_online_cancelled_by_the_clinic_the_patient_gets_three_emails_and_one_event(
    app, sanne, appointment_type, smtp_inbox, create_account
):
    appointment = book_at_desk(sanne, appointment_type)
    run_mail_worker(app)
    token = issue_manage_token(db.session, appointment)
    reschedule_online(db.session, appointment, THURSDAY_1400, rules=RULES, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    desk = create_account(Role.FRONTDESK)
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  user=desk, reason="Chiropractor ill")
    db.session.commit()
    run_mail_worker(app)

    booked, moved, cancelled = smtp_inbox.to("sanne@example.nl")
    assert subject(booked) == "Uw afspraak bij MoveWell op dinsdag 1 december 2026 09:00"
    assert subject(moved) == "Uw afspraak bij MoveWell is verzet naar donderdag 3 december 2026 14:00"
    assert subject(cancelled) == "Uw afspraak bij MoveWell op donderdag 3 december 2026 14:00 is geannuleerd"
    assert all(message["From"] == app.config["MAIL_FROM"] for message in (booked, moved, cancelled))
    methods = [event_of(message)[:3] for message in (booked, moved, cancelled)]
    uid = f"appointment-{appointment.id}@movewell.nl"
    assert methods == [("REQUEST", uid, 0), ("REQUEST", uid, 1), ("CANCEL", uid, 2)]
    assert event_of(moved)[3].decoded("DTSTART") == THURSDAY_1400
    cancel_text = cancelled.get_body(("plain",)).get_content()
    assert "wij hebben uw afspraak bij MoveWell Chiropractie Hilversum moeten annuleren" in cancel_text
    for message in (booked, moved, cancelled):
        text = message.get_body(("plain",)).get_content()
        assert app.config["CLINIC_ADDRESS"] in text and app.config["CLINIC_PHONE"] in text
        assert LINK.search(text), "no manage link"
    assert "List-Unsubscribe" not in booked  # confirmations of changes always go


def test_a_cancellation_by_the_patient_has_the_patients_wording_in_english(
    app, sanne, appointment_type, smtp_inbox
):
    sanne.preferred_language = "en"
    appointment = book_at_desk(sanne, appointment_type)
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.ONLINE, now=NOW,
                  reason="Cancelled by the patient online")
    db.session.commit()
    run_mail_worker(app)
    booked, cancelled = smtp_inbox.messages
    assert subject(booked) == "Your appointment at MoveWell on Tuesday, December 1, 2026 09:00"
    assert "As you asked, your appointment" in cancelled.get_body(("plain",)).get_content()
    assert LINK.search(booked.get_body(("plain",)).get_content()).group().startswith("http://localhost/en/book/")
    assert event_of(cancelled)[0] == "CANCEL"


def test_the_manage_link_follows_a_move_to_a_later_start(app, sanne, appointment_type, clock):
    appointment = book_at_desk(sanne, appointment_type)
    token = issue_manage_token(db.session, appointment)
    reschedule_online(db.session, appointment, THURSDAY_1400, rules=RULES, now=NOW)
    db.session.commit()
    # After the old start, before the new one: the patient's only link must still open the appointment.
    assert appointment_for_token(db.session, token, TUESDAY_0900 + timedelta(hours=1)) == appointment
    with pytest.raises(NotFound):
        appointment_for_token(db.session, token, THURSDAY_1400)


def reminders() -> list[OutboxMessage]:
    return db.session.query(OutboxMessage).filter_by(kind=MessageKind.REMINDER.value).order_by(OutboxMessage.id).all()


def test_a_reminder_is_queued_once_a_day_ahead_and_a_moved_appointment_gets_a_new_one(
    app, sanne, appointment_type, clock, smtp_inbox
):
    appointment = book_at_desk(sanne, appointment_type)
    run_mail_worker(app)  # the confirmation
    clock.set(TUESDAY_0900 - DAY - timedelta(seconds=1))
    run_mail_worker(app)
    assert reminders() == []
    clock.set(TUESDAY_0900 - DAY)
    run_mail_worker(app)
    run_mail_worker(app)
    (reminder,) = reminders()
    assert reminder.status == "sent"
    mail = smtp_inbox.messages[-1]
    assert subject(mail) == "Herinnering: uw afspraak bij MoveWell op dinsdag 1 december 2026 09:00"
    assert str(mail["List-Unsubscribe"]).strip().startswith("<http://localhost/afspraak/herinneringen-uit/")
    assert calendar_of(mail) is None

    reschedule_online(db.session, appointment, THURSDAY_1400, rules=RULES, now=NOW)
    db.session.commit()
    clock.set(THURSDAY_1400 - DAY)
    run_mail_worker(app)
    assert [r.appointment_starts_at for r in reminders()] == [TUESDAY_0900, THURSDAY_1400]
    assert [subject(m)[:12] for m in smtp_inbox.messages] == ["Uw afspraak ", "Herinnering:", "Uw afspraak ",
                                                                 "Herinnering:"]


def test_no_reminder_for_cancelled_or_past_appointments_nor_for_a_patient_who_turned_them_off(
    app, sanne, appointment_type, clock, create_patient
):
    cancelled = book_at_desk(sanne, appointment_type)
    change_status(db.session, cancelled, AppointmentAction.CANCELLED, source=BookingSource.ONLINE, now=NOW,
                  reason="ill")
    noor = create_patient(first_name="Noor", email="noor@example.nl")
    book_at_desk(noor, appointment_type, THURSDAY_1400)
    set_reminders_wanted(db.session, noor, False)
    db.session.commit()
    assert queue_due_reminders(db.session, TUESDAY_0900 - timedelta(hours=1), DAY) == 0
    assert queue_due_reminders(db.session, THURSDAY_1400 - timedelta(hours=1), DAY) == 0
    set_reminders_wanted(db.session, noor, True)
    assert queue_due_reminders(db.session, THURSDAY_1400 + timedelta(minutes=1), DAY) == 0  # past
    assert queue_due_reminders(db.session, THURSDAY_1400 - timedelta(hours=1), DAY) == 1


def test_a_reminder_of_an_appointment_cancelled_after_it_was_queued_is_not_sent(
    app, sanne, appointment_type, clock, smtp_inbox
):
    appointment = book_at_desk(sanne, appointment_type)
    queue_due_reminders(db.session, TUESDAY_0900 - timedelta(hours=2), DAY)
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.ONLINE, now=NOW,
                  reason="ill")
    db.session.commit()
    clock.set(TUESDAY_0900 - timedelta(hours=2))
    run_mail_worker(app)
    assert [r.status for r in reminders()] == ["skipped"]
    assert not [m for m in smtp_inbox.messages if subject(m).startswith("Herinnering")]


@pytest.mark.parametrize(("starts_at", "due"), [
    # Sunday 28 March 2027, 10:00 summer time; the clocks went forward that night: the reminder
    # comes on Saturday at 09:00 winter time, 23 wall-clock hours ahead.
    (datetime(2027, 3, 28, 10, 0, tzinfo=AMS), datetime(2027, 3, 27, 8, 0, tzinfo=timezone.utc)),
    # Sunday 31 October 2027, 10:00 winter time; the clocks went back that night: Saturday 11:00
    # summer time, 25 wall-clock hours ahead.
    (datetime(2027, 10, 31, 10, 0, tzinfo=AMS), datetime(2027, 10, 30, 9, 0, tzinfo=timezone.utc)),
], ids=["spring", "autumn"])
def test_reminders_come_24_real_hours_ahead_across_a_clock_change(app, sanne, appointment_type, starts_at, due):
    appointment = book_at_desk(sanne, appointment_type)
    appointment.starts_at, appointment.ends_at = starts_at, starts_at + timedelta(minutes=30)
    appointment.buffer_ends_at = appointment.ends_at
    db.session.commit()
    assert queue_due_reminders(db.session, due - timedelta(seconds=1), DAY) == 0
    assert queue_due_reminders(db.session, due, DAY) == 1


@pytest.mark.parametrize("workers", [2])
def test_two_workers_racing_send_one_reminder(app, sanne, appointment_type, clock, smtp_inbox, workers):
    book_at_desk(sanne, appointment_type)
    run_mail_worker(app)
    clock.set(TUESDAY_0900 - timedelta(hours=3))
    db.session.commit()
    start = threading.Barrier(workers)
    outputs, errors = [], []

    def worker():
        start.wait()
        result = FlaskCliRunner(app).invoke(args=["clinic", "send-mail"])
        (errors if result.exception else outputs).append(result.exception or result.output)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert len(reminders()) == 1
    assert [subject(m)[:12] for m in smtp_inbox.messages].count("Herinnering:") == 1


def test_the_link_in_a_reminder_turns_reminders_off_after_a_button(app, sanne, appointment_type, clock, smtp_inbox):
    from clinic.services.patient_messages import reminders_wanted

    book_at_desk(sanne, appointment_type)
    clock.set(TUESDAY_0900 - timedelta(hours=3))
    run_mail_worker(app)
    (reminder,) = [m for m in smtp_inbox.messages if subject(m).startswith("Herinnering")]
    link = str(reminder["List-Unsubscribe"]).strip()[1:-1]
    assert link in reminder.get_body(("plain",)).get_content()
    client = app.test_client()
    assert "Herinneringen uitzetten" in client.get(link).get_data(as_text=True)
    assert reminders_wanted(db.session, sanne)  # opening the link (a mail scanner may) changes nothing
    assert "U ontvangt geen herinneringen meer" in client.post(link).get_data(as_text=True)
    assert not reminders_wanted(db.session, sanne)
    assert client.get(link[:-3] + "xyz").status_code == 404


def test_the_desk_sees_which_e_mails_about_an_appointment_went_out_and_which_failed(
    app, client, sanne, appointment_type, smtp_inbox, login_as
):
    appointment = book_at_desk(sanne, appointment_type)
    run_mail_worker(app)
    reschedule_online(db.session, appointment, THURSDAY_1400, rules=RULES, now=NOW)
    db.session.commit()
    app.config["MAIL_PORT"] = free_port()  # nobody listens there: the move's e-mail fails for now
    run_mail_worker(app)
    login_as(Role.FRONTDESK)
    page = client.get(f"/frontdesk/appointments/{appointment.id}").get_data(as_text=True)
    section = page[page.index("E-mails aan de patiënt"):]
    assert "Bevestiging" in section and "Verstuurd op" in section
    assert "Verzet naar een andere tijd" in section and "Wacht; wordt opnieuw geprobeerd" in section
