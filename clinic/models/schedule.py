"""The schedule's revision: a number that changes whenever anything that decides free time changes."""
from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from clinic.extensions import db


class ScheduleRevision(db.Model):
    """One row whose ``value`` database triggers raise on every change to appointments, time off,
    working hours, chiropractors and appointment types (see the migration that adds it).

    Free slots computed at one revision stay right until the revision changes, so they can be
    kept and shared by every request that sees the same revision.
    """

    __tablename__ = "schedule_revisions"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
