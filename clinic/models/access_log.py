"""The access log (NEN 7513): one row for every read, search, print, export or write of a patient's record,
every refused attempt to reach one, and every look at the log itself.

Rows are only ever inserted: triggers (in the migration that creates the table) refuse UPDATE
and DELETE on both databases, and every row is sealed (``clinic.sealing``) as it is inserted. Nothing the log points to can be deleted under it; patients are
anonymised, never deleted, and the log is kept at least five years.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clinic.extensions import db
from clinic.models._columns import Sealed, created_at_column, one_of
from clinic.models.patients import Patient
from clinic.models.users import User
from clinic.roles import Role


class AccessAction(str, enum.Enum):
    READ = "read"
    SEARCH = "search"
    PRINT = "print"
    EXPORT = "export"
    WRITE = "write"
    # A signed-in user asked for the record and was turned away (403 or 404, as the answer was).
    REFUSED = "refused"


class RecordPart(str, enum.Enum):
    """Which part of a patient's record was reached (``object_type``)."""

    PATIENT = "patient"  # contact details
    APPOINTMENT = "appointment"
    CLINICAL_RECORD = "clinical_record"  # the chiropractor's overview: readiness, training, notes
    TRAINING_LOG = "training_log"
    TRAINING_SESSION = "training_session"
    WELLNESS = "wellness"
    CHECK_IN = "check_in"
    SCREENING = "screening"
    READINESS = "readiness"
    TREATMENT_NOTES = "treatment_notes"
    TREATMENT_NOTE = "treatment_note"
    CARE_EPISODES = "care_episodes"
    CARE_EPISODE = "care_episode"  # with its outcome measures
    # The log's own rows: about the patient (e.g. in a CSV export), or, without a patient, the
    # administrator's view of the log through ``log_filter``.
    ACCESS_LOG = "access_log"


class AccessLogEntry(Sealed, db.Model):
    __tablename__ = "access_log"
    __table_args__ = (
        one_of("action", (action.value for action in AccessAction), name="action_known"),
        one_of("role", (role.value for role in Role), name="role_known"),
        CheckConstraint("object_type <> ''", name="object_type_not_empty"),
        CheckConstraint("patient_id IS NOT NULL OR object_type = 'access_log'", name="patient_unless_log_view"),
        CheckConstraint("log_filter IS NULL OR object_type = 'access_log'", name="filter_only_on_log_views"),
        Index(None, "patient_id", "at"),
        Index(None, "user_id", "at"),
        Index(None, "at"),
        CheckConstraint("seal_number IS NOT NULL AND seal IS NOT NULL AND length(seal) = 64", name="sealed"),
        Index(None, "seal_number", unique=True),
        {"info": {"append_only": True}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = created_at_column()
    # NULL only for a patient reaching their own booking through its secret link (role 'patient').
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    role: Mapped[str] = mapped_column(String(16), comment="the user's role at the time")
    # NULL only for a view of the access log itself that no patient filter narrowed.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"))
    action: Mapped[str] = mapped_column(String(8))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(comment="NULL when the object is the whole part, e.g. the training log")
    remote_address: Mapped[str | None] = mapped_column(String(45), comment="IPv4 or IPv6 address of the request")
    log_filter: Mapped[str | None] = mapped_column(
        String(200), comment="a view of the access log itself: its filter as a query string ('' for none)"
    )

    user: Mapped[User | None] = relationship()
    patient: Mapped[Patient | None] = relationship()

    def __repr__(self) -> str:
        return f"<AccessLogEntry {self.id} {self.action} {self.object_type} of patient {self.patient_id}>"
