"""Everyone offered one freed time claims it at once: exactly one gets it, the others find it gone
and stay on the waitlist (the database decides, as with every booking)."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentAction,
    AppointmentType,
    BookingSource,
    OfferOutcome,
    Patient,
    WaitlistOffer,
    WaitlistSource,
)
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import book_appointment, change_status
from clinic.services.seed import seed_clinic
from clinic.services.waitlist import (
    OfferGone,
    WishDetails,
    claim_offer,
    issue_claim_link,
    join_waitlist,
    offer_freed_times,
)
from tests.concurrency.test_double_booking import NOW, ROUNDS, race, slot

WAITING = 100


def test_a_hundred_claims_of_one_freed_time_give_one_booking(app):
    seed_clinic(db.session)
    massage = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
    tokens = []
    for n in range(WAITING):
        patient = Patient(first_name="Wachtende", last_name=str(n), date_of_birth=date(1990, 1, 1),
                          email=f"wacht{n}@example.nl", created_source="online")
        entry = join_waitlist(db.session, patient, WishDetails(massage, NOW.date() + timedelta(days=30)),
                              created_by=WaitlistSource.PATIENT, today=NOW.date())
        offer = WaitlistOffer(entry=entry, chiropractor_id=1, starts_at=slot(0), offered_at=NOW)
        db.session.add(offer)
        tokens.append(issue_claim_link(db.session, offer, NOW, timedelta(hours=2)))
    db.session.commit()
    gone = []

    def claim(token):
        def attempt():
            try:
                claim_offer(db.session, token, NOW)
            except OfferGone:
                gone.append(token)  # committed all the same: the offer says it came too late
        return attempt

    outcomes = race(app, [claim(token) for token in tokens])
    assert outcomes == Counter(ok=WAITING) and len(gone) == WAITING - 1
    db.session.rollback()
    (booked,) = db.session.scalars(select(Appointment).where(Appointment.status == "booked")).all()
    assert Counter(db.session.scalars(select(WaitlistOffer.outcome))) == Counter(
        {OfferOutcome.CLAIMED.value: 1, OfferOutcome.GONE.value: WAITING - 1})
    winner = db.session.scalar(select(WaitlistOffer).where(WaitlistOffer.outcome == OfferOutcome.CLAIMED.value))
    assert winner.entry.patient_id == booked.patient_id and winner.entry.status == "booked"


def test_two_claims_of_one_freed_table_time_with_different_chiropractors_give_one_booking(app):
    """The decompression table freed by chiropractor 1 is offered to two patients waiting for
    chiropractors 2 and 3; both claim at once: the table's constraint lets exactly one have it.
    Each round its own patients, waiting until that round's day (the loser is not offered the next)."""
    seed_clinic(db.session)
    decompression = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "decompression"))
    sanne = waiting_patient("sanne")

    def claim(token):
        def attempt():
            try:
                claim_offer(db.session, token, NOW)
            except OfferGone:
                pass  # committed all the same: the offer says it came too late
        return attempt

    for round_number in range(ROUNDS):
        entries = [join_waitlist(db.session, waiting_patient(f"wacht{round_number}-{chiropractor_id}"),
                                 WishDetails(decompression, slot(round_number).date(), [chiropractor_id]),
                                 created_by=WaitlistSource.PATIENT, today=NOW.date()) for chiropractor_id in (2, 3)]
        booked = book_appointment(db.session, patient=sanne, appointment_type=decompression,
                                  starts_at=slot(round_number), chiropractor_id=1, source=BookingSource.FRONTDESK,
                                  policy=STAFF_POLICY, now=NOW)
        change_status(db.session, booked, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                      reason="ill")
        offers = offer_freed_times(db.session, NOW)
        assert sorted((o.entry_id, o.chiropractor_id, o.starts_at) for o in offers) == [
            (entries[0].id, 2, slot(round_number)), (entries[1].id, 3, slot(round_number))]
        tokens = [issue_claim_link(db.session, offer, NOW, timedelta(hours=2)) for offer in offers]
        db.session.commit()

        assert race(app, [claim(token) for token in tokens]) == Counter(ok=2)
        db.session.rollback()
        (winner,) = db.session.scalars(select(Appointment).where(
            Appointment.status == "booked", Appointment.starts_at == slot(round_number))).all()
        assert winner.resource_id == decompression.resource_id and winner.chiropractor_id in (2, 3)
        for entry in entries:
            db.session.refresh(entry)
        assert sorted((e.status, o.outcome) for e in entries for o in e.offers) == [
            ("active", OfferOutcome.GONE.value), ("booked", OfferOutcome.CLAIMED.value)]
        assert {e.patient_id for e in entries if e.status == "booked"} == {winner.patient_id}


def waiting_patient(name: str) -> Patient:
    return Patient(first_name=name, last_name="Wacht", date_of_birth=date(1990, 1, 1), email=f"{name}@example.nl",
                   created_source="online")
