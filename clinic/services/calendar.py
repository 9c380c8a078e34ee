"""Reading what the front desk's screens show: appointments in a window, one appointment's history,
the bookable types, and whether a patient is new. Nothing here writes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, exists, select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from clinic.errors import NotFound
from clinic.localtime import day_bounds, to_local
from clinic.models import (
    Appointment,
    AppointmentEvent,
    AppointmentStatus,
    AppointmentType,
    Chiropractor,
    ClinicClosure,
)
from clinic.scheduling import TimeRange
from clinic.scheduling.hours import open_intervals
from clinic.services.appointments import active_chiropractors
from clinic.services.booking import load_calendars

INTAKE_TYPE_CODE = "intake"
FOLLOW_UP_TYPE_CODE = "follow_up"
# An appointment that took place: one marked so, or one still booked whose start has passed.
# A no-show did not: the patient never came.
TOOK_PLACE = (AppointmentStatus.CHECKED_IN.value, AppointmentStatus.COMPLETED.value, AppointmentStatus.BOOKED.value)


@dataclass(frozen=True)
class Agenda:
    """One chiropractor's local day: when they work, their time off, the appointments starting then."""

    chiropractor: Chiropractor
    day: date
    open_spans: tuple[TimeRange, ...]
    time_off: tuple[TimeRange, ...]
    appointments: tuple[Appointment, ...]


def agendas(
    session: Session, chiropractors: Sequence[Chiropractor], first_day: date, last_day: date
) -> list[Agenda]:
    """Return an agenda per chiropractor per local day from ``first_day`` to ``last_day``, in that order."""
    calendars = {
        calendar.chiropractor_id: calendar
        for calendar in load_calendars(session, [c.id for c in chiropractors], first_day, last_day)
    }
    appointments = appointments_between(
        session, day_bounds(first_day)[0], day_bounds(last_day)[1], chiropractor_ids=[c.id for c in chiropractors]
    )
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    result = []
    for chiropractor in chiropractors:
        calendar = calendars[chiropractor.id]
        for day in days:
            start, end = day_bounds(day)
            result.append(
                Agenda(
                    chiropractor=chiropractor,
                    day=day,
                    open_spans=tuple(
                        TimeRange(interval.opens_at, interval.closes_at)
                        for interval in open_intervals(calendar.working_hours, day)
                        if interval.closes_at > interval.opens_at
                    ),
                    time_off=tuple(off for off in calendar.time_off if off.start < end and start < off.end),
                    appointments=tuple(
                        a
                        for a in appointments
                        if a.chiropractor_id == chiropractor.id and to_local(a.starts_at).date() == day
                    ),
                )
            )
    return result


def open_days(session: Session, first_day: date, last_day: date) -> set[date]:
    """Return the local days from ``first_day`` to ``last_day`` on which the clinic is open: some
    active chiropractor works then, and not only while the clinic is closed."""
    calendars = load_calendars(session, [c.id for c in active_chiropractors(session)], first_day, last_day)
    window_start, window_end = day_bounds(first_day)[0], day_bounds(last_day)[1]
    closures = sorted(
        session.execute(
            select(ClinicClosure.starts_at, ClinicClosure.ends_at).where(
                ClinicClosure.starts_at < window_end, ClinicClosure.ends_at > window_start
            )
        ).all()
    )
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    return {
        day for day in days
        if any(
            not covered(interval.opens_at, interval.closes_at, closures)
            for calendar in calendars
            for interval in open_intervals(calendar.working_hours, day)
            if interval.closes_at > interval.opens_at
        )
    }


def covered(start: datetime, end: datetime, closures: Sequence[tuple[datetime, datetime]]) -> bool:
    """Tell whether the closures (sorted by start) together cover [start, end)."""
    reached = start
    for closed_from, closed_until in closures:
        if closed_from <= reached < closed_until:
            reached = closed_until
    return reached >= end


def appointments_between(
    session: Session, start: datetime, end: datetime, *, chiropractor_ids: Sequence[int] | None = None
) -> Sequence[Appointment]:
    """Return the appointments starting in [start, end) (of some chiropractors only, if given), by
    start, with patient and type loaded."""
    query = (
        select(Appointment)
        .where(Appointment.starts_at >= start, Appointment.starts_at < end)
        .options(joinedload(Appointment.patient), joinedload(Appointment.appointment_type))
        .order_by(Appointment.starts_at, Appointment.chiropractor_id, Appointment.id)
    )
    if chiropractor_ids is not None:
        query = query.where(Appointment.chiropractor_id.in_(chiropractor_ids))
    return session.scalars(query).all()


def day_list(session: Session, chiropractor: Chiropractor, day: date) -> list[Appointment]:
    """Return the chiropractor's appointments on the local day that take up time (not cancelled), by start."""
    start, end = day_bounds(day)
    return [a for a in appointments_between(session, start, end, chiropractor_ids=[chiropractor.id]) if a.is_active]


def appointment_with_history(
    session: Session, appointment_id: int, *, visible: ColumnElement[bool] = true()
) -> Appointment:
    """Return the appointment with its patient, type, chiropractor and events (with their users).

    ``visible`` limits the search to the appointments the user may see (``clinic.services.records``).
    """
    appointment = session.scalar(
        select(Appointment)
        .where(Appointment.id == appointment_id, visible)
        .options(
            joinedload(Appointment.patient),
            joinedload(Appointment.appointment_type),
            joinedload(Appointment.chiropractor),
            selectinload(Appointment.events).joinedload(AppointmentEvent.user),
        )
    )
    if appointment is None:
        raise NotFound("No such appointment.", fields={"appointment_id": "unknown"})
    return appointment


def bookable_types(session: Session) -> Sequence[AppointmentType]:
    """Return the appointment types in use, shortest first, the intake first of all."""
    return session.scalars(
        select(AppointmentType)
        .where(AppointmentType.is_active)
        .order_by((AppointmentType.code != INTAKE_TYPE_CODE), AppointmentType.duration_minutes, AppointmentType.id)
    ).all()


def suggested_type(session: Session, patient_id: int, now: datetime) -> AppointmentType | None:
    """Return the type to preselect: the intake for a new patient, the follow-up for a returning one
    (who has had an appointment before ``now``), else the type they last booked."""
    if is_new_patient(session, patient_id):
        return type_in_use(session, INTAKE_TYPE_CODE)
    if is_returning_patient(session, patient_id, now):
        follow_up = type_in_use(session, FOLLOW_UP_TYPE_CODE)
        if follow_up is not None:
            return follow_up
    return session.scalar(
        select(AppointmentType)
        .join(Appointment, Appointment.appointment_type_id == AppointmentType.id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.status != AppointmentStatus.CANCELLED.value,
            AppointmentType.is_active,
        )
        .order_by(Appointment.starts_at.desc())
        .limit(1)
    )


def type_in_use(session: Session, code: str) -> AppointmentType | None:
    """Return the appointment type with ``code`` if it is in use."""
    return session.scalar(select(AppointmentType).where(AppointmentType.code == code, AppointmentType.is_active))


def is_returning_patient(session: Session, patient_id: int, now: datetime) -> bool:
    """Tell whether the patient has had an appointment: one that took place and started before ``now``."""
    return bool(session.scalar(
        select(
            exists().where(
                Appointment.patient_id == patient_id,
                Appointment.status.in_(TOOK_PLACE),
                Appointment.starts_at < now,
            )
        )
    ))


def is_new_patient(session: Session, patient_id: int) -> bool:
    """Tell whether the patient has never had (or booked) an appointment that was not cancelled."""
    return not session.scalar(
        select(
            exists().where(
                Appointment.patient_id == patient_id,
                Appointment.status != AppointmentStatus.CANCELLED.value,
            )
        )
    )


def follow_up_day(appointment: Appointment, today: date) -> date:
    """Return the day to plan the appointment's follow-up on: its type's interval after it, but not before today."""
    return max(to_local(appointment.starts_at).date() + timedelta(days=appointment.appointment_type.follow_up_days),
               today)
