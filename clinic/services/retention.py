"""Finding the records whose retention period has ended (``clinic.privacy.retention`` has the rules).

Only lists them: destroying a record is a separate procedure that a person carries out and logs.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic.models import (
    AccessLogEntry,
    CareEpisode,
    OutboxMessage,
    OutcomeMeasurement,
    OutboxStatus,
    PatientReadinessProfile,
    PatientToken,
    TreatmentNote,
    TreatmentNoteAmendment,
)
from clinic.privacy.retention import RETENTION_RULES, DueRecord, RecordKind, add_years, due, last_clinical_change


def records_past_retention(session: Session, now: datetime) -> list[DueRecord]:
    """Return every record whose retention period ended before ``now``, oldest term first."""
    found = [
        *_treatment_records(session, now),
        *_access_log_rows(session, now),
        *(due(RecordKind.OUTBOX_MESSAGE, f"outbox message {message_id}", queued_at, now)
          for message_id, queued_at in session.execute(
              select(OutboxMessage.id, OutboxMessage.created_at)
              .where(OutboxMessage.status != OutboxStatus.PENDING.value))),
        *(due(RecordKind.PATIENT_LINK, f"link {token_id} (patient {patient_id})", expires_at, now)
          for token_id, patient_id, expires_at in session.execute(
              select(PatientToken.id, PatientToken.patient_id, PatientToken.expires_at)
              .where(PatientToken.expires_at.is_not(None)))),
    ]
    return sorted((record for record in found if record is not None), key=lambda record: record.ends_at)


def _access_log_rows(session: Session, now: datetime) -> list[DueRecord | None]:
    """Return, per patient, the access log rows past their term, dated by the newest of them."""
    cutoff = add_years(now, -RETENTION_RULES[RecordKind.ACCESS_LOG].years)
    rows = session.execute(
        select(AccessLogEntry.patient_id, func.count(), func.max(AccessLogEntry.at))
        .where(AccessLogEntry.at <= cutoff).group_by(AccessLogEntry.patient_id).order_by(AccessLogEntry.patient_id)
    )
    return [due(RecordKind.ACCESS_LOG, f"access log of patient {patient_id}: {count} rows" if patient_id is not None
                else f"views of the access log without a patient: {count} rows", newest, now)
            for patient_id, count, newest in rows]


def _treatment_records(session: Session, now: datetime) -> list[DueRecord | None]:
    """Return each patient's treatment record, dated by its last clinical change."""
    changes: dict[int, list[datetime]] = defaultdict(list)
    queries = (
        select(TreatmentNote.patient_id, func.max(TreatmentNote.updated_at)).group_by(TreatmentNote.patient_id),
        select(TreatmentNote.patient_id, func.max(TreatmentNoteAmendment.created_at))
        .join(TreatmentNoteAmendment.note).group_by(TreatmentNote.patient_id),
        select(PatientReadinessProfile.patient_id, PatientReadinessProfile.screened_at)
        .where(PatientReadinessProfile.screened_at.is_not(None)),
        # Closing an episode and measuring its outcomes are clinical changes too (closed_at >= opened_at).
        select(CareEpisode.patient_id, func.max(CareEpisode.opened_at)).group_by(CareEpisode.patient_id),
        select(CareEpisode.patient_id, func.max(CareEpisode.closed_at)).group_by(CareEpisode.patient_id)
        .having(func.max(CareEpisode.closed_at).is_not(None)),
        select(CareEpisode.patient_id, func.max(OutcomeMeasurement.measured_at))
        .join(OutcomeMeasurement.episode).group_by(CareEpisode.patient_id),
    )
    for query in queries:
        for patient_id, changed_at in session.execute(query):
            changes[patient_id].append(changed_at)
    return [
        due(RecordKind.TREATMENT_RECORD, f"patient {patient_id}", last_clinical_change(instants), now)
        for patient_id, instants in sorted(changes.items())
    ]
