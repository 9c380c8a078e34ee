"""The chiropractors, their weekly working hours and their time off."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models.users import User


class Chiropractor(db.Model):
    __tablename__ = "chiropractors"
    __table_args__ = (CheckConstraint("slug <> ''", name="slug_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )

    user: Mapped[User | None] = relationship()
    working_hours: Mapped[list[WorkingHours]] = relationship(
        back_populates="chiropractor", order_by="(WorkingHours.weekday, WorkingHours.start_time)"
    )

    def __repr__(self) -> str:
        return f"<Chiropractor {self.id} {self.slug}>"


class WorkingHours(db.Model):
    """One interval of a weekday, in local wall-clock time, valid for a range of dates."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_monday_to_sunday"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        Index(None, "chiropractor_id", "weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(comment="0 = Monday … 6 = Sunday")
    start_time: Mapped[time] = mapped_column(comment="local wall-clock time, Europe/Amsterdam")
    end_time: Mapped[time] = mapped_column(comment="local wall-clock time, Europe/Amsterdam")
    valid_from: Mapped[date]
    valid_to: Mapped[date | None] = mapped_column(comment="last day these hours apply; open if NULL")

    chiropractor: Mapped[Chiropractor] = relationship(back_populates="working_hours")

    def __repr__(self) -> str:
        return f"<WorkingHours {self.chiropractor_id} day {self.weekday} {self.start_time}-{self.end_time}>"


class ClinicClosure(db.Model):
    """The whole clinic closed (Koningsdag, Christmas, a training afternoon): nobody can be booked then."""

    __tablename__ = "clinic_closures"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("reason <> ''", name="reason_not_empty"),
        Index(None, "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<ClinicClosure {self.starts_at:%Y-%m-%d %H:%M} {self.reason}>"


class TimeOff(db.Model):
    __tablename__ = "time_off"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        Index(None, "chiropractor_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text, default="")

    chiropractor: Mapped[Chiropractor] = relationship()

    def __repr__(self) -> str:
        return f"<TimeOff {self.chiropractor_id} {self.starts_at:%Y-%m-%d %H:%M}>"
