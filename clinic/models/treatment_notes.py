"""Treatment notes: SOAP text, the modalities applied, the readiness snapshot, signing and amendments.

A signed note is a medical record: the database refuses to change or delete it (or its modality
rows), and refuses amendments to be changed or deleted. The triggers that do so live in the
migration that creates these tables. A note is sealed when it is signed, an amendment when it is
written (``clinic.sealing``).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import Sealed, created_at_column, one_of, updated_at_column
from clinic.models.appointments import Appointment
from clinic.models.patients import Patient
from clinic.models.users import User
from clinic.readiness.verdicts import VERDICT_KEYS

# The modalities the readiness engine assesses (tests check this matches its rules file).
NOTE_MODALITIES = ("adjustment", "massage", "dry_needling", "decompression", "active_recovery")


class NoteStatus(str, enum.Enum):
    DRAFT = "draft"
    SIGNED = "signed"


class TreatmentNote(Sealed, db.Model):
    """A chiropractor's note of one treatment, with the readiness picture it was written against."""

    __tablename__ = "treatment_notes"
    __table_args__ = (
        one_of("status", (s.value for s in NoteStatus), name="status_known"),
        CheckConstraint(
            "(status = 'signed') = (signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND content_hash IS NOT NULL)",
            name="signed_iff_signature",
        ),
        # Only the author signs their note.
        CheckConstraint("signed_by_id IS NULL OR signed_by_id = author_id", name="signed_by_author"),
        CheckConstraint("length(inputs_digest) = 64", name="inputs_digest_sha256"),
        CheckConstraint("content_hash IS NULL OR length(content_hash) = 64", name="content_hash_sha256"),
        CheckConstraint("(status = 'signed') = (seal_number IS NOT NULL AND seal IS NOT NULL)", name="sealed_iff_signed"),
        CheckConstraint("seal IS NULL OR length(seal) = 64", name="seal_hmac_sha256"),
        Index(None, "patient_id", "created_at"),
        Index(None, "seal_number", unique=True),
        # A note of an appointment has its appointment's episode; only a stand-alone note names its own.
        CheckConstraint("appointment_id IS NULL OR episode_id IS NULL", name="episode_through_appointment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A medical record outlives nothing it points to: none of these can be deleted under it.
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    appointment_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointments.id", ondelete="RESTRICT"), unique=True, comment="NULL for a stand-alone note"
    )
    # Stand-alone notes only: a note of an appointment has the appointment's episode.
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("care_episodes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    subjective: Mapped[str] = mapped_column(Text, default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    assessment: Mapped[str] = mapped_column(Text, default="")
    plan: Mapped[str] = mapped_column(Text, default="")
    readiness_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), comment="the instant the readiness was evaluated at: the appointment's start, or when written"
    )
    readiness_snapshot: Mapped[dict] = mapped_column(JSON, comment="ReadinessResult.to_dict() as shown")
    rules_version: Mapped[str] = mapped_column(String(40))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default=NoteStatus.DRAFT.value)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    content_hash: Mapped[str | None] = mapped_column(String(64), comment="SHA-256 of the canonical note at signing")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    patient: Mapped[Patient] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    modalities: Mapped[list[TreatmentNoteModality]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="TreatmentNoteModality.id"
    )
    amendments: Mapped[list[TreatmentNoteAmendment]] = relationship(
        back_populates="note", order_by="TreatmentNoteAmendment.id"
    )

    @property
    def care_episode_id(self) -> int | None:
        """Return the note's episode: its appointment's, or for a stand-alone note its own."""
        return self.appointment.episode_id if self.appointment is not None else self.episode_id

    @property
    def is_signed(self) -> bool:
        return self.status == NoteStatus.SIGNED.value

    def __repr__(self) -> str:
        return f"<TreatmentNote {self.id} patient {self.patient_id} {self.status}>"


class TreatmentNoteModality(db.Model):
    """A modality applied in a treatment, its details, and the verdict the chiropractor was shown.

    Going against the guidance is the chiropractor's call, but never silent: a ``not_advised``
    verdict needs a justification, a ``contraindicated`` one an explicit override as well.
    """

    __tablename__ = "treatment_note_modalities"
    __table_args__ = (
        UniqueConstraint("note_id", "modality"),
        one_of("modality", NOTE_MODALITIES, name="modality_known"),
        one_of("verdict", VERDICT_KEYS, name="verdict_known"),
        CheckConstraint(
            "verdict NOT IN ('not_advised', 'contraindicated') OR trim(justification) <> ''",
            name="justified_against_advice",
        ),
        CheckConstraint("verdict <> 'contraindicated' OR is_override", name="override_when_contraindicated"),
        CheckConstraint("NOT is_override OR trim(justification) <> ''", name="override_justified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("treatment_notes.id", ondelete="CASCADE"))
    modality: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(String(16), comment="the readiness verdict shown when it was chosen")
    justification: Mapped[str] = mapped_column(Text, default="")
    is_override: Mapped[bool] = mapped_column(default=False)

    note: Mapped[TreatmentNote] = relationship(back_populates="modalities")

    def __repr__(self) -> str:
        return f"<TreatmentNoteModality note {self.note_id} {self.modality} ({self.verdict})>"


class TreatmentNoteAmendment(Sealed, db.Model):
    """A correction or addition to a signed note; the note itself stays as it was signed."""

    __tablename__ = "treatment_note_amendments"
    __table_args__ = (
        CheckConstraint("trim(text) <> ''", name="text_not_empty"),
        CheckConstraint("seal_number IS NOT NULL AND seal IS NOT NULL AND length(seal) = 64", name="sealed"),
        Index(None, "seal_number", unique=True),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("treatment_notes.id", ondelete="RESTRICT"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = created_at_column()

    note: Mapped[TreatmentNote] = relationship(back_populates="amendments")
    author: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TreatmentNoteAmendment {self.id} of note {self.note_id}>"
