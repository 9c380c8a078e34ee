"""A treatment series is confirmed in ONE e-mail listing every appointment, in the patient's language,
with one calendar file holding an event per appointment; each event has the UID the later messages
about that appointment use, so a move updates just that event. Reminders stay per appointment."""
from datetime import timedelta

from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, MessageKind, OutboxMessage
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import change_status, reschedule_appointment
from clinic.services.patient_messages import messages_about
from clinic.services.series import book_series
from tests.mail_server import calendar_of, run_mail_worker
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
    calendar = calendar_of(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    return [(str(e["UID"]), int(e["SEQUENCE"]), e.decoded("DTSTART"), e.decoded("DTEND"))
            for e in calendar.walk("VEVENT")]


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
    assert next(confirmation.iter_attachments()).get_filename() == "afspraken.ics"
    assert events_of(confirmation) == [
        (f"appointment-{a.id}@movewell.nl", 0, TUESDAY_0900 + n * WEEK, TUESDAY_0900 + n * WEEK + timedelta(minutes=30))
        for n, a in enumerate(appointments)
    ]
    assert all(event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
               for event in calendar_of(confirmation).walk("VEVENT"))

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
    assert (method, uid, sequence) == ("REQUEST", f"appointment-{third.id}@movewell.nl", 1)
    assert event.decoded("DTSTART") == TUESDAY_0900 + 2 * WEEK + timedelta(hours=2)


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
    assert [uid for uid, *_ in events_of(confirmation)] == [f"appointment-{a.id}@movewell.nl" for a in appointments]
    assert next(confirmation.iter_attachments()).get_filename() == "appointments.ics"

    # A day before the second one: a reminder of that appointment alone.
    clock.set(TUESDAY_0900 + WEEK - DAY + timedelta(minutes=1))
    run_mail_worker(app)
    _, reminder = smtp_inbox.messages
    assert subject(reminder) == "Reminder: your appointment at MoveWell on Tuesday, December 8, 2026 09:00"
    assert db.session.query(OutboxMessage).filter_by(kind=MessageKind.REMINDER.value).one().appointment_id \
        == appointments[1].id


def test_a_series_confirmation_lists_only_what_is_still_booked_when_written(app, sanne, appointment_type, smtp_inbox):
    appointments = book_course(sanne, appointment_type, count=2)
    change_status(db.session, appointments[1], AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="holiday")
    db.session.commit()
    run_mail_worker(app)
    confirmation, cancelled = smtp_inbox.to("sanne@example.nl")
    assert [uid for uid, *_ in events_of(confirmation)] == [f"appointment-{appointments[0].id}@movewell.nl"]
    assert "8 december" not in confirmation.get_body(("plain",)).get_content()
    assert event_of(cancelled)[:2] == ("CANCEL", f"appointment-{appointments[1].id}@movewell.nl")
