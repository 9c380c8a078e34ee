"""Links sent to patients and the outbox of e-mails waiting to be sent."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
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
    # Opens the after-visit check-in form once; the answers use it up.
    AFTER_VISIT = "after_visit"
    # Claims a time offered to a patient on the waitlist, once.
    WAITLIST_OFFER = "waitlist_offer"
    # Opens the outcome measures of a care episode once, before a visit; the answers use it up.
    OUTCOME_MEASURES = "outcome_measures"


class PatientToken(db.Model):
    """A random single-purpose secret sent to a patient in a link; only its hash is kept."""

    __tablename__ = "patient_tokens"
    __table_args__ = (
        one_of("purpose", (p.value for p in TokenPurpose), name="purpose_known"),
        CheckConstraint("used_at IS NULL OR purpose IN ('portal_login', 'after_visit', 'waitlist_offer', 'outcome_measures')",
                        name="only_single_use_links_are_used_up"),
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
    # A login, after-visit, waitlist-offer or outcome-measures link works once: set when it is redeemed.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    patient: Mapped[Patient] = relationship()
    appointment: Mapped[Appointment | None] = relationship()

    def __repr__(self) -> str:
        return f"<PatientToken {self.id} {self.purpose}>"


class OutboxStatus(str, enum.Enum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # Not sent on purpose: by the time it was due it no longer applied (a reminder of an appointment
    # cancelled or moved meanwhile, a patient without an e-mail address any more).
    SKIPPED = "skipped"


class MessageKind(str, enum.Enum):
    """The e-mails about an appointment; the worker writes them (``clinic.mail``)."""

    CONFIRMATION = "booking_confirmation"
    # One confirmation for a whole treatment series, queued with its first appointment; lists them all.
    SERIES_CONFIRMATION = "series_confirmation"
    MOVED = "appointment_moved"
    CANCELLED_BY_PATIENT = "cancelled_by_patient"
    CANCELLED_BY_CLINIC = "cancelled_by_clinic"
    REMINDER = "appointment_reminder"
    # How the patient is doing a day after a treatment with known after-effects, with a form to answer.
    AFTER_VISIT = "after_visit_check_in"
    # Before a visit in an open care episode: how the complaint is going, with a form to answer.
    OUTCOME_MEASURES = "outcome_measures_request"


class OutboxMessage(db.Model):
    """An e-mail written in the same transaction as what it reports, sent later by a worker.

    Writing it here instead of sending it inside the request keeps the booking transaction short
    and means no confirmation is lost when the mail server is down: the worker retries.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        one_of("status", (s.value for s in OutboxStatus), name="status_known"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("(subject IS NULL) = (body_text IS NULL)", name="subject_with_body"),
        # An unwritten message is one the worker can write: it knows the appointment and language.
        CheckConstraint(
            "subject IS NOT NULL OR (appointment_id IS NOT NULL AND language IS NOT NULL"
            " AND appointment_starts_at IS NOT NULL)",
            name="written_or_writable",
        ),
        CheckConstraint("status <> 'sent' OR subject IS NOT NULL", name="sent_was_written"),
        CheckConstraint("calendar_sequence >= 0", name="calendar_sequence_not_negative"),
        Index(None, "status", "next_attempt_at"),
        # One reminder per appointment and start, however many workers queue it at once; a moved
        # appointment has a new start and so gets a new reminder.
        Index(
            "uq_outbox_messages_one_reminder", "appointment_id", "kind", "appointment_starts_at", unique=True,
            sqlite_where=text(f"kind = '{MessageKind.REMINDER.value}'"),
            postgresql_where=text(f"kind = '{MessageKind.REMINDER.value}'"),
        ),
        # One after-visit check-in per appointment, however many workers queue it at once.
        Index(
            "uq_outbox_messages_one_after_visit_check_in", "appointment_id", unique=True,
            sqlite_where=text(f"kind = '{MessageKind.AFTER_VISIT.value}'"),
            postgresql_where=text(f"kind = '{MessageKind.AFTER_VISIT.value}'"),
        ),
        # One request for the outcome measures per appointment, however many workers queue it at once.
        Index(
            "uq_outbox_messages_one_outcome_measures_request", "appointment_id", unique=True,
            sqlite_where=text(f"kind = '{MessageKind.OUTCOME_MEASURES.value}'"),
            postgresql_where=text(f"kind = '{MessageKind.OUTCOME_MEASURES.value}'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    # Subject and body are written when the message is sent (by the worker), unless queued ready-made.
    subject: Mapped[str | None] = mapped_column(String(200))
    body_text: Mapped[str | None] = mapped_column(Text)
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    # What the message reports, as it was when queued: the worker may write it much later.
    language: Mapped[str | None] = mapped_column(String(2))
    appointment_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    calendar_sequence: Mapped[int | None] = mapped_column(comment="SEQUENCE of the calendar file: higher on every change")
    # The List-Unsubscribe link of a message the patient may turn off (reminders, after-visit check-ins, outcome measures).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()
    next_attempt_at: Mapped[datetime] = created_at_column()
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    appointment: Mapped[Appointment | None] = relationship()
    # The files sent with it, in their order (a calendar file per appointment it is about).
    attachments: Mapped[list[OutboxAttachment]] = relationship(
        order_by="OutboxAttachment.position", cascade="all, delete-orphan", passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class OutboxAttachment(db.Model):
    """A file sent with an outbox message; ``position`` keeps their order, once each.

    Patient data (a calendar file names the patient's address) that goes wherever its message goes:
    deleted with it (ON DELETE CASCADE, as erasure deletes the message), exported by name only, and
    left alone by a merge, as its message is.
    """

    __tablename__ = "outbox_attachments"
    __table_args__ = (
        UniqueConstraint("message_id", "position"),
        CheckConstraint("position >= 0", name="position_not_negative"),
        CheckConstraint("name <> ''", name="name_not_empty"),
        # "text/calendar; method=CANCEL": calendars read the method from the type as well as the file.
        CheckConstraint("mime_type LIKE '_%/_%'", name="mime_type_is_a_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    mime_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<OutboxAttachment {self.message_id}/{self.position} {self.name}>"


class ReminderOptOut(db.Model):
    """A patient who asked for no reminders; confirmations of changes still go to them."""

    __tablename__ = "reminder_opt_outs"

    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = created_at_column()
