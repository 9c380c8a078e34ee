"""Links sent to patients and the outbox of e-mails waiting to be sent."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of
from clinic.models.appointments import Appointment
from clinic.models.patients import Patient


class TokenPurpose(str, enum.Enum):
    MANAGE_APPOINTMENT = "manage_appointment"
    # Logs the patient into the portal once; also the invitation in a booking confirmation.
    PORTAL_LOGIN = "portal_login"


class PatientToken(db.Model):
    """A random single-purpose secret sent to a patient in a link; only its hash is kept."""

    __tablename__ = "patient_tokens"
    __table_args__ = (
        one_of("purpose", (p.value for p in TokenPurpose), name="purpose_known"),
        CheckConstraint("used_at IS NULL OR purpose = 'portal_login'", name="only_login_links_are_used_up"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(24))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A login link works once: set when it is redeemed.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    patient: Mapped[Patient] = relationship()
    appointment: Mapped[Appointment | None] = relationship()

    def __repr__(self) -> str:
        return f"<PatientToken {self.id} {self.purpose}>"


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as what it reports, sent later by a worker.

    Writing it here instead of sending it inside the request keeps the booking transaction short
    and means no confirmation is lost when the mail server is down: the worker retries.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("status", (s.value for s in OutboxStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    attachment_name: Mapped[str | None] = mapped_column(String(100))
    attachment_type: Mapped[str | None] = mapped_column(String(100))
    attachment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    next_attempt_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"
