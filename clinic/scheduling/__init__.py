"""Availability engine: free slots and booking rules for the clinic's chiropractors.

Pure Python: no Flask, no SQLAlchemy, no clock. Callers pass ``now`` and plain values; every
instant in and out is an aware datetime, and every instant out is in UTC.
"""
from clinic.scheduling.rules import ONLINE_POLICY, STAFF_POLICY, check_booking
from clinic.scheduling.slots import clear_of, free_slots, free_slots_for_any
from clinic.scheduling.types import (
    AppointmentLength,
    ChiropractorCalendar,
    SharedCalendar,
    Slot,
    SlotPolicy,
    TimeRange,
    Violation,
    ViolationCode,
    WeeklyHours,
)

__all__ = [
    "ONLINE_POLICY",
    "STAFF_POLICY",
    "AppointmentLength",
    "ChiropractorCalendar",
    "SharedCalendar",
    "Slot",
    "SlotPolicy",
    "TimeRange",
    "Violation",
    "ViolationCode",
    "WeeklyHours",
    "check_booking",
    "clear_of",
    "free_slots",
    "free_slots_for_any",
]
