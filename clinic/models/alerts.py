"""Who acknowledged which of a chiropractor's alerts, and when.

Alerts themselves are worked out from the data (``clinic.services.alerts``); each has a stable
key, and acknowledging one records a row here. Rows are only ever inserted: triggers (in the
migration that creates the table) refuse UPDATE, DELETE and REPLACE on both databases, and the
application role loses UPDATE and DELETE on it through the ``append_only`` mark. An alert is
acknowledged once: the key is UNIQUE.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models._columns import created_at_column, one_of
from clinic.models.patients import Patient
from clinic.models.users import User

MAX_ALERT_KEY_LENGTH = 120


class AlertKind(str, enum.Enum):
    REPORTED_RED_FLAG = "reported_red_flag"  # a red-flag complaint in a check-in
    AFTER_VISIT = "after_visit"  # a worrying answer to the after-visit check-in
    WARNING_LEVEL = "warning_level"  # insufficient recovery, level 2 or 3, before an appointment
    SCREENING = "screening"  # screening missing or due for tomorrow's appointment
    ADVERSE_REACTION = "adverse_reaction"  # recorded in a treatment note

    def key(self, *parts: object) -> str:
        """Return the stable key of an alert of this kind: the kind and what it is about (``after_visit:12``)."""
        return ":".join((self.value, *(str(part) for part in parts)))


class AlertAcknowledgement(db.Model):
    """A chiropractor acknowledged the alert ``alert_key`` about ``patient_id`` at ``acknowledged_at``."""

    __tablename__ = "alert_acknowledgements"
    __table_args__ = (
        one_of("kind", (kind.value for kind in AlertKind), name="kind_known"),
        CheckConstraint("alert_key LIKE kind || ':%'", name="key_of_kind"),
        Index(None, "patient_id"),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(MAX_ALERT_KEY_LENGTH), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    # Part of the treatment record: kept with the patient (anonymised, never deleted) and with a merged tombstone.
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    acknowledged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    acknowledged_at: Mapped[datetime] = created_at_column()

    acknowledged_by: Mapped[User] = relationship()
    patient: Mapped[Patient] = relationship()

    def __repr__(self) -> str:
        return f"<AlertAcknowledgement {self.alert_key} by {self.acknowledged_by_id}>"
