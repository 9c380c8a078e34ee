"""A freed time that held the decompression table frees the table for the other chiropractors too:
patients waiting for decompression with another chiropractor who is free then get it offered, with
that chiropractor; not when that chiropractor is busy, away or does not offer it, nor for a type
that needs no table."""
from __future__ import annotations

from datetime import datetime, timedelta

from clinic.extensions import db
from clinic.models import Appointment, AppointmentType, BookingSource, Chiropractor, TypeNotOffered, WaitlistOffer
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import reschedule_appointment
from clinic.services.staffing import add_time_off
from tests.mail_server import run_mail_worker
from tests.services.conftest import NOW
from tests.waitlist.conftest import MASSAGE, claim_path
from tests.waitlist.test_waitlist_offers import AMS, TUESDAY_0900, book, cancel, offer_mails

DECOMPRESSION = "decompression"


def offers() -> dict[str, tuple[int, datetime]]:
    """Return each offered patient's first name with the chiropractor and start offered."""
    return {o.entry.patient.first_name: (o.chiropractor_id, o.starts_at.astimezone(AMS))
            for o in db.session.query(WaitlistOffer)}


def test_the_freed_table_time_goes_to_who_waits_for_another_free_chiropractor(
    app, waiting, create_patient, smtp_inbox, client
):
    waiting("Anna", code=DECOMPRESSION, chiropractor_ids=[2])
    waiting("Bas", code=DECOMPRESSION, language="en")  # any chiropractor
    waiting("Carla", code=MASSAGE, chiropractor_ids=[2])  # needs no table: only chiropractor 1's time was freed
    waiting("Dirk", code=DECOMPRESSION, chiropractor_ids=[3])  # chiropractor 3 is busy at nine
    book(create_patient(first_name="Eva"), chiropractor_id=3, code=MASSAGE)
    waiting("Fleur", code=DECOMPRESSION, chiropractor_ids=[4])  # chiropractor 4 is away that morning
    add_time_off(db.session, db.session.get(Chiropractor, 4), starts_at=TUESDAY_0900 - timedelta(hours=1),
                 ends_at=TUESDAY_0900 + timedelta(hours=3), reason="course", now=NOW)
    db.session.commit()
    cancel(book(create_patient(first_name="Sanne"), chiropractor_id=1, code=DECOMPRESSION))

    run_mail_worker(app)
    assert offers() == {"Anna": (2, TUESDAY_0900), "Bas": (1, TUESDAY_0900)}
    (anna,) = offer_mails(smtp_inbox, "anna@example.nl")
    client.post(claim_path(anna))
    db.session.expire_all()
    (booked,) = db.session.query(Appointment).filter_by(status="booked", starts_at=TUESDAY_0900,
                                                         appointment_type_id=decompression_id()).all()
    assert booked.chiropractor_id == 2 and booked.patient.first_name == "Anna"
    # The table is taken again: Bas's offer of the same table time (with chiropractor 1) is gone.
    (bas,) = offer_mails(smtp_inbox, "bas@example.nl")
    client.post(claim_path(bas))
    assert "this time is gone" in client.get(claim_path(bas)).text


def test_no_offer_when_the_other_chosen_chiropractor_is_not_free_then(app, waiting, create_patient, smtp_inbox):
    waiting("Dirk", code=DECOMPRESSION, chiropractor_ids=[3])
    waiting("Gijs", code=DECOMPRESSION, chiropractor_ids=[2])
    book(create_patient(first_name="Eva"), chiropractor_id=3, code=MASSAGE)
    db.session.add(TypeNotOffered(chiropractor_id=2, appointment_type_id=decompression_id()))
    db.session.commit()
    cancel(book(create_patient(first_name="Sanne"), chiropractor_id=1, code=DECOMPRESSION))
    run_mail_worker(app)
    assert offers() == {}
    assert offer_mails(smtp_inbox, "dirk@example.nl") == [] and offer_mails(smtp_inbox, "gijs@example.nl") == []


def test_a_moved_table_appointment_frees_its_old_table_time_for_the_others(app, waiting, create_patient):
    waiting("Anna", code=DECOMPRESSION, chiropractor_ids=[2], weekdays=[1])
    appointment = book(create_patient(first_name="Sanne"), chiropractor_id=1, code=DECOMPRESSION)
    reschedule_appointment(db.session, appointment, TUESDAY_0900 + timedelta(hours=5), source=BookingSource.FRONTDESK,
                           policy=STAFF_POLICY, now=NOW)
    db.session.commit()
    run_mail_worker(app)
    run_mail_worker(app)
    assert offers() == {"Anna": (2, TUESDAY_0900)}


def test_a_time_without_the_table_frees_nothing_for_the_other_chiropractors(app, waiting, create_patient):
    waiting("Anna", code=DECOMPRESSION, chiropractor_ids=[2])
    # The table is taken by chiropractor 3 at nine; chiropractor 1's massage frees no table time.
    book(create_patient(first_name="Eva"), chiropractor_id=3, code=DECOMPRESSION)
    cancel(book(create_patient(first_name="Sanne"), chiropractor_id=1, code=MASSAGE))
    run_mail_worker(app)
    assert offers() == {}


def decompression_id() -> int:
    return db.session.query(AppointmentType).filter_by(code=DECOMPRESSION).one().id
