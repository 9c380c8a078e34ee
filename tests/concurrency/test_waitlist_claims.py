"""Everyone offered one freed time claims it at once: exactly one gets it, the others find it gone
and stay on the waitlist (the database decides, as with every booking)."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Appointment, AppointmentType, OfferOutcome, Patient, WaitlistOffer, WaitlistSource
from clinic.services.seed import seed_clinic
from clinic.services.waitlist import OfferGone, WishDetails, claim_offer, issue_claim_link, join_waitlist
from tests.concurrency.test_double_booking import NOW, race, slot

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
