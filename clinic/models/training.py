"""What the readiness engine reads about a patient: training, daily check-ins and the screening.

The flag, indication and complaint names come from the versioned rules file
(``clinic.readiness``), so the services check them; the database holds the ranges, the
uniqueness and the links.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, updated_at_column
from clinic.models.patients import Patient
from clinic.models.users import User

MAX_SESSION_MINUTES = 24 * 60


class TrainingSession(db.Model):
    """One training session or competition, rated with session-RPE (Borg CR-10, 0–10)."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint(f"duration_minutes > 0 AND duration_minutes <= {MAX_SESSION_MINUTES}", name="duration_range"),
        CheckConstraint("rpe >= 0 AND rpe <= 10", name="rpe_range"),
        CheckConstraint("kind <> ''", name="kind_not_empty"),
        Index(None, "patient_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A patient's own training log goes with the patient.
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    rpe: Mapped[int] = mapped_column(comment="session RPE, Borg CR-10 (0 = rest … 10 = maximal)")
    kind: Mapped[str] = mapped_column(String(40), default="training")
    is_competition: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = created_at_column()
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship()
    entered_by: Mapped[User | None] = relationship()

    @property
    def load(self) -> int:
        """Return the session-RPE load in arbitrary units: RPE × minutes."""
        return self.rpe * self.duration_minutes

    def __repr__(self) -> str:
        return f"<TrainingSession {self.id} patient {self.patient_id} {self.ended_at:%Y-%m-%d %H:%M}Z>"


class WellnessCheckIn(db.Model):
    """A patient's daily self-report: Hooper items (1 = very good … 7 = very bad), DOMS and HRV."""

    __tablename__ = "wellness_check_ins"
    __table_args__ = (
        UniqueConstraint("patient_id", "day"),
        *(
            CheckConstraint(f"{item} IS NULL OR ({item} >= 1 AND {item} <= 7)", name=f"{item}_range")
            for item in ("sleep", "fatigue", "stress", "soreness")
        ),
        CheckConstraint("doms IS NULL OR (doms >= 0 AND doms <= 10)", name="doms_range"),
        CheckConstraint("doms_region IS NULL OR (doms IS NOT NULL AND doms_region <> '')", name="doms_region_with_doms"),
        CheckConstraint("rmssd_ms IS NULL OR rmssd_ms > 0", name="rmssd_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(comment="local calendar day, Europe/Amsterdam")
    sleep: Mapped[int | None]
    fatigue: Mapped[int | None]
    stress: Mapped[int | None]
    soreness: Mapped[int | None]
    doms: Mapped[int | None] = mapped_column(comment="muscle soreness NRS 0–10")
    doms_region: Mapped[str | None] = mapped_column(String(80))
    rmssd_ms: Mapped[float | None] = mapped_column(Float, comment="morning RMSSD in milliseconds")
    created_at: Mapped[datetime] = created_at_column()
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    patient: Mapped[Patient] = relationship()
    complaints: Mapped[list[WellnessComplaint]] = relationship(
        back_populates="check_in", cascade="all, delete-orphan", order_by="WellnessComplaint.complaint"
    )

    def __repr__(self) -> str:
        return f"<WellnessCheckIn {self.id} patient {self.patient_id} {self.day}>"


class WellnessComplaint(db.Model):
    """A complaint the patient reports as still going on at a check-in, and since when.

    A complaint that counts as a red flag (rules.yaml) does so until a chiropractor has reviewed
    this report: ``reviewed_at`` and ``reviewed_by``.
    """

    __tablename__ = "wellness_complaints"
    __table_args__ = (
        UniqueConstraint("check_in_id", "complaint"),
        CheckConstraint("complaint <> ''", name="complaint_not_empty"),
        CheckConstraint("reviewed_by_id IS NULL OR reviewed_at IS NOT NULL", name="reviewer_with_review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("wellness_check_ins.id", ondelete="CASCADE"))
    complaint: Mapped[str] = mapped_column(String(40))
    began_on: Mapped[date]
    reviewed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when a chiropractor reviewed this report; NULL = not yet"
    )
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    check_in: Mapped[WellnessCheckIn] = relationship(back_populates="complaints")
    reviewed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<WellnessComplaint {self.complaint} since {self.began_on}>"


class PatientScreeningFlag(db.Model):
    """A contraindication or red flag found present at screening; ``region`` is '' unless regional.

    '' rather than NULL for "no region": UNIQUE treats NULLs as distinct, so the same flag
    could otherwise be recorded twice.
    """

    __tablename__ = "patient_screening_flags"
    __table_args__ = (
        UniqueConstraint("patient_id", "flag", "region"),
        CheckConstraint("flag <> ''", name="flag_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    flag: Mapped[str] = mapped_column(String(60))
    region: Mapped[str] = mapped_column(String(80), default="")
    checked_on: Mapped[date]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    checked_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PatientScreeningFlag patient {self.patient_id} {self.flag} {self.region!r}>"


class PatientIndication(db.Model):
    """A clinical indication the chiropractor recorded, e.g. mechanical spinal pain."""

    __tablename__ = "patient_indications"
    __table_args__ = (
        UniqueConstraint("patient_id", "indication"),
        CheckConstraint("indication <> ''", name="indication_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    indication: Mapped[str] = mapped_column(String(60))
    recorded_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<PatientIndication patient {self.patient_id} {self.indication}>"


class PatientReadinessProfile(db.Model):
    """One row per patient: the next competition and when the screening checklist was last done."""

    __tablename__ = "patient_readiness_profiles"
    __table_args__ = (
        CheckConstraint("(screened_at IS NULL) = (screening_due_on IS NULL)", name="screening_due_when_screened"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), unique=True)
    next_competition_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    screened_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when the whole screening checklist was last gone through; NULL = never"
    )
    screened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    screening_due_on: Mapped[date | None] = mapped_column(
        comment="the clinic day from which a full screening is due again (SCREENING_VALID_MONTHS after it)"
    )
    updated_at: Mapped[datetime] = updated_at_column()

    screened_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PatientReadinessProfile patient {self.patient_id}>"
