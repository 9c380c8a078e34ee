"""The waitlist: patients waiting for an earlier time, the times that became free, and the offers sent."""
from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of
from clinic.models.appointments import Appointment, AppointmentType
from clinic.models.chiropractors import Chiropractor
from clinic.models.messaging import PatientToken
from clinic.models.patients import Patient


class WaitlistStatus(str, enum.Enum):
    ACTIVE = "active"
    # Got an appointment by claiming an offer.
    BOOKED = "booked"
    # Taken off the list by the patient or the desk.
    REMOVED = "removed"
    # The last day the patient wanted passed.
    EXPIRED = "expired"


class WaitlistSource(str, enum.Enum):
    FRONTDESK = "frontdesk"
    PATIENT = "patient"


class OfferOutcome(str, enum.Enum):
    OFFERED = "offered"
    CLAIMED = "claimed"
    # Claimed after somebody else got the time: the patient stays on the list.
    GONE = "gone"


waitlist_entry_chiropractors = Table(
    "waitlist_entry_chiropractors",
    db.metadata,
    Column("entry_id", ForeignKey("waitlist_entries.id", ondelete="CASCADE"), primary_key=True),
    Column("chiropractor_id", ForeignKey("chiropractors.id", ondelete="CASCADE"), primary_key=True),
)


class WaitlistEntry(db.Model):
    """A patient waiting for a time of one appointment type, with the chiropractors, weekdays and hours
    that suit them (none: any), until a last day."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        one_of("status", (s.value for s in WaitlistStatus), name="status_known"),
        one_of("created_by", (s.value for s in WaitlistSource), name="created_by_known"),
        CheckConstraint("weekdays BETWEEN 0 AND 127", name="weekdays_bitmask"),
        CheckConstraint("from_time IS NULL OR to_time IS NULL OR from_time < to_time", name="window_forward"),
        CheckConstraint("(status = 'active') = (ended_at IS NULL)", name="ended_unless_active"),
        CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)", name="booked_with_appointment"),
        # One wish per patient and type at a time: a second would only double the e-mails.
        Index("uq_waitlist_entries_one_active", "patient_id", "appointment_type_id", unique=True,
              sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'")),
        Index(None, "status", "appointment_type_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    appointment_type_id: Mapped[int] = mapped_column(ForeignKey("appointment_types.id", ondelete="RESTRICT"))
    weekdays: Mapped[int] = mapped_column(default=0, comment="bit n set: weekday n (0 = Monday) suits; 0 = any day")
    from_time: Mapped[time | None] = mapped_column(comment="earliest local start; open if NULL")
    to_time: Mapped[time | None] = mapped_column(comment="latest local end; open if NULL")
    until: Mapped[date] = mapped_column(comment="last local day the patient wants an appointment on")
    created_by: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=WaitlistStatus.ACTIVE.value)
    created_at: Mapped[datetime] = created_at_column()
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship()
    appointment_type: Mapped[AppointmentType] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    chiropractors: Mapped[list[Chiropractor]] = relationship(
        secondary=waitlist_entry_chiropractors, order_by=Chiropractor.name)
    offers: Mapped[list[WaitlistOffer]] = relationship(
        back_populates="entry", order_by="WaitlistOffer.offered_at.desc()", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<WaitlistEntry {self.id} patient {self.patient_id} {self.status}>"


class FreedTime(db.Model):
    """A chiropractor's time that became free (a cancellation, a move, removed time off), waiting for
    the mail worker to offer it to the waitlist; deleted once offered.

    ``resource_id``: the shared resource (the decompression table) the freed appointment held, which
    is then free for the other chiropractors too (NULL: none, or freed time off)."""

    __tablename__ = "freed_times"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()


class WaitlistOffer(db.Model):
    """A free time offered to a waiting patient by e-mail; the first to claim it gets it."""

    __tablename__ = "waitlist_offers"
    __table_args__ = (
        one_of("outcome", (o.value for o in OfferOutcome), name="outcome_known"),
        # The claim link is made (and the offer's time limit starts) when the e-mail is written.
        CheckConstraint("claim_token_id IS NULL OR expires_at IS NOT NULL", name="link_with_expiry"),
        CheckConstraint("expires_at IS NULL OR expires_at > offered_at", name="expires_after_offer"),
        CheckConstraint("outcome = 'offered' OR claimed_at IS NOT NULL", name="answered_when_claimed"),
        CheckConstraint("outcome <> 'offered' OR claimed_at IS NULL", name="open_offer_unclaimed"),
        # The same time goes to a patient once, however often it becomes free.
        UniqueConstraint("entry_id", "chiropractor_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True)
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    offered_at: Mapped[datetime] = created_at_column()
    claim_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient_tokens.id", ondelete="SET NULL"), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16), default=OfferOutcome.OFFERED.value)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    entry: Mapped[WaitlistEntry] = relationship(back_populates="offers")
    chiropractor: Mapped[Chiropractor] = relationship()
    claim_token: Mapped[PatientToken | None] = relationship()

    def __repr__(self) -> str:
        return f"<WaitlistOffer {self.id} entry {self.entry_id} {self.outcome}>"
