"""Appointment types and appointments."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of, updated_at_column
from clinic.models.chiropractors import Chiropractor
from clinic.models.patients import Patient


class Modality(str, enum.Enum):
    CONSULT = "consult"
    ADJUSTMENT = "adjustment"
    MASSAGE = "massage"
    DRY_NEEDLING = "dry_needling"
    DECOMPRESSION = "decompression"


class AppointmentStatus(str, enum.Enum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class BookingSource(str, enum.Enum):
    FRONTDESK = "frontdesk"
    ONLINE = "online"
    API = "api"


class AppointmentType(db.Model):
    __tablename__ = "appointment_types"
    __table_args__ = (
        one_of("modality", (m.value for m in Modality), name="modality_known"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("buffer_after_minutes >= 0", name="buffer_not_negative"),
        CheckConstraint("code <> ''", name="code_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    duration_minutes: Mapped[int]
    buffer_after_minutes: Mapped[int] = mapped_column(default=0)
    modality: Mapped[str] = mapped_column(String(16))
    is_online_bookable: Mapped[bool] = mapped_column(default=True)
    is_open_to_new_patients: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)

    def name(self, language: str) -> str:
        """Return the name in ``language`` ('nl' or 'en')."""
        return self.name_en if language == "en" else self.name_nl

    def __repr__(self) -> str:
        return f"<AppointmentType {self.code}>"


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("status", (s.value for s in AppointmentStatus), name="status_known"),
        one_of("source", (s.value for s in BookingSource), name="source_known"),
        CheckConstraint(
            "(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_at_iff_cancelled"
        ),
        Index(None, "chiropractor_id", "starts_at"),
        Index(None, "patient_id", "starts_at"),
        Index(None, "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="RESTRICT"))
    appointment_type_id: Mapped[int] = mapped_column(
        ForeignKey("appointment_types.id", ondelete="RESTRICT"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED.value)
    source: Mapped[str] = mapped_column(String(16))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    patient: Mapped[Patient] = relationship()
    chiropractor: Mapped[Chiropractor] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()

    def __repr__(self) -> str:
        return f"<Appointment {self.id} {self.status} {self.starts_at:%Y-%m-%d %H:%M}Z>"
