"""Which changes an appointment's status allows, and the status each change leads to."""
from __future__ import annotations

import enum


class AppointmentStatus(str, enum.Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class AppointmentAction(str, enum.Enum):
    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    # A wrong check-in, completion or no-show set back to booked (``clinic.scheduling.status_rules``).
    UNDONE = "undone"


# Every status but cancelled holds the time: a no-show still used the chiropractor's hour.
ACTIVE_STATUSES = frozenset(s.value for s in AppointmentStatus) - {AppointmentStatus.CANCELLED.value}

# Completed, cancelled and no-show appointments are history: they are not changed, only rebooked.
ALLOWED_ACTIONS: dict[AppointmentStatus, frozenset[AppointmentAction]] = {
    AppointmentStatus.BOOKED: frozenset(
        {
            AppointmentAction.RESCHEDULED,
            AppointmentAction.CHECKED_IN,
            AppointmentAction.COMPLETED,
            AppointmentAction.CANCELLED,
            AppointmentAction.NO_SHOW,
        }
    ),
    AppointmentStatus.CHECKED_IN: frozenset({AppointmentAction.COMPLETED, AppointmentAction.CANCELLED}),
    AppointmentStatus.COMPLETED: frozenset(),
    AppointmentStatus.CANCELLED: frozenset(),
    AppointmentStatus.NO_SHOW: frozenset(),
}

RESULTING_STATUS = {
    AppointmentAction.CHECKED_IN: AppointmentStatus.CHECKED_IN,
    AppointmentAction.COMPLETED: AppointmentStatus.COMPLETED,
    AppointmentAction.CANCELLED: AppointmentStatus.CANCELLED,
    AppointmentAction.NO_SHOW: AppointmentStatus.NO_SHOW,
}


def allowed_actions(status: AppointmentStatus) -> frozenset[AppointmentAction]:
    """Return what may be done next to an appointment in ``status``."""
    return ALLOWED_ACTIONS[status]


def status_after(action: AppointmentAction) -> AppointmentStatus:
    """Return the status a status-changing action leads to."""
    return RESULTING_STATUS[action]
