"""Attacks on the append-only records (issue 17, defect 5): the medical record and the NEN 7513 access log.

Rows that may only be inserted must stay as they were written whatever SQL is sent: an insert that
would replace one is refused on both engines.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.models import (
    AccessAction,
    AccessLogEntry,
    RecordPart,
    Role,
    TreatmentNote,
    TreatmentNoteAmendment,
    TreatmentNoteModality,
)
from clinic.services.access_log import Requester, record_access
from clinic.services.seed import seed_clinic
from clinic.services.treatment_notes import AppliedModality, NoteContent, amend_note, sign_note, start_note
from tests.clinical.clinical_builders import add_appointment
from tests.privacy.privacy_builders import NOW


@dataclass
class Records:
    signed_note: TreatmentNote  # of an appointment, with a modality, not amended
    amended_note: TreatmentNote
    draft_note: TreatmentNote
    access: AccessLogEntry


@pytest.fixture
def records(app, create_patient, create_account) -> Records:
    seed_clinic(db.session)
    author = create_account(Role.CHIROPRACTOR)
    patient = create_patient()
    massage = AppliedModality("massage", {"regions": ["lower back"], "minutes": 30})
    appointment = add_appointment(patient, NOW - timedelta(days=1), status="completed")
    signed = start_note(db.session, patient, NoteContent(subjective="Stiff lower back.", modalities=(massage,)),
                        author=author, appointment=appointment, now=NOW)
    amended = start_note(db.session, patient, NoteContent(subjective="Sore calves."), author=author, now=NOW)
    for note in (signed, amended):
        sign_note(db.session, note, signer=author, now=NOW)
    amend_note(db.session, amended, "Left calf, not right.", author=author, now=NOW)
    draft = start_note(db.session, patient, NoteContent(subjective="Draft."), author=author, now=NOW)
    access = record_access(db.session, Requester(author, "192.0.2.7", author.role), patient.id, AccessAction.READ,
                           RecordPart.TREATMENT_NOTE, signed.id)
    db.session.commit()
    return Records(signed, amended, draft, access)


# What a tamperer rewrites in each kind of append-only row: (the row, its column, the new value, the
# error the database answers with). The modality is moved to a draft, which takes it from the signed note.
APPEND_ONLY = {
    "access_log": (lambda r: r.access, "action", lambda r: "write", "access_log_insert_only"),
    "signed_note": (lambda r: r.signed_note, "subjective", lambda r: "Nothing wrong.", "signed_note_immutable"),
    "signed_note_modality": (lambda r: r.signed_note.modalities[0], "note_id", lambda r: r.draft_note.id,
                             "signed_note_immutable"),
    "amendment": (lambda r: r.amended_note.amendments[0], "text", lambda r: "Never mind.", "amendment_immutable"),
}
SQLITE_ONLY = ("INSERT OR REPLACE", "REPLACE")


def rewrite_statement(table: sa.Table, verb: str, column: str, *, upsert: bool = False, new_id: bool = False) -> str:
    """Return SQL that inserts a copy of row ``:id`` of ``table`` with ``column`` set to ``:value``."""
    names = [c.name for c in table.columns]
    copied = {name: name for name in names} | {column: ":value"} | ({"id": "NULL"} if new_id else {})
    statement = (f"{verb} INTO {table.name} ({', '.join(names)}) "
                 f"SELECT {', '.join(copied[name] for name in names)} FROM {table.name} WHERE id = :id")
    if upsert:
        statement += f" ON CONFLICT (id) DO UPDATE SET {column} = excluded.{column}"
    return statement


def assert_refused(statement: str, code: str, **params) -> None:
    with pytest.raises(sa.exc.IntegrityError, match=code):
        db.session.execute(sa.text(statement), params)
    db.session.rollback()


@pytest.mark.parametrize("verb", ["INSERT OR REPLACE", "REPLACE", "ON CONFLICT DO UPDATE"])
@pytest.mark.parametrize("kind", APPEND_ONLY)
def test_an_insert_cannot_replace_an_append_only_row(records, attempts, kind, verb):
    if verb in SQLITE_ONLY and db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no REPLACE")
    row_of, column, value_of, code = APPEND_ONLY[kind]
    row = row_of(records)
    model = type(row)
    before = db.session.execute(sa.select(model.__table__).where(model.id == row.id)).one()
    upsert = verb == "ON CONFLICT DO UPDATE"
    statement = rewrite_statement(model.__table__, "INSERT" if upsert else verb, column, upsert=upsert)
    attempts.record("tamper")
    assert_refused(statement, code, id=row.id, value=value_of(records))
    assert db.session.execute(sa.select(model.__table__).where(model.id == row.id)).one() == before


def test_a_new_note_cannot_replace_a_signed_note_of_the_same_appointment(records, attempts):
    """``appointment_id`` is UNIQUE too: REPLACE resolving that conflict would delete the signed note."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL has no REPLACE")
    note = records.signed_note
    statement = rewrite_statement(TreatmentNote.__table__, "REPLACE", "subjective", new_id=True)
    attempts.record("tamper")
    assert_refused(statement, "signed_note_immutable", id=note.id, value="Nothing wrong.")
    assert db.session.scalar(sa.select(TreatmentNote.subjective).where(TreatmentNote.id == note.id)) == "Stiff lower back."
