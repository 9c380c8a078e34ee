"""The schedule's revision: a number that changes whenever anything that decides free time, or
that the appointment book shows, changes."""
from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic.extensions import db


class ScheduleRevision(db.Model):
    """One row whose ``value`` database triggers raise on every change to appointments, time off,
    working hours, chiropractors and appointment types (see the migration that adds it), and to
    patients' names (migration f1d2c3b4a5e6).

    Free slots computed at one revision, and the day view's timeline rendered at it, stay right
    until the revision changes, so they can be kept and shared by every request that sees the
    same revision (``clinic.services.revision_cache``).
    """

    __tablename__ = "schedule_revisions"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
