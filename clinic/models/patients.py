"""The clinic's patients."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of, updated_at_column


class CreatedSource(str, enum.Enum):
    FRONTDESK = "frontdesk"
    ONLINE = "online"


LANGUAGES = ("nl", "en")


class Patient(db.Model):
    __tablename__ = "patients"
    __table_args__ = (
        one_of("preferred_language", LANGUAGES, name="preferred_language_known"),
        one_of("created_source", (source.value for source in CreatedSource), name="created_source_known"),
        CheckConstraint("first_name <> '' AND last_name <> ''", name="names_not_empty"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
        Index(None, "last_name", "first_name"),
        Index(None, "email"),
        Index(None, "date_of_birth"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32), comment="E.164, e.g. +31612345678")
    preferred_language: Mapped[str] = mapped_column(String(2), default="nl")
    sport: Mapped[str] = mapped_column(String(100), default="")
    privacy_consent_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when the patient agreed to the privacy statement; NULL = not yet"
    )
    created_source: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return f"<Patient {self.id}>"
