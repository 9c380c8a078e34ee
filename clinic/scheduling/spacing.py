"""Spacing rules tied to a treatment: a patient's appointments of one type lie at least a minimum apart.

Dry needling, for example, leaves the muscle sore for up to about three days (post-needling
soreness, see DOMAIN.md), so the clinic may want 48 hours between two needling sessions. The
minimum runs from start to start and counts both ways: a new appointment may not come too soon
after the patient's previous one of the type, nor too soon before their next one.

Pure Python: no Flask, no database. Every instant is aware; comparisons are in real time (UTC).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from clinic.scheduling.types import Slot, as_utc


@dataclass(frozen=True, slots=True)
class SpacedAppointment:
    """One of the patient's active appointments of the type: when, and with whom (for the refusal)."""

    appointment_id: int
    start: datetime
    chiropractor_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))


def too_close(
    start: datetime, minimum: timedelta, others: Iterable[SpacedAppointment]
) -> SpacedAppointment | None:
    """Return the appointment of ``others`` nearest to ``start`` that lies less than ``minimum`` from it
    (``None``: the start keeps its distance to all of them, or there is no minimum)."""
    if minimum <= timedelta(0):
        return None
    start = as_utc(start)
    clashes = [other for other in others if abs(other.start - start) < minimum]
    return min(clashes, key=lambda other: (abs(other.start - start), other.start), default=None)


def spaced_slots(slots: Iterable[Slot], minimum: timedelta, others: Sequence[SpacedAppointment]) -> list[Slot]:
    """Return the slots that keep ``minimum`` from each of ``others`` (what a patient is offered)."""
    return [slot for slot in slots if too_close(slot.start, minimum, others) is None]
