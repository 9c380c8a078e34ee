"""How a patient is doing after a treatment with known after-effects, as they answered the check-in."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models._columns import created_at_column
from clinic.models.appointments import Appointment

AFTER_VISIT_REMARKS_MAX_LENGTH = 2000
# From this pain score (0–10) on, the answer is an alert for the treating chiropractor.
WORRYING_PAIN = 7


class AfterVisitAnswer(db.Model):
    """The patient's answers to the check-in after one appointment; one per appointment."""

    __tablename__ = "after_visit_answers"
    __table_args__ = (
        CheckConstraint("pain_now BETWEEN 0 AND 10", name="pain_now_range"),
        CheckConstraint("soreness BETWEEN 0 AND 10", name="soreness_range"),
        CheckConstraint(f"length(remarks) <= {AFTER_VISIT_REMARKS_MAX_LENGTH}", name="remarks_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Part of the visit's record: goes when the appointment goes (erasure), never answered twice.
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), unique=True)
    pain_now: Mapped[int] = mapped_column(comment="0 = no pain … 10 = worst imaginable")
    soreness: Mapped[int] = mapped_column(comment="0 = none … 10 = very sore")
    dizziness: Mapped[bool]
    numbness: Mapped[bool]
    fever: Mapped[bool]
    bruising: Mapped[bool]
    remarks: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime] = created_at_column()

    appointment: Mapped[Appointment] = relationship()

    @hybrid_property
    def is_worrying(self):
        """Severe pain, or a reaction that may mean more than soreness (bruising alone does not)."""
        # One expression for Python and SQL: ``|`` is ``or`` on booleans and OR on columns.
        return (self.pain_now >= WORRYING_PAIN) | self.dizziness | self.numbness | self.fever

    def __repr__(self) -> str:
        return f"<AfterVisitAnswer {self.id} appointment {self.appointment_id}>"
