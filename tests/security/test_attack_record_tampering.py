"""Attacks on the append-only records (issue 17, defect 5): the medical record and the NEN 7513 access log.

Rows that may only be inserted must stay as they were written whatever SQL is sent: an insert that
would replace one is refused on both engines. Whoever gets past the database's own rules (its
owner, with the triggers set aside) can change, remove or add rows, but ``clinic verify-records``
finds each: the seals are made with a key the database does not hold. On PostgreSQL the app's own
role is not that owner: it cannot set the rules aside at all.
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
)
from clinic.sealing import SEALED_FIELDS, seal
from clinic.services.access_log import LogFilter, Requester, record_access, record_log_view
from clinic.services.seed import seed_clinic
from clinic.services.treatment_notes import (
    AppliedModality,
    NoteContent,
    amend_note,
    content_hash,
    sign_note,
    start_note,
)
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
    amend_note(db.session, amended, "Seen again a week later.", author=author, now=NOW + timedelta(days=7))
    draft = start_note(db.session, patient, NoteContent(subjective="Draft."), author=author, now=NOW)
    reads = [record_access(db.session, Requester(author, "192.0.2.7", author.role), patient.id, AccessAction.READ,
                           RecordPart.TREATMENT_NOTE, note.id) for note in (signed, amended, draft)]
    db.session.commit()
    return Records(signed, amended, draft, reads[0])


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
    # The rule's trigger, or before it (PostgreSQL) the app role's missing right to UPDATE.
    with pytest.raises((sa.exc.IntegrityError, sa.exc.ProgrammingError), match=f"{code}|permission denied"):
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


# Past the database's rules: what its owner can do -----------------------------------------------

APPEND_ONLY_TABLES = ("access_log", "treatment_notes", "treatment_note_modalities", "treatment_note_amendments")


def tamper(owner_settings: dict, statement: str, **params) -> None:
    """Run ``statement`` as the database's owner with the append-only triggers set aside, and commit."""
    db.session.rollback()
    engine = sa.create_engine(owner_settings["SQLALCHEMY_DATABASE_URI"])
    with engine.begin() as owner:
        if owner.dialect.name == "postgresql":
            for table in APPEND_ONLY_TABLES:
                owner.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            owner.execute(sa.text(statement), params)
            for table in APPEND_ONLY_TABLES:
                owner.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            triggers = owner.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all()
            for name, _ in triggers:
                owner.exec_driver_sql(f"DROP TRIGGER {name}")
            owner.execute(sa.text(statement), params)
            for _, definition in triggers:
                owner.exec_driver_sql(definition)
    engine.dispose()


OWNER_REFUSED = {
    "access log updated": ("UPDATE access_log SET action = 'write'", "access_log_insert_only"),
    "access log deleted": ("DELETE FROM access_log", "access_log_insert_only"),
    "amendment updated": ("UPDATE treatment_note_amendments SET text = 'Never mind.'", "amendment_immutable"),
    "amendment deleted": ("DELETE FROM treatment_note_amendments", "amendment_immutable"),
    "signed note updated": ("UPDATE treatment_notes SET plan = 'x' WHERE status = 'signed'", "signed_note_immutable"),
}


@pytest.mark.parametrize("statement, code", OWNER_REFUSED.values(), ids=OWNER_REFUSED)
def test_the_triggers_refuse_even_the_owner_until_it_sets_them_aside(records, owner_settings, statement, code):
    db.session.rollback()
    engine = sa.create_engine(owner_settings["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.begin() as owner, pytest.raises(sa.exc.IntegrityError, match=code):
            owner.exec_driver_sql(statement)
    finally:
        engine.dispose()


def verify(app):
    return app.test_cli_runner().invoke(args=["clinic", "verify-records"])


def test_a_clean_database_verifies(app, records):
    result = verify(app)
    assert result.exit_code == 0, result.output
    assert "access_log: 3 sealed row(s), numbers 1–3: OK" in result.output
    assert "treatment_notes: 2 sealed row(s), numbers 1–2: OK" in result.output
    assert "treatment_note_amendments: 2 sealed row(s), numbers 1–2: OK" in result.output


def tampered_note_with_its_hash_recomputed(records: Records) -> dict:
    """The attack on an unkeyed hash: rewrite the text and store the SHA-256 of the rewritten note."""
    note = records.signed_note
    with db.session.no_autoflush:
        note.subjective = "No complaints."
        rewritten = content_hash(note)
    db.session.rollback()
    return {"id": note.id, "hash": rewritten}


def forged_access(records: Records) -> dict:
    """A row with the next seal number, sealed with a guessed key."""
    fields = {"at": NOW, "user_id": records.access.user_id, "role": "chiropractor", "patient_id": records.access.patient_id,
              "action": "read", "object_type": "treatment_note", "object_id": None, "remote_address": None}
    assert set(fields) == set(SEALED_FIELDS["access_log"])
    return fields | {"seal": seal("a guessed key", "access_log", 4, fields)}


# (what the owner does, its SQL, its parameters from the records, what verify-records reports)
TAMPERING = {
    "access log row changed": (
        "UPDATE access_log SET action = 'write' WHERE id = :id", lambda r: {"id": r.access.id},
        lambda r: f"access_log row {r.access.id} (seal number 1): changed or forged"),
    "access log row removed": (
        "DELETE FROM access_log WHERE seal_number = 2", lambda r: {},
        lambda r: "access_log rows: missing: the row(s) sealed as number 2 are gone"),
    "access log row forged": (
        "INSERT INTO access_log (at, user_id, role, patient_id, action, object_type, object_id, remote_address, "
        "seal_number, seal) VALUES (:at, :user_id, :role, :patient_id, :action, :object_type, :object_id, "
        ":remote_address, 4, :seal)", forged_access,
        lambda r: "(seal number 4): changed or forged"),
    "signed note rewritten": (
        "UPDATE treatment_notes SET subjective = 'No complaints.' WHERE id = :id", lambda r: {"id": r.signed_note.id},
        lambda r: f"treatment_notes row {r.signed_note.id} (seal number 1): changed or forged"),
    "signed note rewritten with its hash recomputed": (
        "UPDATE treatment_notes SET subjective = 'No complaints.', content_hash = :hash WHERE id = :id",
        tampered_note_with_its_hash_recomputed,
        lambda r: f"treatment_notes row {r.signed_note.id} (seal number 1): changed or forged"),
    "signed note's modality changed": (
        "UPDATE treatment_note_modalities SET verdict = 'recommended' WHERE note_id = :id",
        lambda r: {"id": r.signed_note.id},
        lambda r: f"treatment_notes row {r.signed_note.id} (seal number 1): changed or forged"),
    "signed note turned back into a draft": (
        "UPDATE treatment_notes SET status = 'draft', signed_at = NULL, signed_by_id = NULL, content_hash = NULL, "
        "seal_number = NULL, seal = NULL WHERE id = :id", lambda r: {"id": r.signed_note.id},
        lambda r: "treatment_notes rows: missing: the row(s) sealed as number 1 are gone"),
    "signed note removed": (
        "DELETE FROM treatment_notes WHERE id = :id", lambda r: {"id": r.signed_note.id},
        lambda r: "treatment_notes rows: missing: the row(s) sealed as number 1 are gone"),
    "amendment rewritten": (
        "UPDATE treatment_note_amendments SET text = 'Right calf.' WHERE seal_number = 1", lambda r: {},
        lambda r: f"treatment_note_amendments row {r.amended_note.amendments[0].id} (seal number 1): changed or forged"),
    "amendment removed": (
        "DELETE FROM treatment_note_amendments WHERE seal_number = 1", lambda r: {},
        lambda r: "treatment_note_amendments rows: missing: the row(s) sealed as number 1 are gone"),
}


@pytest.mark.parametrize("attack", TAMPERING)
def test_verify_records_finds_each_changed_forged_or_removed_row(app, records, owner_settings, attempts, attack):
    statement, params_of, report_of = TAMPERING[attack]
    expected = report_of(records)
    tamper(owner_settings, statement, **params_of(records))
    attempts.record("tamper")
    result = verify(app)
    assert result.exit_code == 1, result.output
    assert expected in result.output
    assert "1 problem(s)" in result.output


@pytest.mark.parametrize("statement", [
    "UPDATE access_log SET log_filter = NULL WHERE log_filter IS NOT NULL",  # the look hidden among old rows
    "UPDATE access_log SET log_filter = 'user=1' WHERE log_filter IS NOT NULL",
])
def test_the_filter_of_a_look_at_the_log_is_sealed(app, records, owner_settings, attempts, statement):
    requester = Requester(records.access.user, "192.0.2.7", "admin")
    record_log_view(db.session, requester, LogFilter(patient_id=records.access.patient_id), AccessAction.READ)
    db.session.commit()
    assert verify(app).exit_code == 0
    tamper(owner_settings, statement)
    attempts.record("tamper")
    result = verify(app)
    assert result.exit_code == 1 and "changed or forged" in result.output, result.output


def test_the_database_refuses_a_row_without_its_seal(records, attempts):
    statement = ("INSERT INTO access_log (at, user_id, role, patient_id, action, object_type) "
                 "SELECT at, user_id, role, patient_id, action, object_type FROM access_log WHERE id = :id")
    attempts.record("tamper")
    with pytest.raises(sa.exc.IntegrityError, match="sealed"):
        db.session.execute(sa.text(statement), {"id": records.access.id})
    db.session.rollback()


# The app's own role (PostgreSQL) -----------------------------------------------------------------

REFUSED_TO_THE_APP = {
    "truncate": "TRUNCATE access_log",
    "disable triggers": "ALTER TABLE access_log DISABLE TRIGGER USER",
    "drop a trigger": "DROP TRIGGER access_log_insert_only ON access_log",
    "replication role": "SET session_replication_role = replica",
    "delete": "DELETE FROM access_log",
    "update": "UPDATE access_log SET action = 'write'",
    "delete an amendment": "DELETE FROM treatment_note_amendments",
    "new table": "CREATE TABLE shadow_log (id integer)",
    "drop the seals": "ALTER TABLE access_log DROP CONSTRAINT ck_access_log_sealed",
}


@pytest.mark.parametrize("statement", REFUSED_TO_THE_APP.values(), ids=REFUSED_TO_THE_APP)
def test_the_app_role_cannot_set_the_rules_aside(records, attempts, statement):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles: whoever can write the file can do anything, and the seals show it")
    attempts.record("tamper")
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied|must be owner|must be superuser"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(AccessLogEntry.id))) == 3


def test_the_app_role_has_row_rights_only_and_none_to_change_append_only_rows(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles")
    rights = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
    granted = {
        table.name: {right for right in rights if db.session.scalar(
            sa.text("SELECT has_table_privilege(current_user, :table, :right)"), {"table": table.name, "right": right})}
        for table in db.metadata.sorted_tables
    }
    append_only = {"access_log", "appointment_events", "treatment_note_amendments", "patient_changes", "patient_merges",
                   "alert_acknowledgements"}
    assert {name for name, held in granted.items() if held == {"SELECT", "INSERT"}} == append_only
    assert {name for name, held in granted.items() if held != {"SELECT", "INSERT", "UPDATE", "DELETE"}} == append_only
    owner = db.session.scalar(sa.text("SELECT tableowner FROM pg_tables WHERE tablename = 'access_log'"))
    assert owner != db.session.scalar(sa.text("SELECT current_user"))
