"""Patients booking and managing their own appointments (service level)."""
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from email import message_from_string, policy
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from clinic.booking.emails import write_appointment_message
from clinic.errors import Conflict, Invalid, NotFound
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Appointment, OutboxMessage, Patient, PatientToken
from clinic.services.booking import SlotTaken
from clinic.services.online_booking import (
    AwaitingConfirmation,
    OnlineBooking,
    appointment_for_token,
    book_online,
    cancel_online,
    confirm_returning_booking,
    read_returning_booking,
    reschedule_online,
    returning_booking_token,
)
from clinic.services.outbox import as_email, send_due
from tests.booking.conftest import RULES
from tests.mail_server import run_mail_worker

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)  # Monday 08:00 in Amsterdam
REQUEST = OnlineBooking(
    type_code="sports_massage_30", chiropractor_id=1, starts_at=datetime(2026, 12, 1, 9, 0, tzinfo=AMS),
    first_name="Zoë", last_name="Jansen", date_of_birth=date(1992, 3, 4), email="Zoe@Example.nl",
    phone="06 12345678", language="nl", consent=True,
)


def book(request=REQUEST, now=NOW):
    booked = book_online(db.session, request, rules=RULES, now=now)
    db.session.commit()
    return booked.appointment, booked.manage_token


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_patient_is_registered_as_online_with_consent(clinic):
    appointment, _ = book()
    patient = appointment.patient
    assert (patient.first_name, patient.email, patient.phone) == ("Zoë", "zoe@example.nl", "+31612345678")
    assert patient.created_source == "online" and patient.privacy_consent_at == NOW
    assert appointment.source == "online" and appointment.status == "booked"


def test_a_returning_patient_is_matched_on_email_and_birth_date(clinic):
    first, _ = book()
    second, _ = book(replace(REQUEST, starts_at=datetime(2026, 12, 2, 9, 0, tzinfo=AMS), email="zoe@example.nl"))
    assert second.patient_id == first.patient_id
    assert count(Patient) == 1


def test_the_same_email_with_another_birth_date_is_another_patient(clinic):
    first, _ = book()
    other, _ = book(replace(REQUEST, starts_at=datetime(2026, 12, 2, 9, 0, tzinfo=AMS), date_of_birth=date(2015, 6, 1)))
    assert other.patient_id != first.patient_id


def test_a_type_for_returning_patients_books_nothing_and_names_the_match_if_any(clinic):
    follow_up = replace(REQUEST, type_code="follow_up", starts_at=datetime(2026, 12, 3, 10, 0, tzinfo=AMS))
    stranger = book_online(db.session, follow_up, rules=RULES, now=NOW)
    assert isinstance(stranger, AwaitingConfirmation) and stranger.patient is None
    known, _ = book()
    waiting = book_online(db.session, follow_up, rules=RULES, now=NOW)
    assert waiting.patient.id == known.patient_id and count(Appointment) == 1
    token = returning_booking_token(waiting, secret="s3cret", now=NOW)
    booking = read_returning_booking(db.session, token, secret="s3cret", now=NOW + timedelta(hours=23))
    appointment = confirm_returning_booking(db.session, booking, rules=RULES, now=NOW).appointment
    assert (appointment.patient_id, appointment.appointment_type.code) == (known.patient_id, "follow_up")
    with pytest.raises(NotFound):
        read_returning_booking(db.session, token, secret="another secret", now=NOW)
    with pytest.raises(NotFound):
        read_returning_booking(db.session, token, secret="s3cret", now=NOW + timedelta(hours=24))


def test_consent_is_required(clinic):
    with pytest.raises(Invalid) as refused:
        book(replace(REQUEST, consent=False))
    assert refused.value.fields == {"consent": "required"}


def test_bad_details_name_every_field(clinic):
    with pytest.raises(Invalid) as refused:
        book(replace(REQUEST, first_name="", email="nope", phone="12"))
    assert set(refused.value.fields) == {"first_name", "email", "phone"}
    assert count(Appointment) == 0


def test_one_email_may_hold_at_most_three_open_online_bookings(clinic):
    for day in (1, 2, 3):
        book(replace(REQUEST, starts_at=datetime(2026, 12, day, 9, 0, tzinfo=AMS)))
    with pytest.raises(Conflict) as refused:
        book(replace(REQUEST, starts_at=datetime(2026, 12, 4, 9, 0, tzinfo=AMS)))
    assert refused.value.code == "too_many_open_bookings"


def test_the_same_booking_sent_twice_gives_one_appointment(clinic):
    book()
    with pytest.raises(SlotTaken) as refused:
        book()
    assert refused.value.code == "patient_busy"
    db.session.rollback()
    assert count(Appointment) == 1


def test_online_rules_refuse_a_time_too_soon(clinic):
    with pytest.raises(Invalid):
        book(replace(REQUEST, starts_at=datetime(2026, 11, 30, 9, 0, tzinfo=AMS)))


def test_only_the_hash_of_the_manage_token_is_stored_and_it_finds_the_appointment(clinic):
    appointment, token = book()
    stored = db.session.scalar(select(PatientToken.token_hash))
    assert token not in stored and len(stored) == 64
    assert appointment_for_token(db.session, token, NOW).id == appointment.id
    with pytest.raises(NotFound):
        appointment_for_token(db.session, token[:-1] + ("A" if token[-1] != "A" else "B"), NOW)


def test_the_manage_link_expires_when_the_appointment_starts(clinic):
    appointment, token = book()
    just_before = appointment.starts_at - timedelta(minutes=1)
    assert appointment_for_token(db.session, token, just_before).id == appointment.id
    with pytest.raises(NotFound):
        appointment_for_token(db.session, token, appointment.starts_at)


def test_cancel_until_the_deadline_then_not_any_more(clinic):
    appointment, _ = book()
    late = appointment.starts_at - timedelta(hours=23)
    with pytest.raises(Conflict) as refused:
        cancel_online(db.session, appointment, rules=RULES, now=late)
    assert refused.value.code == "past_deadline"
    cancel_online(db.session, appointment, rules=RULES, now=appointment.starts_at - timedelta(hours=25))
    db.session.commit()
    assert appointment.status == "cancelled" and appointment.events[-1].source == "online"


def test_reschedule_moves_to_a_free_time_with_the_same_chiropractor(clinic):
    appointment, _ = book()
    reschedule_online(db.session, appointment, datetime(2026, 12, 3, 14, 0, tzinfo=AMS), rules=RULES, now=NOW)
    db.session.commit()
    assert appointment.starts_at == datetime(2026, 12, 3, 14, 0, tzinfo=AMS)
    assert appointment.chiropractor_id == 1


def test_the_booking_queues_the_confirmation_and_the_worker_writes_it_in_the_patients_language(app, clinic):
    appointment, token = book(replace(REQUEST, language="en"))
    db.session.commit()
    queued = db.session.scalar(select(OutboxMessage))
    assert queued.to_address == "zoe@example.nl" and queued.status == "pending"
    assert queued.subject is None and queued.body_text is None  # written by the worker, not the request
    run_mail_worker(app)
    message = db.session.scalar(select(OutboxMessage))
    assert message.status == "sent"
    assert message.subject.startswith("Your appointment at MoveWell on Tuesday")
    assert "http://localhost/en/book/manage/" in message.body_text
    (calendar_file,) = message.attachments
    assert "DTSTART;TZID=Europe/Amsterdam:20261201T090000" in calendar_file.content
    email = message_from_string(as_email(message, "clinic@example.test").as_string(), policy=policy.default)
    assert [part.get_filename() for part in email.iter_attachments()] == ["appointment.ics"]


def test_the_worker_sends_due_messages_and_retries_failures(app, clinic):
    from clinic.services.outbox import queue_email

    queue_email(db.session, kind="test", to_address="a@example.nl", subject="One", body_text="x")
    queue_email(db.session, kind="test", to_address="b@example.nl", subject="Two", body_text="y")
    db.session.commit()
    # Queued messages are due from the real time they were queued, so the worker runs after it.
    now = utcnow()
    delivered = []

    def flaky(email):
        if email["To"] == "b@example.nl":
            raise OSError("connection refused")
        delivered.append(email["Subject"])

    assert send_due(db.session, flaky, "clinic@example.test", now, write=write_appointment_message) == 1
    db.session.commit()
    statuses = dict(db.session.execute(select(OutboxMessage.subject, OutboxMessage.status)).all())
    assert delivered == ["One"] and statuses == {"One": "sent", "Two": "pending"}
    retry = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject == "Two"))
    assert retry.attempts == 1 and retry.next_attempt_at > now and "refused" in retry.last_error
    assert send_due(db.session, flaky, "clinic@example.test", now, write=write_appointment_message) == 0  # not due yet


def confirmation_text(app) -> str:
    """Return the last confirmation as the mail worker writes it."""
    run_mail_worker(app)
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "booking_confirmation").order_by(OutboxMessage.id.desc())
    ).body_text


def test_the_confirmation_gently_notes_a_treatment_that_does_not_suit_the_patients_training(app, clinic):
    from clinic.models import Role
    from clinic.services import readiness as readiness_service
    from clinic.services.accounts import create_user

    # Dry needling on Tuesday 09:00, the day before a match: not advised, yet booked.
    appointment, token = book(replace(REQUEST, type_code="dry_needling", language="en"))
    checker = create_user(db.session, "jarco@movewell.test", "correct horse battery staple", Role.ADMIN)
    readiness_service.update_screening(
        db.session, appointment.patient,
        readiness_service.ScreeningUpdate(next_competition_at=datetime(2026, 12, 2, 10, 0, tzinfo=AMS)),
        checked_by=checker, now=NOW,
    )
    assert appointment.status == "booked"
    assert "A note about your training: around this date, this treatment may not be" in confirmation_text(app)


def test_the_confirmation_has_no_training_note_when_the_treatment_suits(app, clinic):
    appointment, token = book(replace(REQUEST, type_code="dry_needling", language="en"))
    assert "A note about your training" not in confirmation_text(app)


READINESS_TABLES = ("training_sessions", "wellness_check_ins", "patient_screening_flags", "patient_indications",
                    "patient_readiness_profiles")


@contextmanager
def statements():
    """Collect the SQL the session sends while the block runs."""
    sent = []

    def collect(_connection, _cursor, statement, *_):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", collect)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", collect)


@pytest.mark.parametrize(("type_code", "noted"), [("decompression", True), ("sports_massage_30", False)])
def test_the_booking_request_reads_no_training_log_and_a_new_patients_confirmation_still_notes_an_unsuited_treatment(
    app, clinic, type_code, noted
):
    # Without a screening, decompression is not advised for anybody: the note must not depend on the log.
    with statements() as sent:
        book_online(db.session, replace(REQUEST, type_code=type_code, language="en"), rules=RULES, now=NOW)
    assert not [sql for sql in sent if any(table in sql for table in READINESS_TABLES)]
    assert ("A note about your training" in confirmation_text(app)) is noted


def test_a_returning_patients_confirmation_notes_what_their_training_log_says(app, clinic):
    from clinic.services.readiness import NewTrainingSession, record_training_session

    first = book_online(db.session, replace(REQUEST, starts_at=datetime(2026, 12, 2, 9, 0, tzinfo=AMS), language="en"),
                        rules=RULES, now=NOW)
    # A hard session the evening before: dry needling the next morning is not advised.
    record_training_session(
        db.session, first.appointment.patient,
        NewTrainingSession(ended_at=NOW - timedelta(hours=12), duration_minutes=90, rpe=8),
        entered_by=None, now=NOW,
    )
    db.session.commit()
    again = book_online(db.session, replace(REQUEST, type_code="dry_needling", language="en"), rules=RULES, now=NOW)
    assert again.appointment.patient_id == first.appointment.patient_id
    assert "A note about your training" in confirmation_text(app)
