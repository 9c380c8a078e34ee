"""The waitlist: patients waiting for an earlier time, and the free times offered to them.

A cancellation, a move or removed time off writes down the time that became free
(``clinic.services.booking.time_freed``, in the same transaction); the mail worker offers it to
the waiting patients it suits (``offer_freed_times``) and e-mails each a link that claims it once.
A freed time that held the decompression table frees the table for the other chiropractors too:
patients waiting for a type that needs it get a time of another chosen chiropractor who is free
then, found by the same availability checks as every booking.
The first claim books it through the booking service, where the database decides as for every
booking; a later claim finds the time gone, and that patient stays on the list.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from clinic.errors import Conflict, Invalid, LinkRefused, NotFound
from clinic.localtime import to_local
from clinic.models import (
    Appointment,
    AppointmentType,
    BookingSource,
    Chiropractor,
    FreedTime,
    OfferOutcome,
    Patient,
    TokenPurpose,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistSource,
    WaitlistStatus,
    waitlist_entry_chiropractors,
)
from clinic.scheduling.types import Slot
from clinic.scheduling.waitlist import (
    WAITLIST_POLICY,
    FreedSpan,
    Wish,
    first_suiting,
    frees_others,
    opened_by,
    weekdays_mask,
    weekdays_of,
    wish_problems,
)
from clinic.services.booking import (
    BookingRejected,
    NotOffered,
    SlotTaken,
    book_appointment,
    find_free_slots,
    not_offering,
    patient_appointments,
)
from clinic.services.patient_links import issue_single_use_link, link_of, valid_single_use_link


class OfferGone(Conflict):
    """The offered time was booked by somebody else first (or no longer fits); the patient stays on the list."""

    code = "offer_gone"


@dataclass(frozen=True)
class WishDetails:
    """What a patient asks to wait for, as a form or the API gives it."""

    appointment_type: AppointmentType
    until: date
    chiropractor_ids: Sequence[int] = ()
    weekdays: Sequence[int] = ()
    from_time: time | None = None
    to_time: time | None = None


def wish_of(entry: WaitlistEntry) -> Wish:
    """Return the entry's wish as the waitlist rules read it."""
    return Wish(appointment_type_id=entry.appointment_type_id, until=entry.until,
                chiropractor_ids=frozenset(c.id for c in entry.chiropractors), weekdays=weekdays_of(entry.weekdays),
                from_time=entry.from_time, to_time=entry.to_time)


def join_waitlist(session: Session, patient: Patient, details: WishDetails, *, created_by: WaitlistSource,
                  today: date) -> WaitlistEntry:
    """Put the patient on the waitlist for the type.

    :raises Invalid: a field is wrong (``until.in_past``, ``chiropractor_ids.N`` unknown or not
        offering the type, …), or the patient already waits for this type (``type``: ``already_waiting``).
    """
    wish = Wish(appointment_type_id=details.appointment_type.id, until=details.until,
                chiropractor_ids=frozenset(details.chiropractor_ids), weekdays=frozenset(details.weekdays),
                from_time=details.from_time, to_time=details.to_time)
    problems = wish_problems(wish, today)
    chiropractors = {c.id: c for c in session.scalars(
        select(Chiropractor).where(Chiropractor.id.in_(wish.chiropractor_ids), Chiropractor.is_active))}
    excluded = not_offering(session, details.appointment_type)
    problems.update({f"chiropractor_ids.{n}": "unknown" if wanted not in chiropractors else NotOffered.code
                     for n, wanted in enumerate(details.chiropractor_ids)
                     if wanted not in chiropractors or wanted in excluded})
    if problems:
        raise Invalid("Some details of the waitlist entry are not valid.", fields=problems)
    entry = WaitlistEntry(patient=patient, appointment_type=details.appointment_type,
                          chiropractors=list(chiropractors.values()), weekdays=weekdays_mask(wish.weekdays),
                          from_time=wish.from_time, to_time=wish.to_time, until=wish.until,
                          created_by=created_by.value)
    try:
        with session.begin_nested():
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise Invalid("The patient is already on the waitlist for this treatment.",
                      fields={"type": "already_waiting"}) from None
    return entry


def leave_waitlist(session: Session, entry: WaitlistEntry, now: datetime) -> None:
    """Take the entry off the list (by the patient or the desk); an entry no longer active stays as it is."""
    if entry.status == WaitlistStatus.ACTIVE.value:
        end_entry(entry, WaitlistStatus.REMOVED, now)
        session.flush()


def end_entry(entry: WaitlistEntry, status: WaitlistStatus, now: datetime) -> None:
    entry.status, entry.ended_at = status.value, now


def expire_waitlist(session: Session, today: date, now: datetime) -> int:
    """Mark the active entries whose last day has passed as expired; return how many."""
    entries = session.scalars(select(WaitlistEntry).where(WaitlistEntry.status == WaitlistStatus.ACTIVE.value,
                                                          WaitlistEntry.until < today)).all()
    for entry in entries:
        end_entry(entry, WaitlistStatus.EXPIRED, now)
    session.flush()
    return len(entries)


def waitlist_entries(session: Session, *, patient: Patient | None = None,
                     active_only: bool = False) -> list[WaitlistEntry]:
    """Return the waitlist (or one patient's entries), active first, then newest first, with their offers."""
    query = (select(WaitlistEntry)
             .options(selectinload(WaitlistEntry.chiropractors), selectinload(WaitlistEntry.patient),
                      selectinload(WaitlistEntry.appointment_type),
                      selectinload(WaitlistEntry.offers).selectinload(WaitlistOffer.chiropractor))
             .order_by((WaitlistEntry.status == WaitlistStatus.ACTIVE.value).desc(), WaitlistEntry.created_at.desc(),
                       WaitlistEntry.id.desc()))
    if patient is not None:
        query = query.where(WaitlistEntry.patient_id == patient.id)
    if active_only:
        query = query.where(WaitlistEntry.status == WaitlistStatus.ACTIVE.value)
    return list(session.scalars(query))


def entry_of_patient(session: Session, patient: Patient, entry_id: int) -> WaitlistEntry:
    """Return the patient's own entry, or raise ``NotFound`` (also for someone else's)."""
    entry = session.get(WaitlistEntry, entry_id)
    if entry is None or entry.patient_id != patient.id:
        raise NotFound("No such waitlist entry.")
    return entry


# When a time becomes free


def offer_freed_times(session: Session, now: datetime) -> list[WaitlistOffer]:
    """Offer every time written down as freed to the waiting patients it suits (each their earliest
    suiting start in it, with that chiropractor); return the new offers. Each freed time is offered once."""
    query = select(FreedTime).order_by(FreedTime.id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    offers = []
    for freed in session.scalars(query).all():
        offers.extend(offer_freed_time(session, freed, now))
        session.delete(freed)
    session.flush()
    return offers


def offer_freed_time(session: Session, freed: FreedTime, now: datetime) -> list[WaitlistOffer]:
    if freed.ends_at <= now:
        return []
    span = FreedSpan(freed.chiropractor_id, freed.starts_at, freed.ends_at, freed.resource_id)
    # A chiropractor who left offers nothing; the resource they held is free for the others all the same.
    own_time = session.get(Chiropractor, freed.chiropractor_id).is_active
    first_day, last_day = to_local(freed.starts_at).date(), to_local(freed.ends_at).date()
    free: dict[tuple[int, bool], list[Slot]] = {}
    offers = []
    for entry in waiting_for(session, freed.chiropractor_id if own_time else None, first_day, freed.resource_id):
        appointment_type = entry.appointment_type
        widened = frees_others(span, appointment_type.resource_id)
        if not (own_time or widened):
            continue
        key = (appointment_type.id, widened)
        if key not in free:
            # The same free times for every patient waiting for the type: the booking's own checks.
            free[key] = [slot for slot in find_free_slots(
                session, appointment_type, first_day, last_day, policy=WAITLIST_POLICY, now=now,
                chiropractor_id=None if widened else freed.chiropractor_id,
            ) if opened_by(span, slot, appointment_type.resource_id)]
        busy = patient_appointments(session, entry.patient_id, first_day, last_day)
        slot = first_suiting(wish_of(entry), entry.appointment_type_id, free[key], patient_busy=busy, now=now)
        already = slot is not None and session.scalar(select(WaitlistOffer.id).where(
            WaitlistOffer.entry_id == entry.id, WaitlistOffer.chiropractor_id == slot.chiropractor_id,
            WaitlistOffer.starts_at == slot.start))
        if slot is not None and not already:
            offers.append(WaitlistOffer(entry=entry, chiropractor_id=slot.chiropractor_id, starts_at=slot.start,
                                        offered_at=now))
            session.add(offers[-1])
    return offers


def waiting_for(session: Session, chiropractor_id: int | None, day: date,
                resource_id: int | None = None) -> list[WaitlistEntry]:
    """Return the active entries, with an e-mail address to offer to, that may want the chiropractor
    (none: no chiropractor) on ``day``, or wait for a type that needs the resource (none: no resource)."""
    chosen = select(waitlist_entry_chiropractors.c.entry_id).where(
        waitlist_entry_chiropractors.c.entry_id == WaitlistEntry.id)
    wanted = []
    if chiropractor_id is not None:
        wanted.append(~chosen.exists()
                      | chosen.where(waitlist_entry_chiropractors.c.chiropractor_id == chiropractor_id).exists())
    if resource_id is not None:
        wanted.append(AppointmentType.resource_id == resource_id)
    if not wanted:
        return []
    return list(session.scalars(
        select(WaitlistEntry).join(WaitlistEntry.patient).join(WaitlistEntry.appointment_type)
        .options(selectinload(WaitlistEntry.chiropractors), selectinload(WaitlistEntry.appointment_type))
        .where(WaitlistEntry.status == WaitlistStatus.ACTIVE.value, WaitlistEntry.until >= day,
               Patient.email.is_not(None), or_(*wanted))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    ))


def offers_to_send(session: Session, now: datetime) -> list[WaitlistOffer]:
    """Return the new offers whose e-mail is still to be written: to patients still waiting, of times to come."""
    query = (select(WaitlistOffer).join(WaitlistOffer.entry)
             .where(WaitlistOffer.claim_token_id.is_(None), WaitlistOffer.expires_at.is_(None),
                    WaitlistOffer.outcome == OfferOutcome.OFFERED.value, WaitlistOffer.starts_at > now,
                    WaitlistEntry.status == WaitlistStatus.ACTIVE.value)
             .order_by(WaitlistOffer.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=WaitlistOffer, skip_locked=True)
    return list(session.scalars(query))


def issue_claim_link(session: Session, offer: WaitlistOffer, now: datetime, lifetime: timedelta) -> str:
    """Create the offer's single-use claim link, valid for ``lifetime`` (never past the offered start); return its secret."""
    offer.expires_at = min(now + lifetime, offer.starts_at)
    offer.claim_token, token = issue_single_use_link(session, TokenPurpose.WAITLIST_OFFER, offer.entry.patient_id,
                                                     offer.expires_at)
    return token


def offer_of_link(session: Session, token: str) -> WaitlistOffer:
    """Return the offer a claim link belongs to, claimed or expired alike, or raise ``LinkRefused``."""
    link = link_of(session, token, TokenPurpose.WAITLIST_OFFER)
    offer = None if link is None else session.scalar(select(WaitlistOffer).where(WaitlistOffer.claim_token_id == link.id))
    if offer is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    return offer


def offer_state(offer: WaitlistOffer, now: datetime) -> str:
    """Return what the patient sees of the offer: 'open', 'claimed', 'gone' or 'expired'."""
    if offer.outcome != OfferOutcome.OFFERED.value:
        return offer.outcome
    if offer.expires_at is None or offer.expires_at <= now or offer.entry.status != WaitlistStatus.ACTIVE.value:
        return "expired"
    return "open"


def claim_offer(session: Session, token: str, now: datetime) -> Appointment:
    """Book the offered time for the patient and take them off the list; the link is used up either way.

    :raises NotFound: the link is unknown, used or expired.
    :raises OfferGone: somebody else got the time first (or it no longer fits); recorded on the
        offer, and the patient stays on the list. The caller commits this too.
    """
    link = valid_single_use_link(session, token, TokenPurpose.WAITLIST_OFFER, now, lock=True)
    link.used_at = now
    offer = session.scalar(select(WaitlistOffer).where(WaitlistOffer.claim_token_id == link.id))
    entry = offer.entry
    if entry.status != WaitlistStatus.ACTIVE.value:
        answer_offer(session, offer, OfferOutcome.GONE, now)
        raise OfferGone("You are no longer on the waitlist for this treatment.", code="not_waiting")
    try:
        appointment = book_appointment(
            session, patient=entry.patient, appointment_type=entry.appointment_type, starts_at=offer.starts_at,
            chiropractor_id=offer.chiropractor_id, source=BookingSource.ONLINE, policy=WAITLIST_POLICY, now=now)
    except (SlotTaken, BookingRejected, NotOffered):
        answer_offer(session, offer, OfferOutcome.GONE, now)
        raise OfferGone("Somebody else has just taken this time.") from None
    end_entry(entry, WaitlistStatus.BOOKED, now)
    entry.appointment = appointment
    answer_offer(session, offer, OfferOutcome.CLAIMED, now)
    return appointment


def answer_offer(session: Session, offer: WaitlistOffer, outcome: OfferOutcome, now: datetime) -> None:
    offer.outcome, offer.claimed_at = outcome.value, now
    session.flush()
