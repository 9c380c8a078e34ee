"""A treatment series is confirmed in ONE e-mail listing every appointment, in the patient's language,
with a calendar file per appointment (an iTIP request is about one event: calendars take only the first
event of a file with more); each file's event has the UID the later messages about that appointment
use, so a move or cancellation changes just that event. Reminders stay per appointment."""
import logging
from datetime import timedelta

from clinic.booking.emails import write_appointment_message
from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, MessageKind, OutboxMessage
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import change_status, reschedule_appointment
from clinic.services.outbox import as_email, log_transport
from clinic.services.patient_messages import messages_about
from clinic.services.series import book_series
from tests.mail_server import calendars_of, run_mail_worker
from tests.services.conftest import NOW
from tests.services.test_patient_mail import DAY, LINK, TUESDAY_0900, event_of, sanne, subject  # noqa: F401 (fixture)

WEEK = timedelta(weeks=1)


def book_course(patient, appointment_type, *, count=4, source=BookingSource.FRONTDESK):
    booked = book_series(
        db.session, patient=patient, appointment_type=appointment_type(), chiropractor_id=1, first_start=TUESDAY_0900,
        rule=f"FREQ=WEEKLY;COUNT={count}", source=source, policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    return booked.appointments


def events_of(message) -> list:
    """Return (UID, SEQUENCE, start, end) of the event of each attached file, in their order, after
    checking that every attachment is a calendar request with exactly one event."""
    parts = list(message.iter_attachments())
    assert [(part.get_content_type(), part.get_param("method")) for part in parts] == \
        [("text/calendar", "REQUEST")] * len(parts)
    events = []
    for _name, calendar in calendars_of(message):
        assert str(calendar["METHOD"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        events.append((str(event["UID"]), int(event["SEQUENCE"]), event.decoded("DTSTART"), event.decoded("DTEND")))
    return events


def file_names(message) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]


def test_a_series_gets_one_dutch_confirmation_with_every_date_and_one_event_each(
    app, sanne, appointment_type, smtp_inbox
):
    appointments = book_course(sanne, appointment_type)
    assert db.session.query(OutboxMessage).filter_by(kind=MessageKind.CONFIRMATION.value).count() == 0
    run_mail_worker(app)

    (confirmation,) = smtp_inbox.to("sanne@example.nl")
    assert subject(confirmation) == "Uw 4 afspraken bij MoveWell, vanaf dinsdag 1 december 2026 09:00"
    text = confirmation.get_body(("plain",)).get_content()
    assert "Uw reeks van 4 afspraken bij MoveWell Chiropractie Hilversum is geboekt:" in text
    for day in ("dinsdag 1 december 2026", "dinsdag 8 december 2026", "dinsdag 15 december 2026",
                "dinsdag 22 december 2026"):
        assert f"{day}, 09:00–09:30" in text
    # Each appointment its own manage link, each opening that appointment.
    links = LINK.findall(text)
    assert len(set(links)) == 4
    assert file_names(confirmation) == ["afspraak-1.ics", "afspraak-2.ics", "afspraak-3.ics", "afspraak-4.ics"]
    assert events_of(confirmation) == [
        (f"appointment-{a.id}@movewell.nl", 0, TUESDAY_0900 + n * WEEK, TUESDAY_0900 + n * WEEK + timedelta(minutes=30))
        for n, a in enumerate(appointments)
    ]
    assert len({uid for uid, *_ in events_of(confirmation)}) == 4
    assert all(event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
               for _name, calendar in calendars_of(confirmation) for event in calendar.walk("VEVENT"))

    # The desk sees the one confirmation with every appointment of the series.
    assert {tuple(m.kind for m in messages_about(db.session, a)) for a in appointments} == {("series_confirmation",)}

    # A later move of one of them updates that very event, one SEQUENCE on.
    third = appointments[2]
    reschedule_appointment(db.session, third, TUESDAY_0900 + 2 * WEEK + timedelta(hours=2),
                           source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    _, moved = smtp_inbox.to("sanne@example.nl")
    method, uid, sequence, event = event_of(moved)
    assert (method, uid, sequence) == ("REQUEST", events_of(confirmation)[2][0], 1)
    assert event.decoded("DTSTART") == TUESDAY_0900 + 2 * WEEK + timedelta(hours=2)
    assert file_names(moved) == ["afspraak.ics"]

    # A later cancellation of another removes that very event.
    change_status(db.session, appointments[3], AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="holiday")
    db.session.commit()
    run_mail_worker(app)
    *_, cancelled = smtp_inbox.to("sanne@example.nl")
    assert event_of(cancelled)[:3] == ("CANCEL", events_of(confirmation)[3][0], 1)


def test_an_english_patient_gets_the_series_confirmation_in_english_and_reminders_per_appointment(
    app, sanne, appointment_type, smtp_inbox, clock
):
    sanne.preferred_language = "en"
    appointments = book_course(sanne, appointment_type, count=3, source=BookingSource.API)
    run_mail_worker(app)
    (confirmation,) = smtp_inbox.messages
    assert subject(confirmation) == "Your 3 appointments at MoveWell, from Tuesday, December 1, 2026 09:00"
    text = confirmation.get_body(("plain",)).get_content()
    assert "Your series of 3 appointments at MoveWell Chiropractie Hilversum is booked:" in text
    assert "Tuesday, December 15, 2026, 09:00–09:30" in text
    assert all(link.startswith("http://localhost/en/book/manage/") for link in LINK.findall(text))
    uids = [uid for uid, *_ in events_of(confirmation)]
    assert uids == [f"appointment-{a.id}@movewell.nl" for a in appointments]
    assert file_names(confirmation) == ["appointment-1.ics", "appointment-2.ics", "appointment-3.ics"]

    # A day before the second one: a reminder of that appointment alone.
    clock.set(TUESDAY_0900 + WEEK - DAY + timedelta(minutes=1))
    run_mail_worker(app)
    _, reminder = smtp_inbox.messages
    assert subject(reminder) == "Reminder: your appointment at MoveWell on Tuesday, December 8, 2026 09:00"
    assert db.session.query(OutboxMessage).filter_by(kind=MessageKind.REMINDER.value).one().appointment_id \
        == appointments[1].id

    # Moved and then cancelled by the patient: both about the event of the third file.
    reschedule_appointment(db.session, appointments[2], TUESDAY_0900 + 2 * WEEK + timedelta(days=1),
                           source=BookingSource.API, policy=STAFF_POLICY, now=NOW)
    change_status(db.session, appointments[2], AppointmentAction.CANCELLED, source=BookingSource.ONLINE, now=NOW,
                  reason="Cancelled by the patient online")
    db.session.commit()
    run_mail_worker(app)
    *_, moved, cancelled = smtp_inbox.messages
    assert [event_of(message)[:3] for message in (moved, cancelled)] == [("REQUEST", uids[2], 1), ("CANCEL", uids[2], 2)]
    assert file_names(moved) == file_names(cancelled) == ["appointment.ics"]


def test_no_reminder_repeats_a_series_confirmation_sent_within_its_window(app, sanne, appointment_type, smtp_inbox,
                                                                           clock):
    # Reminders three days ahead: a daily series booked a day before it begins is confirmed within the
    # window of its first two appointments, not of its third.
    app.config["REMINDER_HOURS_BEFORE"] = 72
    book_series(db.session, patient=sanne, appointment_type=appointment_type(), chiropractor_id=1,
                first_start=TUESDAY_0900, rule="FREQ=DAILY;COUNT=3", source=BookingSource.FRONTDESK,
                policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    assert [message.kind for message in db.session.query(OutboxMessage)] == [MessageKind.SERIES_CONFIRMATION.value]
    assert len(smtp_inbox.messages) == 1
    third = TUESDAY_0900 + 2 * DAY
    clock.set(third - timedelta(hours=72))
    run_mail_worker(app)
    (reminder,) = db.session.query(OutboxMessage).filter_by(kind=MessageKind.REMINDER.value).all()
    assert reminder.appointment_starts_at == third


def test_a_series_confirmation_lists_only_what_is_still_booked_when_written(app, sanne, appointment_type, smtp_inbox):
    appointments = book_course(sanne, appointment_type, count=2)
    change_status(db.session, appointments[1], AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="holiday")
    db.session.commit()
    run_mail_worker(app)
    confirmation, cancelled = smtp_inbox.to("sanne@example.nl")
    assert [uid for uid, *_ in events_of(confirmation)] == [f"appointment-{appointments[0].id}@movewell.nl"]
    assert file_names(confirmation) == ["afspraak-1.ics"]
    assert "8 december" not in confirmation.get_body(("plain",)).get_content()
    assert event_of(cancelled)[:2] == ("CANCEL", f"appointment-{appointments[1].id}@movewell.nl")


def test_in_development_the_log_names_every_file_of_a_series_confirmation(app, sanne, appointment_type, caplog):
    book_course(sanne, appointment_type, count=3)
    message = db.session.query(OutboxMessage).one()
    assert write_appointment_message(message)
    with caplog.at_level(logging.INFO, logger="clinic.services.outbox"):
        log_transport(as_email(message, "afspraken@example.test"))
    assert "attachments: ['afspraak-1.ics', 'afspraak-2.ics', 'afspraak-3.ics']" in caplog.text
