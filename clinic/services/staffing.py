"""Working hours, time off, appointment types and shared resources: when the chiropractors work and
what can be booked.

The rules live here so that every caller gets them (forms only check the shape of the input):
past weeks are history, so hours are ended rather than deleted once they have started, and
nothing is changed retroactively. Every function that changes a chiropractor's calendar takes
the same per-chiropractor lock as booking, so a booking and a change of hours or time off never
decide on each other's half-written state.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from clinic.errors import Conflict, Invalid
from clinic.models import (
    ACTIVE_STATUSES,
    DEFAULT_FOLLOW_UP_DAYS,
    Appointment,
    AppointmentType,
    Chiropractor,
    ClinicClosure,
    ClinicResource,
    Modality,
    TimeOff,
    TypeNotOffered,
    WorkingHours,
)
from clinic.scheduling import WeeklyHours
from clinic.services.booking import lock_chiropractor, time_freed

DURATION_MINUTES = range(5, 481)
BUFFER_MINUTES = range(0, 121)
FOLLOW_UP_DAYS = range(1, 366)
# A spacing rule is at most 30 days: longer is a treatment plan, not a rule.
SPACING_HOURS = range(0, 721)
CODE_PATTERN = re.compile(r"[a-z0-9_]{1,40}")
NAME_LENGTH = 120

CORRECT_THE_FIELDS = _l("Please correct the marked fields.")


def refuse_if_any(problems: dict[str, str]) -> None:
    """Raise one ``Invalid`` naming every field with a problem, so the user sees them all at once."""
    if problems:
        raise Invalid(CORRECT_THE_FIELDS, fields=problems)


# Working hours


def working_hours_of(session: Session, chiropractor_id: int) -> Sequence[WorkingHours]:
    """Return all of a chiropractor's working hours, past ones included, by weekday and start."""
    return session.scalars(
        select(WorkingHours)
        .where(WorkingHours.chiropractor_id == chiropractor_id)
        .order_by(WorkingHours.weekday, WorkingHours.start_time, WorkingHours.valid_from)
    ).all()


def add_working_hours(
    session: Session,
    chiropractor: Chiropractor,
    *,
    weekday: int,
    start: time,
    end: time,
    valid_from: date,
    valid_to: date | None,
    today: date,
) -> WorkingHours:
    """Add a weekly interval from ``valid_from`` (today at the earliest), until ``valid_to`` if given."""
    problems = {}
    if weekday not in range(7):
        problems["weekday"] = _l("Choose a day of the week.")
    for name, wall_clock in (("start_time", start), ("end_time", end)):
        if wall_clock.second or wall_clock.microsecond:
            problems[name] = _l("Use whole minutes, e.g. 08:30.")
    if "end_time" not in problems and end <= start:
        problems["end_time"] = _l("The end must be later than the start.")
    if valid_from < today:
        problems["valid_from"] = _l("New hours can start today at the earliest: past weeks stay as they were.")
    if valid_to is not None and valid_to < valid_from:
        problems["valid_to"] = _l("The last day cannot be before the first day.")
    refuse_if_any(problems)
    lock_chiropractor(session, chiropractor.id)
    new = WeeklyHours(weekday, start, end, valid_from, valid_to)
    refuse_clash(session, chiropractor.id, new, field="start_time")
    hours = WorkingHours(
        chiropractor=chiropractor, weekday=weekday, start_time=start, end_time=end,
        valid_from=valid_from, valid_to=valid_to,
    )
    session.add(hours)
    session.flush()
    return hours


def end_working_hours(session: Session, hours: WorkingHours, last_day: date, *, today: date) -> WorkingHours:
    """Let the hours stop after ``last_day``; the weeks before it keep them."""
    if hours.valid_to is not None and hours.valid_to < today:
        message = _l("These hours have ended already.")
        raise Conflict(message, fields={"last_day": message}, code="hours_ended")
    if last_day < hours.valid_from:
        refuse_if_any({"last_day": _l("The last day cannot be before the first day of these hours.")})
    if last_day < today:
        refuse_if_any({"last_day": _l("The last day cannot be in the past: past weeks stay as they were.")})
    lock_chiropractor(session, hours.chiropractor_id)
    changed = WeeklyHours(hours.weekday, hours.start_time, hours.end_time, hours.valid_from, last_day)
    refuse_clash(session, hours.chiropractor_id, changed, field="last_day", ignore_id=hours.id)
    hours.valid_to = last_day
    session.flush()
    return hours


def delete_working_hours(session: Session, hours: WorkingHours, *, today: date) -> None:
    """Delete hours that have not started yet; hours that have started are ended instead."""
    if hours.valid_from <= today:
        raise Conflict(
            _l("These hours have started already, so they are part of the history: end them instead."),
            code="hours_started",
        )
    lock_chiropractor(session, hours.chiropractor_id)
    session.delete(hours)
    session.flush()


def refuse_clash(
    session: Session, chiropractor_id: int, hours: WeeklyHours, *, field: str, ignore_id: int | None = None
) -> None:
    """Refuse ``hours`` if they overlap other hours of the chiropractor on a date both apply."""
    for other in working_hours_of(session, chiropractor_id):
        if other.id == ignore_id:
            continue
        existing = WeeklyHours(other.weekday, other.start_time, other.end_time, other.valid_from, other.valid_to)
        if hours.clashes_with(existing):
            refuse_if_any(
                {
                    field: _l(
                        "These hours overlap the hours %(start)s–%(end)s on the same day. "
                        "End those first or choose other times.",
                        start=f"{other.start_time:%H:%M}",
                        end=f"{other.end_time:%H:%M}",
                    )
                }
            )


# Time off


@dataclass(frozen=True)
class TimeOffWithAppointments:
    """A period of time off and the active appointments that fall in it (to be rescheduled)."""

    time_off: TimeOff
    appointments: Sequence[Appointment]


def appointments_during(
    session: Session, chiropractor_id: int | None, starts_at: datetime, ends_at: datetime
) -> Sequence[Appointment]:
    """Return the chiropractor's (``None``: everyone's) active appointments that overlap
    [starts_at, ends_at), by start.

    The appointment itself counts, not the buffer after it: a patient seen until the time off
    starts needs no new appointment.
    """
    owner = [] if chiropractor_id is None else [Appointment.chiropractor_id == chiropractor_id]
    return session.scalars(
        select(Appointment)
        .where(
            *owner,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at,
        )
        .options(joinedload(Appointment.patient), joinedload(Appointment.appointment_type))
        .order_by(Appointment.starts_at)
    ).all()


def upcoming_time_off(session: Session, chiropractor_id: int, now: datetime) -> list[TimeOffWithAppointments]:
    """Return the chiropractor's time off that has not ended yet, by start, with the appointments in it."""
    periods = session.scalars(
        select(TimeOff)
        .where(TimeOff.chiropractor_id == chiropractor_id, TimeOff.ends_at > now)
        .order_by(TimeOff.starts_at, TimeOff.id)
    ).all()
    return [
        TimeOffWithAppointments(
            period, appointments_during(session, chiropractor_id, period.starts_at, period.ends_at)
        )
        for period in periods
    ]


def add_time_off(
    session: Session,
    chiropractor: Chiropractor,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime,
) -> TimeOffWithAppointments:
    """Add time off; it is saved even if appointments fall in it, and those are returned to reschedule."""
    if ends_at <= starts_at:
        refuse_if_any({"ends_at": _l("The end must be after the start.")})
    if ends_at <= now:
        refuse_if_any({"ends_at": _l("This time off would be over already; check the dates.")})
    lock_chiropractor(session, chiropractor.id)
    period = TimeOff(chiropractor=chiropractor, starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
    session.add(period)
    session.flush()
    return TimeOffWithAppointments(period, appointments_during(session, chiropractor.id, starts_at, ends_at))


def remove_time_off(session: Session, period: TimeOff, *, now: datetime) -> None:
    """Remove time off that has not ended yet; time off in the past stays as history."""
    if period.ends_at <= now:
        raise Conflict(_l("This time off is over and stays in the history."), code="time_off_over")
    lock_chiropractor(session, period.chiropractor_id)
    session.delete(period)
    time_freed(session, period.chiropractor_id, max(period.starts_at, now), period.ends_at)
    session.flush()


# Clinic closures


@dataclass(frozen=True)
class ClosureWithAppointments:
    """A clinic closure and the active appointments that fall in it (to be moved)."""

    closure: ClinicClosure
    appointments: Sequence[Appointment]


def add_closure(
    session: Session, *, starts_at: datetime, ends_at: datetime, reason: str, now: datetime
) -> ClosureWithAppointments:
    """Close the clinic for everyone; saved even over appointments, which are returned to move."""
    problems = {}
    if not reason.strip():
        problems["reason"] = _l("Say why the clinic is closed, e.g. Koningsdag.")
    if ends_at <= starts_at:
        problems["ends_at"] = _l("The end must be after the start.")
    elif ends_at <= now:
        problems["ends_at"] = _l("This closure would be over already; check the dates.")
    refuse_if_any(problems)
    # Every chiropractor's booking lock: no booking decides on free time while the closure is half-written.
    for chiropractor_id in session.scalars(select(Chiropractor.id).order_by(Chiropractor.id)):
        lock_chiropractor(session, chiropractor_id)
    closure = ClinicClosure(starts_at=starts_at, ends_at=ends_at, reason=reason.strip())
    session.add(closure)
    session.flush()
    return ClosureWithAppointments(closure, appointments_during(session, None, starts_at, ends_at))


def upcoming_closures(session: Session, now: datetime) -> list[ClosureWithAppointments]:
    """Return the closures that have not ended yet, by start, with the appointments in them."""
    closures = session.scalars(
        select(ClinicClosure).where(ClinicClosure.ends_at > now).order_by(ClinicClosure.starts_at, ClinicClosure.id)
    ).all()
    return [
        ClosureWithAppointments(closure, appointments_during(session, None, closure.starts_at, closure.ends_at))
        for closure in closures
    ]


# Appointment types


@dataclass(frozen=True)
class AppointmentTypeFields:
    """What an administrator sets on an appointment type (everything but its code)."""

    name_nl: str
    name_en: str
    duration_minutes: int
    buffer_after_minutes: int
    modality: str
    is_online_bookable: bool
    is_open_to_new_patients: bool
    is_active: bool
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS
    # The resource the type takes for its duration and buffer (e.g. the decompression table).
    resource_id: int | None = None
    # E-mail the patient a check-in form after a completed visit (treatments with after-effects).
    after_visit_check_in: bool = False
    # A patient's appointments of the type start at least this many hours apart (0: no rule).
    min_hours_apart: int = 0
    # Online only for a returning patient whose screening is current.
    online_needs_screening: bool = False


def opening_hours(session: Session, day: date) -> dict[int, tuple[time, time]]:
    """Return, per weekday (0 = Monday), when the first chiropractor starts and the last one stops,
    by the working hours that hold on ``day``; days nobody works are left out."""
    hours = session.scalars(
        select(WorkingHours).join(Chiropractor).where(
            Chiropractor.is_active, WorkingHours.valid_from <= day,
            or_(WorkingHours.valid_to.is_(None), WorkingHours.valid_to >= day),
        )
    )
    opening: dict[int, tuple[time, time]] = {}
    for row in hours:
        start, end = opening.get(row.weekday, (row.start_time, row.end_time))
        opening[row.weekday] = (min(start, row.start_time), max(end, row.end_time))
    return dict(sorted(opening.items()))


def all_appointment_types(session: Session) -> Sequence[AppointmentType]:
    """Return every appointment type, active ones first, by code."""
    return session.scalars(
        select(AppointmentType)
        .options(joinedload(AppointmentType.resource))
        .order_by(AppointmentType.is_active.desc(), AppointmentType.code)
    ).all()


def create_appointment_type(session: Session, code: str, fields: AppointmentTypeFields) -> AppointmentType:
    """Create an appointment type with a new, unique code."""
    code = code.strip()
    problems = type_field_problems(session, fields)
    if not CODE_PATTERN.fullmatch(code):
        problems["code"] = _l("Use 1 to 40 lower-case letters, digits or underscores, e.g. sports_massage_45.")
    refuse_if_any(problems)
    if session.scalar(select(AppointmentType.id).where(AppointmentType.code == code)) is not None:
        message = _l("Another appointment type already has this code.")
        raise Conflict(message, fields={"code": message}, code="code_taken")
    appointment_type = AppointmentType(code=code)
    apply_fields(appointment_type, fields)
    session.add(appointment_type)
    session.flush()
    return appointment_type


def update_appointment_type(
    session: Session, appointment_type: AppointmentType, fields: AppointmentTypeFields
) -> AppointmentType:
    """Change an appointment type; its code stays. Existing appointments keep their times."""
    refuse_if_any(type_field_problems(session, fields))
    apply_fields(appointment_type, fields)
    session.flush()
    return appointment_type


def type_field_problems(session: Session, fields: AppointmentTypeFields) -> dict[str, str]:
    """Return a message for each field of ``fields`` that breaks a rule."""
    problems = {}
    for name in ("name_nl", "name_en"):
        given = getattr(fields, name).strip()
        if not given:
            problems[name] = _l("Give a name.")
        elif len(given) > NAME_LENGTH:
            problems[name] = _l("Use at most 120 characters.")
    if fields.duration_minutes not in DURATION_MINUTES:
        problems["duration_minutes"] = _l("Choose a duration from 5 to 480 minutes.")
    if fields.buffer_after_minutes not in BUFFER_MINUTES:
        problems["buffer_after_minutes"] = _l("Choose a buffer from 0 to 120 minutes.")
    if fields.follow_up_days not in FOLLOW_UP_DAYS:
        problems["follow_up_days"] = _l("Choose a follow-up interval from 1 to 365 days.")
    if fields.min_hours_apart not in SPACING_HOURS:
        problems["min_hours_apart"] = _l("Choose a spacing from 0 to 720 hours (30 days).")
    if fields.modality not in {m.value for m in Modality}:
        problems["modality"] = _l("Choose a kind of treatment.")
    if fields.resource_id is not None and session.get(ClinicResource, fields.resource_id) is None:
        problems["resource_id"] = _l("Choose one of the resources.")
    return problems


def apply_fields(appointment_type: AppointmentType, fields: AppointmentTypeFields) -> None:
    appointment_type.name_nl = fields.name_nl.strip()
    appointment_type.name_en = fields.name_en.strip()
    appointment_type.duration_minutes = fields.duration_minutes
    appointment_type.buffer_after_minutes = fields.buffer_after_minutes
    appointment_type.modality = fields.modality
    appointment_type.is_online_bookable = fields.is_online_bookable
    appointment_type.is_open_to_new_patients = fields.is_open_to_new_patients
    appointment_type.is_active = fields.is_active
    appointment_type.follow_up_days = fields.follow_up_days
    appointment_type.resource_id = fields.resource_id
    appointment_type.after_visit_check_in = fields.after_visit_check_in
    appointment_type.min_hours_apart = fields.min_hours_apart
    appointment_type.online_needs_screening = fields.online_needs_screening


# Shared resources


def all_resources(session: Session) -> Sequence[ClinicResource]:
    """Return every resource, by name."""
    return session.scalars(select(ClinicResource).order_by(ClinicResource.name)).all()


def add_resource(session: Session, name: str) -> ClinicResource:
    """Add a resource, such as a second treatment room, under a name no other resource has."""
    name = name.strip()
    if not name:
        raise Invalid(CORRECT_THE_FIELDS, fields={"name": _l("Give a name.")})
    if len(name) > NAME_LENGTH:
        raise Invalid(CORRECT_THE_FIELDS, fields={"name": _l("Use at most 120 characters.")})
    if session.scalar(select(ClinicResource.id).where(ClinicResource.name == name)) is not None:
        message = _l("Another resource already has this name.")
        raise Conflict(message, fields={"name": message}, code="name_taken")
    resource = ClinicResource(name=name)
    session.add(resource)
    session.flush()
    return resource


# Who offers which treatment


def withheld_type_ids(session: Session, chiropractor: Chiropractor) -> set[int]:
    """Return the ids of the appointment types the chiropractor does not offer (usually none)."""
    return set(
        session.scalars(
            select(TypeNotOffered.appointment_type_id).where(TypeNotOffered.chiropractor_id == chiropractor.id)
        )
    )


def offered_type_ids(session: Session, chiropractor: Chiropractor) -> set[int]:
    """Return the ids of the appointment types the chiropractor offers (every type but the exceptions)."""
    return set(session.scalars(select(AppointmentType.id))) - withheld_type_ids(session, chiropractor)


def offer_types(session: Session, chiropractor: Chiropractor, type_ids: set[int]) -> None:
    """Let the chiropractor offer exactly the types ``type_ids``; appointments already made stay."""
    all_ids = set(session.scalars(select(AppointmentType.id)))
    if not type_ids <= all_ids:
        raise Invalid(CORRECT_THE_FIELDS, fields={"types": _l("Choose from the appointment types listed.")})
    lock_chiropractor(session, chiropractor.id)
    withheld = withheld_type_ids(session, chiropractor)
    for type_id in withheld & type_ids:
        session.delete(session.get(TypeNotOffered, (chiropractor.id, type_id)))
    session.add_all(
        TypeNotOffered(chiropractor_id=chiropractor.id, appointment_type_id=type_id)
        for type_id in all_ids - type_ids - withheld
    )
    session.flush()


def offered_type_codes(session: Session) -> dict[int, list[str]]:
    """Return, per chiropractor id, the codes of the active types they offer, by code."""
    active_codes = dict(
        session.execute(select(AppointmentType.id, AppointmentType.code).where(AppointmentType.is_active)).all()
    )
    withheld = session.execute(select(TypeNotOffered.chiropractor_id, TypeNotOffered.appointment_type_id)).all()
    offered = {chiropractor_id: dict(active_codes) for chiropractor_id in session.scalars(select(Chiropractor.id))}
    for chiropractor_id, type_id in withheld:
        offered[chiropractor_id].pop(type_id, None)
    return {chiropractor_id: sorted(codes.values()) for chiropractor_id, codes in offered.items()}
