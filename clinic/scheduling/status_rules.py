"""When an appointment's status may change, and when a wrong status may still be undone.

Pure Python: no Flask, no SQLAlchemy. The lifecycle (``clinic.scheduling.lifecycle``) says which
changes a status allows at all; these rules add *when*, so a Monday appointment cannot be checked
in or marked as a no-show on the Friday before. Days are the clinic's local (Europe/Amsterdam) days.
"""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from clinic.localtime import day_bounds, to_local
from clinic.scheduling.lifecycle import AppointmentAction, AppointmentStatus

# A wrong check-in, completion or no-show can be undone; a cancellation frees the time for
# someone else (and may have been told to the patient), so a cancelled appointment is rebooked.
UNDOABLE_STATUSES = frozenset({AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW})

# Check-in opens this long before the start unless the clinic sets CHECK_IN_OPENS_MINUTES_BEFORE.
DEFAULT_CHECK_IN_OPENS_BEFORE = timedelta(minutes=60)

# These say something happened at the appointment, so they wait for its start.
AFTER_START = frozenset({AppointmentAction.COMPLETED, AppointmentAction.NO_SHOW})


class StatusRefusal(str, enum.Enum):
    """Why a status change or undo is refused now (each is a stable API error code)."""

    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    TOO_LATE_TO_UNDO = "too_late_to_undo"
    NOTHING_TO_UNDO = "nothing_to_undo"


def same_local_day(first: datetime, second: datetime) -> bool:
    return to_local(first).date() == to_local(second).date()


def check_in_opens_at(starts_at: datetime, check_in_opens_before: timedelta) -> datetime:
    """Return when check-in opens: ``check_in_opens_before`` the start, but not before its local day begins."""
    return max(starts_at - check_in_opens_before, day_bounds(to_local(starts_at).date())[0])


def status_change_refusal(
    action: AppointmentAction, *, starts_at: datetime, now: datetime, check_in_opens_before: timedelta
) -> StatusRefusal | None:
    """Return why ``action`` may not be taken ``now`` on an appointment starting at ``starts_at``, or ``None``.

    Check-in: only on the appointment's day, from ``check_in_opens_before`` its start (a late
    patient is still checked in, until the day ends). Completed and no-show: only once it started.
    Cancelling and moving have no timing rule here.
    """
    if action is AppointmentAction.CHECKED_IN:
        if now < check_in_opens_at(starts_at, check_in_opens_before):
            return StatusRefusal.TOO_EARLY
        if not same_local_day(now, starts_at):
            return StatusRefusal.TOO_LATE
    if action in AFTER_START and now < starts_at:
        return StatusRefusal.TOO_EARLY
    return None


def undo_refusal(status: AppointmentStatus, *, changed_at: datetime | None, now: datetime) -> StatusRefusal | None:
    """Return why the status may not be undone ``now``, or ``None``.

    ``changed_at`` is when the appointment got its current status. Only the same local day: by the
    next day the status may have been acted on (a no-show invoiced, a note written).
    """
    if status not in UNDOABLE_STATUSES or changed_at is None:
        return StatusRefusal.NOTHING_TO_UNDO
    if not same_local_day(changed_at, now):
        return StatusRefusal.TOO_LATE_TO_UNDO
    return None
