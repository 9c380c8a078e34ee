"""How long each kind of record is kept, and from when the clock runs.

- Treatment record (dossier): 20 years from the last clinical change to it (art. 7:454 lid 3 BW
  since 1 January 2020; the term runs from the last change to the dossier, and a change of
  address or other non-clinical detail does not restart it). Clinical changes are: a note written
  or revised, an amendment, a screening.
- Access log: 5 years from when the line was written (NEN 7513 §8.5 with Staatscourant
  2019-38007: at least 5 years, at most the dossier term).
- Outbox e-mails: 90 days after they were queued, once sent or given up. The outbox is a delivery
  queue, not a record: the appointment and its history are the record. 90 days leave time to
  answer "did you send me a confirmation?".
- Links sent to patients (tokens): 30 days after they expired. An expired link opens nothing; a
  month lets the clinic explain a "link no longer works" call.

Past its term a record is listed for review, never deleted automatically: destruction is a
separate procedure that a person carries out and that is logged.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinic.localtime import require_aware


class RecordKind(str, enum.Enum):
    TREATMENT_RECORD = "treatment_record"
    ACCESS_LOG = "access_log"
    OUTBOX_MESSAGE = "outbox_message"
    PATIENT_LINK = "patient_link"


@dataclass(frozen=True)
class RetentionRule:
    years: int = 0
    days: int = 0
    counted_from: str = ""  # what the reference instant of a record is
    basis: str = ""  # where the term comes from

    def ends_at(self, reference: datetime) -> datetime:
        """Return the instant this record's retention term ends."""
        return add_years(require_aware(reference), self.years) + timedelta(days=self.days)


RETENTION_RULES: dict[RecordKind, RetentionRule] = {
    RecordKind.TREATMENT_RECORD: RetentionRule(
        years=20, counted_from="last clinical change",
        basis="WGBO art. 7:454 lid 3 BW",
    ),
    RecordKind.ACCESS_LOG: RetentionRule(
        years=5, counted_from="written", basis="NEN 7513 §8.5; Stcrt. 2019-38007",
    ),
    RecordKind.OUTBOX_MESSAGE: RetentionRule(
        days=90, counted_from="queued (sent or failed only)",
        basis="clinic policy: delivery queue, not a record",
    ),
    RecordKind.PATIENT_LINK: RetentionRule(
        days=30, counted_from="expired", basis="clinic policy: an expired link opens nothing",
    ),
}


@dataclass(frozen=True)
class DueRecord:
    """A record whose retention term has ended, for a person to review."""

    kind: RecordKind
    record: str  # e.g. "patient 12", "outbox message 7"
    reference_at: datetime
    ends_at: datetime


def add_years(instant: datetime, years: int) -> datetime:
    """Return the same calendar moment ``years`` later; 29 February becomes 28 February."""
    try:
        return instant.replace(year=instant.year + years)
    except ValueError:
        return instant.replace(year=instant.year + years, day=28)


def due(kind: RecordKind, record: str, reference_at: datetime, now: datetime) -> DueRecord | None:
    """Return the record as due for review if its term ended before ``now``, else None."""
    ends_at = RETENTION_RULES[kind].ends_at(reference_at)
    if ends_at > require_aware(now):
        return None
    return DueRecord(kind, record, reference_at, ends_at)


def last_clinical_change(instants) -> datetime | None:
    """Return the latest of the dossier's clinical change instants (None for an empty dossier)."""
    present = [require_aware(instant) for instant in instants if instant is not None]
    return max(present, default=None)
