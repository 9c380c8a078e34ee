"""A freed time goes to the waiting patients it suits, by e-mail in their language; the first claim
books it, a later one finds it gone and stays on the list; links work once and expire."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentAction,
    AppointmentType,
    BookingSource,
    Chiropractor,
    OfferOutcome,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistSource,
    WaitlistStatus,
)
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, change_status, reschedule_appointment
from clinic.services.staffing import add_time_off, remove_time_off
from clinic.services.waitlist import WishDetails, join_waitlist, leave_waitlist
from tests.mail_server import run_mail_worker
from tests.services.conftest import NOW
from tests.services.test_patient_mail import subject
from tests.waitlist.conftest import MASSAGE, claim_path

AMS = ZoneInfo("Europe/Amsterdam")
TUESDAY_0900 = datetime(2026, 12, 1, 9, 0, tzinfo=AMS)


def book(patient, starts_at=TUESDAY_0900, chiropractor_id=1, code=MASSAGE) -> Appointment:
    appointment = book_appointment(
        db.session, patient=patient, appointment_type=db.session.query(AppointmentType).filter_by(code=code).one(),
        starts_at=starts_at, chiropractor_id=chiropractor_id, source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
        now=NOW)
    db.session.commit()
    return appointment


def cancel(appointment) -> None:
    change_status(db.session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="ill")
    db.session.commit()


def offer_mails(inbox, address):
    return [m for m in inbox.to(address) if "/wachtlijst/" in str(m.get_body(("plain",)).get_content())
            or "/waitlist/" in str(m.get_body(("plain",)).get_content())]


def test_a_cancelled_time_goes_to_who_it_suits_and_the_first_claim_books_it(
    app, waiting, create_patient, smtp_inbox, client
):
    piet = waiting("Piet")
    emma = waiting("Emma", language="en", weekdays=[1], from_time=time(8, 0), to_time=time(12, 0))
    waiting("Kees", weekdays=[3])  # Thursdays only
    waiting("Joost", chiropractor_ids=[2])  # another chiropractor
    waiting("Bram", to_time=time(9, 15))  # the half hour would end after 09:15
    lotte = waiting("Lotte")
    book(lotte, chiropractor_id=2)  # busy herself at that time
    sanne = create_patient(first_name="Sanne", email="sanne@example.nl")
    cancel(book(sanne))

    run_mail_worker(app)
    assert {m["To"] for m in smtp_inbox.messages if "/wachtlijst/" in m.get_body(("plain",)).get_content()
            or "/waitlist/" in m.get_body(("plain",)).get_content()} == {"piet@example.nl", "emma@example.nl"}
    (dutch,) = offer_mails(smtp_inbox, "piet@example.nl")
    (english,) = offer_mails(smtp_inbox, "emma@example.nl")
    assert "vrijgekomen" in subject(dutch) and "come free" in subject(english)
    assert "dinsdag 1 december 2026, 09:00" in dutch.get_body(("plain",)).get_content()
    assert claim_path(dutch).startswith("/afspraak/wachtlijst/") and claim_path(english).startswith("/en/book/waitlist/")

    page = client.get(claim_path(english))
    assert page.status_code == 200 and "Book this time" in page.text and page.headers["Cache-Control"] == "no-store"
    client.post(claim_path(english))
    assert "This time is yours" in client.get(claim_path(english)).text
    client.post(claim_path(dutch))
    assert "bezet" in client.get(claim_path(dutch)).text

    db.session.expire_all()
    (booked,) = db.session.query(Appointment).filter_by(starts_at=TUESDAY_0900, chiropractor_id=1,
                                                         status="booked").all()
    assert booked.patient_id == emma.id
    entries = {e.patient_id: e for e in db.session.query(WaitlistEntry)}
    assert entries[emma.id].status == "booked" and entries[emma.id].appointment_id == booked.id
    assert entries[piet.id].status == "active"
    assert {o.entry.patient_id: o.outcome for o in db.session.query(WaitlistOffer)} == {
        emma.id: OfferOutcome.CLAIMED.value, piet.id: OfferOutcome.GONE.value}


def test_the_claim_link_expires_after_the_configured_hours_and_works_once(app, waiting, create_patient, smtp_inbox,
                                                                          client, clock):
    waiting("Piet")
    cancel(book(create_patient(first_name="Sanne")))
    run_mail_worker(app)
    (mail,) = offer_mails(smtp_inbox, "piet@example.nl")
    offer = db.session.query(WaitlistOffer).one()
    assert offer.expires_at == NOW + timedelta(hours=app.config["WAITLIST_OFFER_HOURS"])
    clock.set(offer.expires_at)
    client.post(claim_path(mail))
    assert "verlopen" in client.get(claim_path(mail)).text
    assert db.session.query(Appointment).filter_by(status="booked").count() == 0
    unknown = client.get("/afspraak/wachtlijst/not-a-link")
    assert unknown.status_code == 404 and "Deze link kennen we niet" in unknown.get_data(as_text=True)


def test_a_move_and_removed_time_off_offer_the_time_once(app, waiting, create_patient, smtp_inbox):
    waiting("Piet", weekdays=[1])
    appointment = book(create_patient(first_name="Sanne"))
    reschedule_appointment(db.session, appointment, TUESDAY_0900 + timedelta(hours=5), source=BookingSource.FRONTDESK,
                           policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    run_mail_worker(app)
    assert [o.starts_at for o in db.session.query(WaitlistOffer)] == [TUESDAY_0900]

    chiropractor = db.session.get(Chiropractor, 2)
    period = add_time_off(db.session, chiropractor, starts_at=datetime(2026, 12, 8, 8, 0, tzinfo=AMS),
                          ends_at=datetime(2026, 12, 8, 18, 0, tzinfo=AMS), reason="course", now=NOW).time_off
    db.session.commit()
    remove_time_off(db.session, period, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    offered = db.session.query(WaitlistOffer).filter_by(chiropractor_id=2).one()
    assert offered.starts_at.astimezone(AMS).date() == date(2026, 12, 8)
    assert len(offer_mails(smtp_inbox, "piet@example.nl")) == 2


def test_who_left_the_list_or_whose_last_day_passed_gets_no_offer(app, waiting, create_patient, smtp_inbox, clock):
    piet = waiting("Piet")
    waiting("Kees", until=date(2026, 11, 30))
    leave_waitlist(db.session, db.session.query(WaitlistEntry).filter_by(patient_id=piet.id).one(), NOW)
    db.session.commit()
    clock.set(NOW + timedelta(days=1))
    cancel(book(create_patient(first_name="Sanne")))
    run_mail_worker(app)
    assert db.session.query(WaitlistOffer).count() == 0
    assert {e.status for e in db.session.query(WaitlistEntry)} == {"removed", "expired"}


def test_a_wish_that_cannot_be_kept_is_refused_per_field(app, waiting, create_patient):
    piet = waiting("Piet")
    massage = db.session.query(AppointmentType).filter_by(code=MASSAGE).one()
    with pytest.raises(Invalid) as refusal:
        join_waitlist(db.session, create_patient(first_name="Kees"),
                      WishDetails(massage, date(2026, 11, 1), [1, 999], [9], time(12, 0), time(9, 0)),
                      created_by=WaitlistSource.PATIENT, today=NOW.date())
    assert refusal.value.fields == {"until": "day_passed", "chiropractor_ids.1": "unknown", "weekdays": "unknown_weekday",
                                    "to_time": "before_from_time"}
    with pytest.raises(Invalid) as refusal:
        join_waitlist(db.session, piet, WishDetails(massage, date(2026, 12, 31)), created_by=WaitlistSource.PATIENT,
                      today=NOW.date())
    assert refusal.value.fields == {"type": "already_waiting"}
    assert db.session.query(WaitlistEntry).filter_by(status=WaitlistStatus.ACTIVE.value).count() == 1
