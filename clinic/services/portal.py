"""The patient portal's way in: one-time login links, the patient's own account, their own appointments.

Patients have no password: they ask for a link (e-mail address and birth date, as online booking
matches them) or follow the invitation in a booking confirmation. A link works once and for a
short time, so a forwarded or old e-mail does not open the portal. The account it logs into is a
``User`` with the role ``patient``, made on first use and linked to exactly one patient.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from clinic.errors import Conflict, NotFound
from clinic.localtime import to_local
from clinic.models import (
    AccessAction, AccessLogEntry, Appointment, AppointmentStatus, Chiropractor, Patient, PatientToken, Role,
    TokenPurpose, User,
)
from clinic.services.accounts import create_user, normalize_email, record_login
from clinic.services.online_booking import issue_manage_token, returning_patient
from clinic.services.patient_links import issue_single_use_link, valid_single_use_link
from clinic.services.patient_merge import record_ids

# Long enough to switch from the phone's mail app to the browser, short enough that an old mail is useless.
LOGIN_LINK_LIFETIME = timedelta(minutes=30)
# The invitation in a booking confirmation is read later, often only on the day of the appointment.
INVITATION_LIFETIME = timedelta(days=14)


def issue_login_link(session: Session, patient: Patient, now: datetime, lifetime: timedelta = LOGIN_LINK_LIFETIME) -> str:
    """Create a one-time login secret for ``patient`` and return it; only its hash is kept."""
    return issue_single_use_link(session, TokenPurpose.PORTAL_LOGIN, patient.id, now + lifetime)[1]


def request_login_link(session: Session, email: str, date_of_birth: date, now: datetime) -> tuple[Patient, str] | None:
    """Return the patient with this e-mail address and birth date and a fresh login secret, or None.

    The caller must answer both cases alike, so the form does not tell who is a patient here.
    """
    patient = returning_patient(session, normalize_email(email), date_of_birth)
    if patient is None or not patient.email:
        return None
    return patient, issue_login_link(session, patient, now)


def valid_login_link(session: Session, token: str, now: datetime, *, lock: bool = False) -> PatientToken:
    """Return the unused, unexpired login link of ``token``, or raise ``NotFound`` (see ``valid_single_use_link``)."""
    return valid_single_use_link(session, token, TokenPurpose.PORTAL_LOGIN, now, lock=lock)


def redeem_login_link(session: Session, token: str, now: datetime) -> User:
    """Use up the login link and return the patient's portal account, making it on first use.

    :raises NotFound: the link is unknown, used or expired.
    :raises Conflict: the patient's e-mail address already belongs to another account.
    """
    link = valid_login_link(session, token, now, lock=True)
    link.used_at = now
    account = portal_account(session, link.patient)
    record_login(account, now)
    session.flush()
    return account


def portal_account(session: Session, patient: Patient) -> User:
    """Return the patient's portal account, creating it (without a usable password) if needed."""
    if patient.user_id is not None:
        return session.get(User, patient.user_id)
    if session.scalar(select(User.id).where(User.email == patient.email)) is not None:
        raise Conflict("This e-mail address already belongs to another account.", code="email_in_use")
    # Nobody ever learns this password: the portal is entered by login links only.
    account = create_user(session, patient.email, secrets.token_urlsafe(32), Role.PATIENT,
                          name=patient.full_name)
    patient.user_id = account.id
    return account


@dataclass(frozen=True)
class OwnAppointments:
    upcoming: list[Appointment]
    past: list[Appointment]


def own_appointments(session: Session, patient: Patient, now: datetime) -> OwnAppointments:
    """Return the patient's coming appointments (soonest first) and past ones (latest first)."""
    rows = session.scalars(
        select(Appointment).where(Appointment.patient_id == patient.id).order_by(Appointment.starts_at)
        .options(joinedload(Appointment.appointment_type), joinedload(Appointment.chiropractor))
    ).all()

    def is_coming(appointment: Appointment) -> bool:
        return appointment.starts_at > now and appointment.status == AppointmentStatus.BOOKED.value

    return OwnAppointments([a for a in rows if is_coming(a)], [a for a in reversed(rows) if not is_coming(a)])


@dataclass(frozen=True)
class StaffView:
    """One time a member of staff reached the patient's record, as the patient is shown it."""

    at: datetime
    who: str  # the chiropractor's name, or empty for another role
    role: str
    action: str
    part: str


def staff_views_of(session: Session, patient: Patient) -> list[StaffView]:
    """Return when which member of staff reached the patient's record, or anyone was refused it, newest first.

    The patient's own visits are left out: they know those. A refused attempt is shown whoever
    made it, a patient account too. Chiropractors are named (the patient knows them); anyone else
    is shown by their role.
    """
    rows = session.execute(
        select(AccessLogEntry.at, Chiropractor.name, AccessLogEntry.role, AccessLogEntry.action,
               AccessLogEntry.object_type)
        .outerjoin(Chiropractor, Chiropractor.user_id == AccessLogEntry.user_id)
        .where(AccessLogEntry.patient_id.in_(record_ids(patient.id)),
               (AccessLogEntry.role != Role.PATIENT.value) | (AccessLogEntry.action == AccessAction.REFUSED.value))
        .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc())
    )
    return [StaffView(at, name or "", role, action, part) for at, name, role, action, part in rows]


@dataclass(frozen=True)
class DayOfVisits:
    """What one member of staff (or role) did with the patient's record on one day, as one line."""

    day: date
    who: str
    role: str
    first_at: datetime
    last_at: datetime
    count: int
    actions: tuple[tuple[str, tuple[str, ...]], ...]  # each action once with the parts it reached, newest first
    refused: bool


@dataclass(frozen=True)
class VisitsPage:
    days: list[DayOfVisits]
    number: int
    pages: int


VISIT_DAYS_PER_PAGE = 20


def days_of_visits(views: Sequence[StaffView]) -> list[DayOfVisits]:
    """Group ``views`` (newest first) per local day and person, newest first: one line, not one per page opened."""
    groups: dict[tuple, list[StaffView]] = {}
    for view in views:
        groups.setdefault((to_local(view.at).date(), view.who, view.role), []).append(view)
    return [
        DayOfVisits(day, who, role, first_at=group[-1].at, last_at=group[0].at, count=len(group),
                    actions=parts_per_action(group),
                    refused=any(view.action == AccessAction.REFUSED.value for view in group))
        for (day, who, role), group in groups.items()
    ]


def parts_per_action(views: Sequence[StaffView]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    parts: dict[str, dict[str, None]] = {}
    for view in views:
        parts.setdefault(view.action, {})[view.part] = None
    return tuple((action, tuple(reached)) for action, reached in parts.items())


def staff_visits_page(session: Session, patient: Patient, number: int, size: int = VISIT_DAYS_PER_PAGE) -> VisitsPage:
    """Return page ``number`` (from 1; out of range gives the nearest page) of the patient's days of staff visits."""
    days = days_of_visits(staff_views_of(session, patient))
    pages = max(1, -(-len(days) // size))
    number = min(max(number, 1), pages)
    return VisitsPage(days[(number - 1) * size:number * size], number, pages)


def manage_own_appointment(session: Session, patient: Patient, appointment_id: int, now: datetime) -> str:
    """Return a fresh manage-link secret for one of the patient's own coming appointments.

    Someone else's appointment, a past one or an unknown id are all "not found", alike.
    """
    appointment = session.scalar(
        select(Appointment).where(Appointment.id == appointment_id, Appointment.patient_id == patient.id)
    )
    if appointment is None or appointment.starts_at <= now:
        raise NotFound("No such appointment.")
    return issue_manage_token(session, appointment)
