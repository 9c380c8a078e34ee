"""The record that a patient's data was erased on their request: who did it, when and why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.database import UTCDateTime
from clinic.extensions import db
from clinic.models.patients import Patient
from clinic.models.users import User


class PatientErasure(db.Model):
    """One per anonymised patient; it names no erased detail, so it cannot bring any back."""

    __tablename__ = "patient_erasures"
    __table_args__ = (CheckConstraint("trim(reason) <> ''", name="reason_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kept as long as the treatment record it belongs to: neither side can be deleted under it.
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), unique=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)

    patient: Mapped[Patient] = relationship()
    erased_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<PatientErasure patient {self.patient_id} {self.erased_at:%Y-%m-%d}>"
