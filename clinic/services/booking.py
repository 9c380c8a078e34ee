"""Booking, rescheduling and changing appointments: the one write path for every channel.

The pure availability engine (``clinic.scheduling``) decides whether a time is bookable; the
database has the last word on overlaps (exclusion constraints on PostgreSQL, triggers on SQLite),
so two requests racing for one slot get one booking and one ``SlotTaken``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid, NotFound
from clinic.localtime import day_bounds, to_local
from clinic.models import (
    ACTIVE_STATUSES,
    DESK_REMARKS_MAX_LENGTH,
    Appointment,
    AppointmentAction,
    AppointmentEvent,
    AppointmentStatus,
    AppointmentType,
    BookingSource,
    Chiropractor,
    ClinicClosure,
    FreedTime,
    Patient,
    TimeOff,
    TypeNotOffered,
    User,
    WorkingHours,
)
from clinic.scheduling import (
    AppointmentLength,
    ChiropractorCalendar,
    SharedCalendar,
    Slot,
    SlotPolicy,
    TimeRange,
    Violation,
    ViolationCode,
    WeeklyHours,
    check_booking,
    clear_of,
    free_slots_for_any,
)
from clinic.scheduling.lifecycle import allowed_actions, status_after
from clinic.scheduling.spacing import SpacedAppointment, spaced_slots, too_close
from clinic.scheduling.status_rules import (
    DEFAULT_CHECK_IN_OPENS_BEFORE,
    StatusRefusal,
    status_change_refusal,
    undo_refusal,
)
from clinic.services.patient_messages import appointment_changed

# Appointments last at most a day with their buffer (the SQLite triggers rely on it too), so one
# day of margin around a window finds every appointment that can reach into it.
MARGIN = timedelta(days=1)
T = TypeVar("T")


class SlotTaken(Conflict):
    """Somebody else got the time first (or the patient already has an appointment then, code
    ``patient_busy``, or the resource the type needs is in use then, code ``resource_taken``)."""

    code = "slot_taken"


class NotOffered(Invalid):
    """The chiropractor asked for does not offer the appointment type (or, for any, none does)."""

    code = "type_not_offered"

    def __init__(self, field: str = "chiropractor_id"):
        super().__init__("The chiropractor does not offer this treatment.", fields={field: self.code})


class TooCloseToAnother(Conflict):
    """The patient has another appointment of the type less than its minimum spacing from the time
    (code ``spacing_too_short``); ``other`` is that appointment, the nearest one."""

    code = "spacing_too_short"

    def __init__(self, appointment_type: AppointmentType, other: SpacedAppointment):
        super().__init__(
            f"Appointments of this type are at least {appointment_type.min_hours_apart} hours apart; the patient "
            f"has one at {to_local(other.start):%Y-%m-%d %H:%M %Z} with {other.chiropractor_name}.",
            fields={"start": self.code},
        )
        self.minimum_hours = appointment_type.min_hours_apart
        self.other = other
        self.details = {"other_appointment": {
            "id": other.appointment_id, "start": to_local(other.start).isoformat(),
            "chiropractor": other.chiropractor_name,
        }}


# Refusals of a time because something is already booked then, rather than because of a rule.
TAKEN = frozenset({ViolationCode.OVERLAPS_APPOINTMENT, ViolationCode.RESOURCE_TAKEN})
RESOURCE_TAKEN_MESSAGE = "The equipment this treatment needs is in use at that time; please choose another."


class BookingRejected(Invalid):
    """The requested time breaks a booking rule (outside hours, too soon, time off, …)."""

    code = "booking_rejected"

    def __init__(self, violations: Sequence[Violation]):
        super().__init__(
            "; ".join(v.message for v in violations), fields={"start": violations[0].message}
        )
        self.violations = tuple(violations)


def length_of(appointment_type: AppointmentType) -> AppointmentLength:
    """Return how long an appointment of this type occupies the chiropractor."""
    return AppointmentLength(
        duration=timedelta(minutes=appointment_type.duration_minutes),
        buffer_after=timedelta(minutes=appointment_type.buffer_after_minutes),
    )


def load_calendars(
    session: Session,
    chiropractor_ids: Iterable[int],
    first_day: date,
    last_day: date,
    *,
    ignore_appointment_id: int | None = None,
    join_touching: bool = False,
) -> list[ChiropractorCalendar]:
    """Return the calendars of the chiropractors for the local days ``first_day``..``last_day``.

    Only rows that can touch the window are read: the cost follows the window, not the history.
    ``ignore_appointment_id`` leaves one appointment out, so it can be moved within its own time.
    ``join_touching`` reads back-to-back appointments as one busy range: the free slots are the
    same, found with a fraction of the work (a full day is a handful of ranges, not twenty), but a
    refusal could no longer name the one appointment in the way.
    """
    ids = sorted(set(chiropractor_ids))
    window_start = day_bounds(first_day)[0] - MARGIN
    window_end = day_bounds(last_day)[1] + MARGIN
    hours = session.execute(
        select(
            WorkingHours.chiropractor_id, WorkingHours.weekday, WorkingHours.start_time, WorkingHours.end_time,
            WorkingHours.valid_from, WorkingHours.valid_to,
        ).where(
            WorkingHours.chiropractor_id.in_(ids),
            WorkingHours.valid_from <= last_day,
            (WorkingHours.valid_to.is_(None)) | (WorkingHours.valid_to >= first_day),
        )
    ).all()
    time_off = session.execute(
        select(TimeOff.chiropractor_id, TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.chiropractor_id.in_(ids), TimeOff.starts_at < window_end, TimeOff.ends_at > window_start
        )
    ).all()
    busy_query = select(Appointment.chiropractor_id, Appointment.starts_at, Appointment.buffer_ends_at).where(
        Appointment.chiropractor_id.in_(ids),
        Appointment.status.in_(ACTIVE_STATUSES),
        Appointment.starts_at >= window_start,
        Appointment.starts_at < window_end,
    )
    if ignore_appointment_id is not None:
        busy_query = busy_query.where(Appointment.id != ignore_appointment_id)
    busy = session.execute(busy_query.order_by(Appointment.chiropractor_id, Appointment.starts_at)).all()
    # One pass over the rows, not one per chiropractor: "any chiropractor" of a chain asks for dozens.
    hours_of = group_by_owner((owner, WeeklyHours(*weekly)) for owner, *weekly in hours)
    time_off_of = group_by_owner((owner, TimeRange(start, end)) for owner, start, end in time_off)
    busy_of = group_by_owner(
        (owner, TimeRange(start, end)) for owner, start, end in (joined(busy) if join_touching else busy)
    )
    return [
        ChiropractorCalendar(
            chiropractor_id=chiropractor_id,
            working_hours=tuple(hours_of.get(chiropractor_id, ())),
            time_off=tuple(time_off_of.get(chiropractor_id, ())),
            busy=tuple(busy_of.get(chiropractor_id, ())),
        )
        for chiropractor_id in ids
    ]


def load_shared(
    session: Session,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    *,
    ignore_appointment_id: int | None = None,
    join_touching: bool = False,
) -> SharedCalendar:
    """Return the clinic's closures on the local days, and when the resource the type needs is
    taken then (never, if it needs none).

    ``ignore_appointment_id`` and ``join_touching`` as for ``load_calendars``.
    """
    window_start = day_bounds(first_day)[0] - MARGIN
    window_end = day_bounds(last_day)[1] + MARGIN
    closed = session.execute(
        select(ClinicClosure.starts_at, ClinicClosure.ends_at).where(
            ClinicClosure.starts_at < window_end, ClinicClosure.ends_at > window_start
        )
    ).all()
    rows = []
    if appointment_type.resource_id is not None:
        query = select(Appointment.resource_id, Appointment.starts_at, Appointment.buffer_ends_at).where(
            Appointment.resource_id == appointment_type.resource_id,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at >= window_start,
            Appointment.starts_at < window_end,
        )
        if ignore_appointment_id is not None:
            query = query.where(Appointment.id != ignore_appointment_id)
        rows = session.execute(query.order_by(Appointment.starts_at)).all()
    return SharedCalendar(
        closed=tuple(TimeRange(start, end) for start, end in closed),
        resource_busy=tuple(TimeRange(start, end) for _, start, end in (joined(rows) if join_touching else rows)),
    )


def group_by_owner(pairs: Iterable[tuple[int, T]]) -> dict[int, list[T]]:
    """Return the values of (chiropractor id, value) pairs grouped per chiropractor, in their order."""
    grouped: dict[int, list[T]] = {}
    for owner, value in pairs:
        grouped.setdefault(owner, []).append(value)
    return grouped


def joined(rows: Iterable[tuple[int, datetime, datetime]]) -> list[tuple[int, datetime, datetime]]:
    """Return (owner, start, end) rows sorted by owner and start with touching or overlapping ranges joined."""
    result: list[list] = []
    for owner, start, end in rows:
        if result and result[-1][0] == owner and start <= result[-1][2]:
            result[-1][2] = max(result[-1][2], end)
        else:
            result.append([owner, start, end])
    return [tuple(row) for row in result]


def bookable_chiropractors(session: Session, chiropractor_id: int | None = None) -> list[Chiropractor]:
    """Return the active chiropractors, or just the one with ``chiropractor_id`` if it is one of them."""
    query = select(Chiropractor).where(Chiropractor.is_active).order_by(Chiropractor.id)
    if chiropractor_id is not None:
        query = query.where(Chiropractor.id == chiropractor_id)
    found = list(session.scalars(query))
    if chiropractor_id is not None and not found:
        raise NotFound("No such chiropractor.", fields={"chiropractor_id": "unknown"})
    return found


def not_offering(session: Session, appointment_type: AppointmentType) -> set[int]:
    """Return the ids of the chiropractors who do not offer the type (usually none)."""
    return set(
        session.scalars(
            select(TypeNotOffered.chiropractor_id).where(TypeNotOffered.appointment_type_id == appointment_type.id)
        )
    )


def offering_chiropractors(
    session: Session, appointment_type: AppointmentType, chiropractor_id: int | None = None
) -> list[Chiropractor]:
    """Return the bookable chiropractors (or the one asked for) who offer the type."""
    excluded = not_offering(session, appointment_type)
    return [c for c in bookable_chiropractors(session, chiropractor_id) if c.id not in excluded]


def find_free_slots(
    session: Session,
    appointment_type: AppointmentType,
    first_day: date,
    last_day: date,
    *,
    policy: SlotPolicy,
    now: datetime,
    chiropractor_id: int | None = None,
    ignore_appointment_id: int | None = None,
    patient_id: int | None = None,
) -> list[Slot]:
    """Return the free slots for the type on the local days asked, for one or any chiropractor
    (none for a chiropractor who does not offer the type).

    With ``patient_id``, also free for that patient: a time they already have an appointment at
    is not offered (the database would refuse it after the click), nor one too close to another
    of their appointments of the type (its spacing rule).
    """
    calendars = load_calendars(
        session,
        [chiropractor.id for chiropractor in offering_chiropractors(session, appointment_type, chiropractor_id)],
        first_day,
        last_day,
        ignore_appointment_id=ignore_appointment_id,
        join_touching=True,
    )
    shared = load_shared(
        session, appointment_type, first_day, last_day, ignore_appointment_id=ignore_appointment_id, join_touching=True
    )
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    slots = free_slots_for_any(
        calendars, days, length=length_of(appointment_type), policy=policy, now=now, shared=shared
    )
    if patient_id is None:
        return slots
    slots = clear_of(
        slots, patient_appointments(session, patient_id, first_day, last_day, ignore_appointment_id=ignore_appointment_id)
    )
    others = spaced_appointments(
        session, patient_id, appointment_type, day_bounds(first_day)[0], day_bounds(last_day)[1],
        ignore_appointment_id=ignore_appointment_id,
    )
    return spaced_slots(slots, spacing_of(appointment_type), others)


# The day view offers every free quarter of an hour, whichever grid the policy offers starts on.
FINEST_GRID = timedelta(minutes=5)


def free_slot_at(
    session: Session,
    appointment_type: AppointmentType,
    chiropractor_id: int,
    starts_at: datetime,
    *,
    policy: SlotPolicy,
    now: datetime,
    patient_id: int | None = None,
) -> Slot | None:
    """Return the free slot for the type starting exactly at ``starts_at`` with the chiropractor, on
    or off the policy's grid (``None`` if that start is not free for the type)."""
    day = to_local(starts_at).date()
    slots = find_free_slots(
        session, appointment_type, day, day, policy=replace(policy, grid=FINEST_GRID), now=now,
        chiropractor_id=chiropractor_id, patient_id=patient_id,
    )
    return next((slot for slot in slots if slot.start == starts_at), None)


# How far ahead "first free time" looks: as far as the desk books ahead in practice.
FIRST_FREE_WEEKS = 12


def first_free_slots(
    session: Session,
    appointment_type: AppointmentType,
    from_day: date,
    *,
    policy: SlotPolicy,
    now: datetime,
    chiropractor_id: int | None = None,
    patient_id: int | None = None,
    weeks: int = FIRST_FREE_WEEKS,
) -> list[Slot]:
    """Return each chiropractor's (or the one asked for's) first free slot for the type from the local
    day ``from_day`` on, the earliest first; a week at a time, at most ``weeks`` weeks ahead.

    The slots are ``find_free_slots``'s: offered types, the resource, closures, time off and the
    patient's own appointments all count.
    """
    wanted = {chiropractor.id for chiropractor in offering_chiropractors(session, appointment_type, chiropractor_id)}
    first: dict[int, Slot] = {}
    for week in range(weeks):
        if not wanted - first.keys():
            break
        start = from_day + timedelta(weeks=week)
        free = find_free_slots(
            session, appointment_type, start, start + timedelta(days=6), policy=policy, now=now,
            chiropractor_id=chiropractor_id, patient_id=patient_id,
        )
        for slot in sorted(free, key=lambda slot: slot.start):
            first.setdefault(slot.chiropractor_id, slot)
    return sorted(first.values(), key=lambda slot: (slot.start, slot.chiropractor_id))


def nearest_free_slots(
    session: Session,
    appointment_type: AppointmentType,
    wanted: datetime,
    *,
    policy: SlotPolicy,
    now: datetime,
    chiropractor_id: int | None,
    days: int,
    count: int,
    patient_id: int | None = None,
) -> list[Slot]:
    """Return the ``count`` free slots closest to ``wanted``, from its local day for ``days`` days on."""
    day = to_local(wanted).date()
    free = find_free_slots(
        session, appointment_type, day, day + timedelta(days=days - 1),
        policy=policy, now=now, chiropractor_id=chiropractor_id, patient_id=patient_id,
    )
    return sorted(free, key=lambda slot: abs(slot.start - wanted))[:count]


def patient_appointments(
    session: Session, patient_id: int, first_day: date, last_day: date, *, ignore_appointment_id: int | None = None
) -> list[TimeRange]:
    """Return the times the patient's active appointments (but the one ignored) take around the local days asked."""
    query = select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.patient_id == patient_id,
        Appointment.status.in_(ACTIVE_STATUSES),
        Appointment.starts_at >= day_bounds(first_day)[0] - MARGIN,
        Appointment.starts_at < day_bounds(last_day)[1] + MARGIN,
    )
    if ignore_appointment_id is not None:
        query = query.where(Appointment.id != ignore_appointment_id)
    return [TimeRange(start, end) for start, end in session.execute(query).all()]


def spacing_of(appointment_type: AppointmentType) -> timedelta:
    """Return how far apart a patient's appointments of the type start at least (zero: no rule)."""
    return timedelta(hours=appointment_type.min_hours_apart)


def spaced_appointments(
    session: Session,
    patient_id: int,
    appointment_type: AppointmentType,
    window_start: datetime,
    window_end: datetime,
    *,
    ignore_appointment_id: int | None = None,
) -> list[SpacedAppointment]:
    """Return the patient's active appointments of the type (but the one ignored) close enough to
    [window_start, window_end) for its spacing rule to matter; none if the type has no rule."""
    minimum = spacing_of(appointment_type)
    if not minimum:
        return []
    query = (
        select(Appointment.id, Appointment.starts_at, Chiropractor.name)
        .join(Chiropractor, Appointment.chiropractor_id == Chiropractor.id)
        .where(
            Appointment.patient_id == patient_id,
            Appointment.appointment_type_id == appointment_type.id,
            Appointment.status.in_(ACTIVE_STATUSES),
            Appointment.starts_at > window_start - minimum,
            Appointment.starts_at < window_end + minimum,
        )
    )
    if ignore_appointment_id is not None:
        query = query.where(Appointment.id != ignore_appointment_id)
    return [SpacedAppointment(*row) for row in session.execute(query).all()]


def check_spacing(
    session: Session,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    *,
    ignore_appointment_id: int | None = None,
) -> None:
    """Refuse a start too close to another of the patient's appointments of the type, before or after it.

    :raises TooCloseToAnother: naming the nearest such appointment.
    """
    if not appointment_type.min_hours_apart or patient.id is None:
        return
    lock_patient(session, patient.id)
    others = spaced_appointments(
        session, patient.id, appointment_type, starts_at, starts_at, ignore_appointment_id=ignore_appointment_id
    )
    other = too_close(starts_at, spacing_of(appointment_type), others)
    if other is not None:
        raise TooCloseToAnother(appointment_type, other)


def book_appointment(
    session: Session,
    *,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    chiropractor_id: int | None,
    source: BookingSource,
    policy: SlotPolicy,
    now: datetime,
    user: User | None = None,
    desk_remarks: str = "",
    tell_patient: bool = True,
) -> Appointment:
    """Book the patient at ``starts_at`` with the chiropractor, or with the first one free then,
    with ``desk_remarks`` for the desk; ``tell_patient=False`` queues no confirmation (a series
    sends one for all its appointments).

    :raises NotOffered: the chiropractor (for any: every one) does not offer the type.
    :raises TooCloseToAnother: the patient has another appointment of the type too close to the time.
    :raises BookingRejected: the time breaks a booking rule for every candidate chiropractor.
    :raises SlotTaken: the time is (or just became) taken.
    """
    candidates = offering_chiropractors(session, appointment_type, chiropractor_id)
    if not candidates:
        raise NotOffered("chiropractor_id" if chiropractor_id is not None else "type")
    check_spacing(session, patient, appointment_type, starts_at)
    lock_resource(session, appointment_type.resource_id)
    length = length_of(appointment_type)
    local_day = to_local(starts_at).date()
    shared = load_shared(session, appointment_type, local_day, local_day)
    first_refusal: list[Violation] | None = None
    for candidate in candidates:
        lock_chiropractor(session, candidate.id)
        violations = violations_for(session, candidate.id, starts_at, length, policy, now, shared=shared)
        if violations:
            first_refusal = first_refusal or violations
            continue
        appointment = Appointment(
            patient=patient,
            # The chiropractor itself, not its id: the confirmation names them without a query.
            chiropractor=candidate,
            appointment_type=appointment_type,
            resource_id=appointment_type.resource_id,
            starts_at=starts_at,
            ends_at=starts_at + length.duration,
            buffer_ends_at=starts_at + length.occupied,
            source=source.value,
            desk_remarks=desk_remarks.strip(),
        )
        try:
            insert_guarded(session, appointment)
        except SlotTaken as taken:
            # Another chiropractor can help when this one was taken, not when the patient is busy
            # or the resource is in use.
            if chiropractor_id is not None or len(candidates) == 1 or taken.code != SlotTaken.code:
                raise
            continue
        record(session, appointment, AppointmentAction.BOOKED, user, source, tell_patient=tell_patient)
        return appointment
    if chiropractor_id is None and first_refusal and all_taken(first_refusal):
        if needs_taken_resource(first_refusal):
            # The resource is the same for every chiropractor: none of them could have it.
            raise SlotTaken(RESOURCE_TAKEN_MESSAGE, code="resource_taken")
        raise SlotTaken("No chiropractor is free at that time any more.")
    raise as_error(first_refusal)


def reschedule_appointment(
    session: Session,
    appointment: Appointment,
    new_starts_at: datetime,
    *,
    source: BookingSource,
    policy: SlotPolicy,
    now: datetime,
    user: User | None = None,
) -> Appointment:
    """Move a booked appointment to ``new_starts_at`` with the same chiropractor."""
    if appointment.status != AppointmentStatus.BOOKED.value:
        raise Conflict("Only a booked appointment can be moved.", code="not_reschedulable")
    appointment_type = appointment.appointment_type
    # The patient's lock, the resource's, then the chiropractor's: the order booking takes them in.
    check_spacing(session, appointment.patient, appointment_type, new_starts_at, ignore_appointment_id=appointment.id)
    lock_resource(session, appointment_type.resource_id)
    lock_chiropractor(session, appointment.chiropractor_id)
    length = length_of(appointment_type)
    local_day = to_local(new_starts_at).date()
    shared = load_shared(session, appointment_type, local_day, local_day, ignore_appointment_id=appointment.id)
    violations = violations_for(
        session, appointment.chiropractor_id, new_starts_at, length, policy, now,
        ignore_appointment_id=appointment.id, shared=shared,
    )
    if violations:
        raise as_error(violations)
    previous, previous_end, previous_resource = appointment.starts_at, appointment.buffer_ends_at, appointment.resource_id
    # The new time takes what the type needs now (an appointment booked before the type needed
    # the resource takes it when moved).
    appointment.resource_id = appointment_type.resource_id
    appointment.starts_at = new_starts_at
    appointment.ends_at = new_starts_at + length.duration
    appointment.buffer_ends_at = new_starts_at + length.occupied
    insert_guarded(session, appointment)
    record(session, appointment, AppointmentAction.RESCHEDULED, user, source, previous_starts_at=previous)
    time_freed(session, appointment.chiropractor_id, previous, previous_end, resource_id=previous_resource)
    return appointment


def change_status(
    session: Session,
    appointment: Appointment,
    action: AppointmentAction,
    *,
    source: BookingSource,
    now: datetime,
    user: User | None = None,
    reason: str = "",
    check_in_opens_before: timedelta = DEFAULT_CHECK_IN_OPENS_BEFORE,
) -> Appointment:
    """Check in, complete, cancel or mark as no-show, if the appointment's status and the time allow it.

    :raises Conflict: the status does not allow the change (``status_conflict``).
    :raises Invalid: not at this time (``too_early``, ``too_late``), or a cancellation without a reason.
    """
    if action not in allowed_actions(AppointmentStatus(appointment.status)):
        raise Conflict(
            f"An appointment that is {appointment.status} cannot be {action.value}.", code="status_conflict"
        )
    refusal = status_change_refusal(
        action, starts_at=appointment.starts_at, now=now, check_in_opens_before=check_in_opens_before
    )
    if refusal is not None:
        raise Invalid(f"An appointment cannot be {action.value} at this time.", code=refusal.value,
                      fields={"status": refusal.value})
    if action is AppointmentAction.CANCELLED and not reason.strip():
        raise Invalid("Give a reason for the cancellation.", fields={"reason": "required"})
    appointment.status = status_after(action).value
    if action is AppointmentAction.CANCELLED:
        appointment.cancelled_at = now
        appointment.cancel_reason = reason.strip()
        time_freed(session, appointment.chiropractor_id, appointment.starts_at, appointment.buffer_ends_at,
                   resource_id=appointment.resource_id)
    insert_guarded(session, appointment)
    record(session, appointment, action, user, source, reason=reason.strip(), at=now)
    return appointment


def change_desk_remarks(session: Session, appointment: Appointment, remarks: str) -> Appointment:
    """Replace the appointment's remarks for the desk (shown on the day view).

    :raises Invalid: longer than the database keeps (``too_long``).
    """
    remarks = remarks.strip()
    if len(remarks) > DESK_REMARKS_MAX_LENGTH:
        raise Invalid("Desk remarks are at most 500 characters.", fields={"desk_remarks": "too_long"})
    appointment.desk_remarks = remarks
    session.flush()
    return appointment


def check_in_opens_before(config: Mapping) -> timedelta:
    """Return how long before the start check-in opens, from the CHECK_IN_OPENS_MINUTES_BEFORE setting."""
    return timedelta(minutes=config["CHECK_IN_OPENS_MINUTES_BEFORE"])


def undo_status(
    session: Session,
    appointment: Appointment,
    *,
    reason: str,
    source: BookingSource,
    now: datetime,
    user: User | None = None,
) -> Appointment:
    """Set a wrong check-in, completion or no-show back to booked, the same day, and record why.

    :raises Conflict: there is no such status to undo (``nothing_to_undo``).
    :raises Invalid: no reason, or the status was set on an earlier day (``too_late_to_undo``).
    """
    if not reason.strip():
        raise Invalid("Give a reason for undoing the status.", fields={"reason": "required"})
    status = AppointmentStatus(appointment.status)
    refusal = undo_refusal(status, changed_at=status_set_at(appointment), now=now)
    if refusal is StatusRefusal.NOTHING_TO_UNDO:
        raise Conflict(f"An appointment that is {status.value} has no status to undo.", code=refusal.value)
    if refusal is not None:
        raise Invalid("The status was set on an earlier day and can no longer be undone.", code=refusal.value,
                      fields={"status": refusal.value})
    appointment.status = AppointmentStatus.BOOKED.value
    insert_guarded(session, appointment)
    record(session, appointment, AppointmentAction.UNDONE, user, source, reason=reason.strip(), at=now,
           undone_status=status)
    return appointment


def status_set_at(appointment: Appointment) -> datetime | None:
    """Return when the appointment got its current status (``None`` if no event says so)."""
    return next((event.happened_at for event in reversed(appointment.events) if event.action == appointment.status),
                None)


def violations_for(
    session: Session,
    chiropractor_id: int,
    starts_at: datetime,
    length: AppointmentLength,
    policy: SlotPolicy,
    now: datetime,
    *,
    shared: SharedCalendar,
    ignore_appointment_id: int | None = None,
) -> list[Violation]:
    """Return the booking rules a start with this chiropractor breaks (``shared``: see ``load_shared``)."""
    local_day = to_local(starts_at).date()
    (calendar,) = load_calendars(
        session, [chiropractor_id], local_day, local_day, ignore_appointment_id=ignore_appointment_id
    )
    return check_booking(calendar, starts_at, length=length, policy=policy, now=now, shared=shared)


def time_freed(session: Session, chiropractor_id: int, starts_at: datetime, ends_at: datetime, *,
               resource_id: int | None = None) -> None:
    """Write down that the chiropractor's time became free (and the shared resource it held, if any),
    for the mail worker to offer to the waitlist (``clinic.services.waitlist``)."""
    session.add(FreedTime(chiropractor_id=chiropractor_id, resource_id=resource_id, starts_at=starts_at,
                          ends_at=ends_at))


def lock_chiropractor(session: Session, chiropractor_id: int) -> None:
    """Serialise bookings for one chiropractor until the transaction ends.

    The exclusion constraints cannot see time off (another table), so the check against it must
    not race a concurrent booking. SQLite needs nothing here: a write transaction begins with
    ``BEGIN IMMEDIATE`` and so already runs alone.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(1, :id)"), {"id": chiropractor_id})


def lock_patient(session: Session, patient_id: int) -> None:
    """Serialise the patient's bookings until the transaction ends, so that two bookings of one type
    with different chiropractors cannot both pass the spacing check (SQLite: see ``lock_chiropractor``)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(3, :id)"), {"id": patient_id})


def lock_resource(session: Session, resource_id: int | None) -> None:
    """Serialise bookings of one shared resource until the transaction ends.

    Without it, two bookings of the table with different chiropractors each wait in the exclusion
    constraint for the other's new row, a deadlock PostgreSQL ends by failing one of them with an
    error instead of "taken". Every booking path takes it after the patient's lock and before any
    chiropractor's (SQLite: see ``lock_chiropractor``).
    """
    if resource_id is not None and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4, :id)"), {"id": resource_id})


def insert_guarded(session: Session, appointment: Appointment) -> None:
    """Flush the appointment; turn the database's overlap refusal into ``SlotTaken``."""
    try:
        with session.begin_nested():
            session.add(appointment)
            session.flush()
    except IntegrityError as error:
        if NotOffered.code in str(error.orig):
            # The administrator withdrew the type from the chiropractor while this booking ran.
            raise NotOffered() from None
        who = overlap_owner(error)
        if who is None:
            raise
        if who == "patient":
            raise SlotTaken("The patient already has an appointment at that time.", code="patient_busy") from None
        if who == "resource":
            raise SlotTaken(RESOURCE_TAKEN_MESSAGE, code="resource_taken") from None
        raise SlotTaken("That time has just been taken; please choose another.") from None


def overlap_owner(error: IntegrityError) -> str | None:
    """Return 'chiropractor', 'patient' or 'resource' if the error is an overlap refusal, else ``None``."""
    original = error.orig
    if getattr(original, "sqlstate", None) == "23P01":
        constraint = original.diag.constraint_name or ""
    elif "appointment_overlap" in str(original):
        constraint = str(original)
    else:
        return None
    return next((owner for owner in ("patient", "resource") if owner in constraint), "chiropractor")


def all_taken(violations: Sequence[Violation]) -> bool:
    return all(v.code in TAKEN for v in violations)


def needs_taken_resource(violations: Sequence[Violation]) -> bool:
    return any(v.code is ViolationCode.RESOURCE_TAKEN for v in violations)


def as_error(violations: Sequence[Violation]) -> BookingRejected | SlotTaken:
    """Return the error to raise for a refused start: taken times are conflicts, the rest invalid.

    A chiropractor who is busy anyway is the plainer answer than the resource being in use.
    """
    if not all_taken(violations):
        return BookingRejected([v for v in violations if v.code not in TAKEN])
    if all(v.code is ViolationCode.RESOURCE_TAKEN for v in violations):
        return SlotTaken(RESOURCE_TAKEN_MESSAGE, code="resource_taken")
    return SlotTaken("That time is already taken; please choose another.")


def record(
    session: Session,
    appointment: Appointment,
    action: AppointmentAction,
    user: User | None,
    source: BookingSource,
    *,
    previous_starts_at: datetime | None = None,
    reason: str = "",
    at: datetime | None = None,
    undone_status: AppointmentStatus | None = None,
    tell_patient: bool = True,
) -> None:
    """Write down who changed the appointment, how and when (``at``, or the clock's now), and queue what
    the patient is told about it (unless ``tell_patient`` is False)."""
    event = AppointmentEvent(
        appointment=appointment,
        action=action.value,
        user=user,
        source=source.value,
        previous_starts_at=previous_starts_at,
        reason=reason,
        undone_status=None if undone_status is None else undone_status.value,
    )
    if at is not None:
        event.happened_at = at
    session.add(event)
    if tell_patient:
        appointment_changed(session, appointment, action, source)
