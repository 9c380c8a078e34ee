"""Care episodes (one per complaint) and the outcome measures taken over them.

An episode is opened at intake and closed with a discharge summary; appointments and stand-alone
treatment notes point to their episode (a note of an appointment has its appointment's episode). The
outcome measurements keep the raw answers (``outcome_answers``) beside the score; the ranges of each
measure are CHECKs here, their meaning is ``clinic.outcomes``.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of
from clinic.models.appointments import Appointment
from clinic.models.chiropractors import Chiropractor
from clinic.models.patients import Patient
from clinic.models.users import User
from clinic.outcomes.measures import PSK_ACTIVITY_MAX_LENGTH, SCALES, Measure, RegionQuestionnaire

REGION_MAX_LENGTH = 60
GOALS_MAX_LENGTH = 2000
SUMMARY_MAX_LENGTH = 4000


class CareEpisode(db.Model):
    """The care of one complaint: its region and onset, the goals, the treating chiropractor, open until closed."""

    __tablename__ = "care_episodes"
    __table_args__ = (
        CheckConstraint(f"length(trim(region)) BETWEEN 1 AND {REGION_MAX_LENGTH}", name="region_given"),
        CheckConstraint(f"length(goals) <= {GOALS_MAX_LENGTH}", name="goals_length"),
        CheckConstraint("closed_at IS NULL OR closed_at >= opened_at", name="closed_after_opened"),
        # Closed exactly when there is a discharge summary, and a summary says something.
        CheckConstraint("(closed_at IS NULL) = (discharge_summary IS NULL)", name="closed_iff_summary"),
        CheckConstraint(f"discharge_summary IS NULL OR length(trim(discharge_summary)) BETWEEN 1 AND "
                        f"{SUMMARY_MAX_LENGTH}", name="summary_given"),
        one_of("region_questionnaire", (q.value for q in RegionQuestionnaire), name="region_questionnaire_known"),
        Index(None, "patient_id", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Part of the treatment record (WGBO): nothing it points to is deleted under it.
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    chiropractor_id: Mapped[int] = mapped_column(ForeignKey("chiropractors.id", ondelete="RESTRICT"), index=True)
    region: Mapped[str] = mapped_column(String(REGION_MAX_LENGTH), comment="body region of the complaint")
    onset_on: Mapped[date] = mapped_column(Date, comment="the day the complaint began (as the patient remembers)")
    goals: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    discharge_summary: Mapped[str | None] = mapped_column(Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    region_questionnaire: Mapped[str | None] = mapped_column(
        String(10), comment="the region-specific questionnaire the patient answers before visits (none: only "
                            "pain, activities and change)")

    patient: Mapped[Patient] = relationship()
    chiropractor: Mapped[Chiropractor] = relationship()
    opened_by: Mapped[User | None] = relationship()
    appointments: Mapped[list[Appointment]] = relationship()
    measurements: Mapped[list[OutcomeMeasurement]] = relationship(
        back_populates="episode", order_by="(OutcomeMeasurement.measured_at, OutcomeMeasurement.id)"
    )

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def asks_lefs(self) -> bool:
        return self.region_questionnaire == RegionQuestionnaire.LEFS.value

    def __repr__(self) -> str:
        return f"<CareEpisode {self.id} patient {self.patient_id} {self.region}>"


class EnteredBy(str, enum.Enum):
    PATIENT = "patient"
    STAFF = "staff"


def _score_range(measure: Measure) -> str:
    scale = SCALES[measure]
    whole = "" if measure is Measure.PSK else " AND score = ROUND(score)"
    return f"(measure <> '{measure.value}' OR (score BETWEEN {scale.low} AND {scale.high}{whole}))"


class OutcomeMeasurement(db.Model):
    """One outcome measure taken in an episode: its score, who entered it and when it was measured."""

    __tablename__ = "outcome_measurements"
    __table_args__ = (
        one_of("measure", (m.value for m in Measure), name="measure_known"),
        one_of("entered_by", (e.value for e in EnteredBy), name="entered_by_known"),
        CheckConstraint(" AND ".join(_score_range(measure) for measure in Measure), name="score_range"),
        CheckConstraint("entered_by = 'patient' OR entered_by_user_id IS NOT NULL", name="staff_entry_names_user"),
        # The answers refer to (id, measure), so each answer row can check its measure's range.
        UniqueConstraint("id", "measure"),
        Index(None, "episode_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("care_episodes.id", ondelete="RESTRICT"))
    measure: Mapped[str] = mapped_column(String(8))
    score: Mapped[float] = mapped_column(Float, comment="nprs, groc: the value; psk: mean of the activities; lefs: sum")
    # The visit it was taken before, if any (a link e-mailed before an appointment, or entered at it).
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="RESTRICT"), index=True)
    entered_by: Mapped[str] = mapped_column(String(8))
    entered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    measured_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = created_at_column()

    episode: Mapped[CareEpisode] = relationship(back_populates="measurements")
    entered_by_user: Mapped[User | None] = relationship()
    answers: Mapped[list[OutcomeAnswer]] = relationship(
        back_populates="measurement", order_by="OutcomeAnswer.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<OutcomeMeasurement {self.id} {self.measure}={self.score}>"


def _answer_range(measure: Measure, activity: str) -> str:
    scale = SCALES[measure]
    return (f"(measure = '{measure.value}' AND position BETWEEN 1 AND {scale.max_items} "
            f"AND answer BETWEEN {scale.item_low} AND {scale.item_high} AND {activity})")


class OutcomeAnswer(db.Model):
    """One raw answer of a questionnaire: a PSK activity and its score, or one LEFS item."""

    __tablename__ = "outcome_answers"
    __table_args__ = (
        ForeignKeyConstraint(["measurement_id", "measure"],
                             ["outcome_measurements.id", "outcome_measurements.measure"], ondelete="CASCADE"),
        CheckConstraint(
            _answer_range(Measure.PSK, f"activity IS NOT NULL AND length(trim(activity)) BETWEEN 1 AND {PSK_ACTIVITY_MAX_LENGTH}")
            + " OR " + _answer_range(Measure.LEFS, "activity IS NULL"),
            name="answer_range",
        ),
    )

    measurement_id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True, comment="1, 2, … in the questionnaire's order")
    measure: Mapped[str] = mapped_column(String(8))
    activity: Mapped[str | None] = mapped_column(String(PSK_ACTIVITY_MAX_LENGTH), comment="psk: the patient's words")
    answer: Mapped[int]

    measurement: Mapped[OutcomeMeasurement] = relationship(back_populates="answers")
