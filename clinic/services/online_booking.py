"""Patients booking, cancelling and moving their own appointments on the public site.

The public answer never tells whether someone is already a patient, and carries no internal id.
A returning patient is matched on e-mail address and date of birth together:

- For a type open to new patients the booking is made at once, into the matched record or a new
  one; the answer (the manage link, the booked time) is the same either way.
- A type for returning patients only, or one that needs a current screening by the chiropractor
  (``online_needs_screening``), cannot be booked at once: the answer would have to differ
  (booked for a patient, refused for anyone else), and so would the free times afterwards. So
  ``book_online`` books nothing and answers every visitor alike, after checks that do not depend
  on the person (the details, consent, the time still free, the open bookings of the e-mail
  address). Only a match gets an e-mail with a link (``returning_booking_token``) that books the
  appointment when its owner follows it (``confirm_returning_booking``); anyone else gets
  nothing, and the page tells every visitor that an intake comes first for someone new. Owning
  the mailbox is the proof of identity that e-mail and birth date alone are not. For a type that
  needs a screening, only a match whose screening is current gets the link; the screening is
  looked up whether or not anyone matched, so the time taken does not tell either.
- A spacing rule (``AppointmentType.min_hours_apart``) refuses a time too close to another of the
  patient's appointments of the type; the public answer says only that, never when or with whom.
  The page behind the patient's own manage link offers only moves that keep the spacing.

What remains: someone who knows a patient's e-mail and birth date and guesses the exact time of
one of their appointments gets "you already have an appointment then" (``patient_busy``) for an
open type, or a time near one of a type with a spacing rule "too close to another appointment"
(``spacing_too_short``), and the e-mail's queueing takes a few milliseconds more for a match.
"""
from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select, text
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, LinkRefused
from clinic.localtime import to_local
from clinic.models import (
    Appointment,
    AppointmentAction,
    AppointmentStatus,
    AppointmentType,
    BookingSource,
    CreatedSource,
    Modality,
    Patient,
    PatientToken,
    TokenPurpose,
)
from clinic.readiness.states import ScreeningStatus
from clinic.scheduling import SlotPolicy
from clinic.services.booking import (
    SlotTaken,
    TooCloseToAnother,
    book_appointment,
    change_status,
    find_free_slots,
    reschedule_appointment,
)
from clinic.services.patients import NewPatient, add_patient, cleaned
from clinic.services.readiness import screening_status
from clinic.text import is_storable

# How long the e-mailed link of a returning-patients-only booking books the time (if still free).
RETURNING_LINK_LIFETIME = timedelta(hours=24)
RETURNING_LINK_SALT = "online-booking.returning-patient"


@dataclass(frozen=True)
class OnlineBooking:
    """Everything the public form collects."""

    type_code: str
    chiropractor_id: int | None
    starts_at: datetime
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    language: str
    consent: bool


@dataclass(frozen=True)
class BookedOnline:
    """A booking made: the appointment and the secret of its manage link."""

    appointment: Appointment
    manage_token: str


@dataclass(frozen=True)
class AwaitingConfirmation:
    """A returning-patients-only booking was asked for; nothing is booked yet.

    ``patient`` is the match, or ``None``: the caller e-mails a match the link and must answer the
    visitor the same either way.
    """

    request: OnlineBooking
    appointment_type: AppointmentType
    patient: Patient | None


@dataclass(frozen=True)
class ReturningBooking:
    """What the link of a returning-patients-only booking books, read back from its token."""

    patient: Patient
    appointment_type: AppointmentType
    chiropractor_id: int | None
    starts_at: datetime
    language: str


@dataclass(frozen=True)
class OnlineRules:
    policy: SlotPolicy
    max_open_bookings: int
    cancellation_deadline: timedelta


def online_rules(config: Mapping) -> OnlineRules:
    """Return the online booking rules the app's settings describe (ONLINE_*, CANCELLATION_*)."""
    return OnlineRules(
        policy=SlotPolicy(
            grid=timedelta(minutes=config["ONLINE_GRID_MINUTES"]),
            min_notice=timedelta(hours=config["ONLINE_MIN_NOTICE_HOURS"]),
            horizon=timedelta(weeks=config["ONLINE_HORIZON_WEEKS"]),
            enforce_grid=True,
        ),
        max_open_bookings=config["ONLINE_MAX_OPEN_BOOKINGS"],
        cancellation_deadline=timedelta(hours=config["CANCELLATION_DEADLINE_HOURS"]),
    )


def online_types(session: Session) -> list[AppointmentType]:
    """Return the appointment types patients may book themselves, in the order of ``Modality``, then shortest first.

    ``Modality`` lists the treatments as a patient meets them: the intake first, then follow-ups, massages,
    dry needling and decompression.
    """
    modality_order = case({modality.value: rank for rank, modality in enumerate(Modality)},
                          value=AppointmentType.modality)
    return list(
        session.scalars(
            select(AppointmentType)
            .where(AppointmentType.is_active, AppointmentType.is_online_bookable)
            .order_by(modality_order, AppointmentType.duration_minutes, AppointmentType.code)
        )
    )


def online_type(session: Session, code: str) -> AppointmentType:
    """Return the online-bookable type with ``code``, or raise ``Invalid`` naming the field."""
    # The code comes from the URL; one with a NUL byte would make PostgreSQL fail the query.
    appointment_type = None if not is_storable(code) else session.scalar(
        select(AppointmentType).where(
            AppointmentType.code == code, AppointmentType.is_active, AppointmentType.is_online_bookable
        )
    )
    if appointment_type is None:
        raise Invalid("Choose a treatment.", fields={"type": "unknown_type"})
    return appointment_type


def book_online(
    session: Session, request: OnlineBooking, *, rules: OnlineRules, now: datetime
) -> BookedOnline | AwaitingConfirmation:
    """Book the appointment for the patient (matched or new), or, for a type for returning
    patients only, check the request and return who (if anyone) to e-mail a link to.

    :raises Invalid: a field is wrong or consent is missing.
    :raises Conflict: the e-mail address already has the maximum of open online bookings.
    :raises SlotTaken: somebody else got the time first.
    """
    appointment_type = online_type(session, request.type_code)
    details = NewPatient(
        request.first_name, request.last_name, request.date_of_birth, request.email, request.phone, request.language
    )
    values = cleaned(details, now.date())
    if not values["email"]:
        raise Invalid("An e-mail address is needed for the confirmation.", fields={"email": "required"})
    if not request.consent:
        raise Invalid("Please agree to the privacy statement.", fields={"consent": "required"})
    lock_email(session, values["email"])
    if confirmed_by_email(appointment_type):
        # Only checks that do not depend on whether the person is a patient come before the answer.
        if not is_free(session, appointment_type, request.chiropractor_id, request.starts_at, rules, now):
            raise SlotTaken("Someone else just booked this time.", code="slot_taken")
        check_open_bookings(session, values["email"], rules, now)
        return AwaitingConfirmation(
            request, appointment_type,
            link_recipient(session, appointment_type, values["email"], values["date_of_birth"], now),
        )
    patient = returning_patient(session, values["email"], values["date_of_birth"])
    if patient is not None and has_appointment_at(session, patient, request.starts_at):
        # Usually the same form sent twice (a double click, a browser retry).
        raise SlotTaken("You already have an appointment at this time.", code="patient_busy")
    check_open_bookings(session, values["email"], rules, now)
    if patient is None:
        patient = add_patient(session, values, source=CreatedSource.ONLINE, privacy_consent_at=now)
    elif patient.privacy_consent_at is None:
        patient.privacy_consent_at = now
    try:
        appointment = book_appointment(
            session,
            patient=patient,
            appointment_type=appointment_type,
            starts_at=request.starts_at,
            chiropractor_id=request.chiropractor_id,
            source=BookingSource.ONLINE,
            policy=rules.policy,
            now=now,
        )
    except TooCloseToAnother:
        # Whoever knows the e-mail address and birth date learns no more than that (not when, nor with whom).
        raise Conflict("Another appointment for this treatment is too close to this time.",
                       code=TooCloseToAnother.code, fields={"start": TooCloseToAnother.code}) from None
    return BookedOnline(appointment, issue_manage_token(session, appointment))


def confirmed_by_email(appointment_type: AppointmentType) -> bool:
    """Tell whether an online booking of the type waits for a link e-mailed to a matched patient:
    a type for returning patients only, or one that needs a current screening."""
    return not appointment_type.is_open_to_new_patients or appointment_type.online_needs_screening


def link_recipient(
    session: Session, appointment_type: AppointmentType, email: str, date_of_birth: date, now: datetime
) -> Patient | None:
    """Return the patient to e-mail the booking link to: the match, if the type needs no screening
    or theirs is current; else nobody. The same queries run whether or not anyone matches."""
    patient = returning_patient(session, email, date_of_birth)
    if not appointment_type.online_needs_screening:
        return patient
    status = screening_status(session, None if patient is None else patient.id, now)
    return patient if status is ScreeningStatus.CURRENT else None


def check_open_bookings(session: Session, email: str, rules: OnlineRules, now: datetime) -> None:
    if open_online_bookings(session, email, now) >= rules.max_open_bookings:
        raise Conflict("This e-mail address already has the most open online bookings.", code="too_many_open_bookings")


def is_free(session: Session, appointment_type: AppointmentType, chiropractor_id: int | None, starts_at: datetime,
            rules: OnlineRules, now: datetime) -> bool:
    """Tell whether the online booking pages would offer this time (with this chiropractor, if one is chosen)."""
    day = to_local(starts_at).date()
    return any(
        slot.start == starts_at and chiropractor_id in (None, slot.chiropractor_id)
        for slot in find_free_slots(session, appointment_type, day, day, policy=rules.policy, now=now,
                                    chiropractor_id=chiropractor_id)
    )


def returning_booking_token(waiting: AwaitingConfirmation, *, secret: str, now: datetime) -> str:
    """Return the signed token of the link that books ``waiting`` for its matched patient."""
    request = waiting.request
    return URLSafeSerializer(secret, salt=RETURNING_LINK_SALT).dumps({
        "patient": waiting.patient.id, "type": waiting.appointment_type.code, "chiropractor": request.chiropractor_id,
        "start": request.starts_at.isoformat(), "language": request.language,
        "until": (now + RETURNING_LINK_LIFETIME).isoformat(),
    })


def read_returning_booking(session: Session, token: str, *, secret: str, now: datetime) -> ReturningBooking:
    """Return what a returning-patients-only link books, or raise ``LinkRefused`` if it is not (or no longer) valid."""
    try:
        claim = URLSafeSerializer(secret, salt=RETURNING_LINK_SALT).loads(token)
    except BadSignature:
        raise LinkRefused(LinkRefused.UNKNOWN) from None
    patient = session.get(Patient, claim["patient"])
    if patient is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    if datetime.fromisoformat(claim["until"]) <= now:
        raise LinkRefused(LinkRefused.EXPIRED)
    try:
        appointment_type = online_type(session, claim["type"])
    except Invalid:
        raise LinkRefused(LinkRefused.WITHDRAWN, "This treatment can no longer be booked online.") from None
    return ReturningBooking(patient, appointment_type, claim["chiropractor"], datetime.fromisoformat(claim["start"]),
                            claim["language"])


def confirm_returning_booking(
    session: Session, booking: ReturningBooking, *, rules: OnlineRules, now: datetime
) -> BookedOnline:
    """Book what a returning patient's e-mailed link stands for; the link's owner is the patient.

    :raises SlotTaken: the time was taken meanwhile, or the patient has an appointment then (used twice).
    :raises Conflict: the e-mail address has the maximum of open online bookings by now.
    """
    patient = booking.patient
    if booking.appointment_type.online_needs_screening and (
        screening_status(session, patient.id, now) is not ScreeningStatus.CURRENT
    ):
        raise Conflict("This treatment needs a current screening by the chiropractor.", code="screening_needed")
    lock_email(session, patient.email)
    if has_appointment_at(session, patient, booking.starts_at):
        raise SlotTaken("You already have an appointment at this time.", code="patient_busy")
    check_open_bookings(session, patient.email, rules, now)
    if patient.privacy_consent_at is None:
        patient.privacy_consent_at = now  # given on the booking form
    appointment = book_appointment(
        session, patient=patient, appointment_type=booking.appointment_type, starts_at=booking.starts_at,
        chiropractor_id=booking.chiropractor_id, source=BookingSource.ONLINE, policy=rules.policy, now=now,
    )
    return BookedOnline(appointment, issue_manage_token(session, appointment))


def has_appointment_at(session: Session, patient: Patient, starts_at: datetime) -> bool:
    """Tell whether the patient already has an active appointment starting at ``starts_at``."""
    return session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.patient_id == patient.id,
            Appointment.starts_at == starts_at,
            Appointment.status != AppointmentStatus.CANCELLED.value,
        )
    ) > 0


def lock_email(session: Session, email: str) -> None:
    """Serialise online bookings per e-mail address, so the open-bookings cap holds under races."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(2, hashtext(:email))"), {"email": email})


def returning_patient(session: Session, email: str, date_of_birth: date) -> Patient | None:
    """Return the patient with both this e-mail address and birth date (the oldest record)."""
    return session.scalar(
        select(Patient)
        .where(Patient.email == email, Patient.date_of_birth == date_of_birth)
        .order_by(Patient.id)
        .limit(1)
    )


def open_online_bookings(session: Session, email: str, now: datetime) -> int:
    """Count the future, still booked online appointments made for this e-mail address."""
    return session.scalar(
        select(func.count(Appointment.id))
        .join(Patient, Appointment.patient_id == Patient.id)
        .where(
            Patient.email == email,
            Appointment.source == BookingSource.ONLINE.value,
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at > now,
        )
    )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_manage_token(session: Session, appointment: Appointment) -> str:
    """Create the secret for the appointment's manage link and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    session.add(
        PatientToken(
            token_hash=hash_token(token),
            purpose=TokenPurpose.MANAGE_APPOINTMENT.value,
            patient_id=appointment.patient_id,
            appointment=appointment,
            expires_at=appointment.starts_at,
        )
    )
    return token


def appointment_for_token(session: Session, token: str, now: datetime) -> Appointment:
    """Return the appointment a manage link belongs to, or raise ``LinkRefused`` (unknown, or expired once it starts).

    A link stops working when its appointment starts: after that there is nothing left to manage,
    and a forwarded or leaked e-mail no longer shows the patient's details.
    """
    found = session.scalar(
        select(PatientToken).where(
            PatientToken.token_hash == hash_token(token),
            PatientToken.purpose == TokenPurpose.MANAGE_APPOINTMENT.value,
        )
    )
    if found is None or found.appointment is None:
        raise LinkRefused(LinkRefused.UNKNOWN)
    if found.expires_at is not None and found.expires_at <= now:
        raise LinkRefused(LinkRefused.EXPIRED)
    return found.appointment


def can_still_change(appointment: Appointment, rules: OnlineRules, now: datetime) -> bool:
    """Tell whether the patient may still cancel or move the appointment online."""
    return (
        appointment.status == AppointmentStatus.BOOKED.value
        and appointment.starts_at - now >= rules.cancellation_deadline
    )


def cancel_online(
    session: Session, appointment: Appointment, *, rules: OnlineRules, now: datetime, reason: str = ""
) -> None:
    """Cancel on the patient's request, if the cancellation deadline has not passed; ``reason`` is the patient's own."""
    if not can_still_change(appointment, rules, now):
        raise Conflict("This appointment can no longer be changed online.", code="past_deadline")
    given = reason.strip()
    change_status(
        session, appointment, AppointmentAction.CANCELLED, source=BookingSource.ONLINE, now=now,
        reason=f"Cancelled by the patient online: {given}" if given else "Cancelled by the patient online",
    )


def reschedule_online(
    session: Session, appointment: Appointment, new_starts_at: datetime, *, rules: OnlineRules, now: datetime
) -> None:
    """Move the appointment to another free time with the same chiropractor, before the deadline."""
    if not can_still_change(appointment, rules, now):
        raise Conflict("This appointment can no longer be changed online.", code="past_deadline")
    if new_starts_at - now < rules.cancellation_deadline:
        raise Invalid("Choose a time further ahead.", fields={"start": "too_soon"})
    reschedule_appointment(session, appointment, new_starts_at, source=BookingSource.ONLINE, policy=rules.policy, now=now)
