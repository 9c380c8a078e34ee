"""Sealing the append-only records as they are written, and verifying them later (``clinic.sealing``).

``seal_new_records`` runs before every flush (``clinic.register_session_hooks``): each new
access-log row and amendment, and each note being signed, gets the next seal number of its table
and its seal. Numbers are taken one writer at a time until the transaction ends, so they follow
each other without a gap or a clash: taking them locks the table's ``seal_counters`` row (one
statement, which also makes the row the first time). Access-log rows reach the session only as
their unit of work commits (``clinic.services.access_log``), so that lock, the one every record
read needs, is held for the commit alone. ``verify_records`` walks every sealed table and reports
each row that was changed, forged or removed.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from clinic import sealing
from clinic.models import AccessLogEntry, NoteStatus, TreatmentNote, TreatmentNoteAmendment
from clinic.services.treatment_notes import content_hash

# In the order their numbers are taken, so two transactions sealing rows of two tables cannot
# deadlock: access-log rows last, as they come only in the commit's flush.
SEALED_MODELS = (TreatmentNote, TreatmentNoteAmendment, AccessLogEntry)
VERIFY_BATCH = 2000
# The same SQL on both engines; text, because building the statement cost more than running it.
TAKE_NUMBERS = text(
    "INSERT INTO seal_counters (table_name, last_number) VALUES (:table, :count) "
    "ON CONFLICT (table_name) DO UPDATE SET last_number = seal_counters.last_number + :count "
    "RETURNING last_number"
)


def _waiting_for_seal(session: Session) -> list:
    """Return every new row of a sealed table and every note being signed (drafts are not sealed).

    A new row is sealed even if it carries a seal: one made in a flush that was then rolled back.
    """
    new = [row for row in session.new if isinstance(row, SEALED_MODELS)]
    signing = [row for row in session.dirty if isinstance(row, TreatmentNote) and row.seal is None]
    return [row for row in new + signing if not isinstance(row, TreatmentNote) or row.status == NoteStatus.SIGNED.value]


def _fill_insert_defaults(row: object, names: Sequence[str]) -> None:
    # A column default (e.g. created_at) is applied at INSERT, after this; the seal needs it now.
    columns = type(row).__table__.c
    for name in names:
        default = columns[name].default
        if getattr(row, name) is None and default is not None and default.is_callable:
            setattr(row, name, default.arg(None))


def _take_numbers(session: Session, table: str, count: int) -> int:
    """Take the next ``count`` seal numbers of ``table`` until the transaction ends; return the first."""
    last = session.connection().scalar(TAKE_NUMBERS, {"table": table, "count": count})
    return last - count + 1


def seal_new_records(session: Session, key: str) -> None:
    """Give each row of ``session`` that needs a seal its table's next seal number and its seal."""
    waiting = _waiting_for_seal(session)
    for model in SEALED_MODELS:
        rows = [row for row in waiting if type(row) is model]
        if not rows:
            continue
        table = model.__tablename__
        names = sealing.sealed_fields(table)
        for number, row in enumerate(rows, start=_take_numbers(session, table, len(rows))):
            _fill_insert_defaults(row, names)
            row.seal_number = number
            row.seal = sealing.seal(key, table, number, {name: getattr(row, name) for name in names})


# Verifying ---------------------------------------------------------------------------------------


def note_is_as_signed(note: TreatmentNote, key: str) -> bool:
    """Tell whether a signed note still has the content it was signed with, under its own seal."""
    fields = {"status": note.status, "content_hash": note.content_hash}
    return (note.is_signed and note.content_hash == content_hash(note)
            and sealing.seal_fits(key, TreatmentNote.__tablename__, note.seal_number, fields, note.seal))


@dataclass(frozen=True)
class Finding:
    """One row (or run of seal numbers) that is not as it was sealed."""

    table: str
    problem: str
    row_id: int | None = None
    seal_number: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row_id}" if self.row_id is not None else "rows"
        number = f" (seal number {self.seal_number})" if self.seal_number is not None else ""
        return f"{self.table} {where}{number}: {self.problem}"


@dataclass
class TableReport:
    """What verifying one table found: how many sealed rows, the last number, and every problem."""

    table: str
    sealed: int = 0
    last_number: int = 0
    findings: list[Finding] = field(default_factory=list)


def _sealed_rows(session: Session, model) -> Iterator[tuple[int, int, str | None, dict, bool]]:
    """Yield (id, seal number, seal, sealed fields, whether the row agrees with itself) of the numbered rows, by number.

    Only a note can disagree with itself: its stored content hash must be the hash of its content.
    """
    names = sealing.sealed_fields(model.__tablename__)
    if model is TreatmentNote:
        notes = session.scalars(
            select(TreatmentNote).where(TreatmentNote.seal_number.is_not(None)).order_by(TreatmentNote.seal_number)
            .options(selectinload(TreatmentNote.modalities)).execution_options(yield_per=VERIFY_BATCH)
        )
        for note in notes:
            fields = {"status": note.status, "content_hash": note.content_hash}
            yield note.id, note.seal_number, note.seal, fields, note.content_hash == content_hash(note)
        return
    columns = [getattr(model, name) for name in names]
    rows = session.execute(
        select(model.id, model.seal_number, model.seal, *columns).where(model.seal_number.is_not(None))
        .order_by(model.seal_number).execution_options(yield_per=VERIFY_BATCH)
    )
    for row_id, number, stored, *values in rows:
        yield row_id, number, stored, dict(zip(names, values)), True


def _unsealed_ids(session: Session, model) -> Sequence[int]:
    query = select(model.id).where(model.seal.is_(None) | model.seal_number.is_(None))
    if model is TreatmentNote:
        query = query.where(TreatmentNote.status == NoteStatus.SIGNED.value)
    return session.scalars(query.order_by(model.id)).all()


def verify_table(session: Session, model, key: str) -> TableReport:
    """Check every sealed row of ``model``'s table against its seal, and the numbers for gaps."""
    table = model.__tablename__
    report = TableReport(table)
    expected = 1
    for row_id, number, stored, fields, agrees in _sealed_rows(session, model):
        report.sealed += 1
        report.last_number = number
        if number > expected:
            gone = f"{expected}" if number == expected + 1 else f"{expected}–{number - 1}"
            report.findings.append(Finding(table, f"missing: the row(s) sealed as number {gone} are gone"))
        elif number < expected:
            report.findings.append(Finding(table, "forged: its seal number is used twice", row_id, number))
        expected = number + 1
        if not (agrees and sealing.seal_fits(key, table, number, fields, stored)):
            report.findings.append(Finding(table, "changed or forged: its seal does not fit its content",
                                           row_id, number))
    for row_id in _unsealed_ids(session, model):
        report.findings.append(Finding(table, "not sealed: written past the application", row_id))
    return report


def verify_records(session: Session, key: str) -> list[TableReport]:
    """Verify every sealed table; a report without findings means the table is as it was sealed."""
    return [verify_table(session, model, key) for model in SEALED_MODELS]
