"""The append-only records refuse an INSERT that would replace a row (SQLite).

Written by hand; no table changes. SQLite's ``INSERT OR REPLACE`` / ``REPLACE INTO`` resolves a
uniqueness conflict by deleting the old row without firing delete triggers, so it rewrote an
access-log entry or a signed note that UPDATE and DELETE cannot touch. A BEFORE INSERT trigger
refuses an insert that collides with a row that must stay: any access-log entry or amendment, and
a signed note (by id, or by its appointment, which is UNIQUE too) or one of its modalities.
PostgreSQL has no REPLACE, and its ``INSERT … ON CONFLICT DO UPDATE`` fires the update triggers
that already refuse.

Revision ID: b8e2f4a6c0d1
Revises: f1d2c3b4a5e6
Create Date: 2026-12-04 09:00:00

"""
from alembic import op

revision = "b8e2f4a6c0d1"
down_revision = "f1d2c3b4a5e6"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "access_log_no_replace": """
CREATE TRIGGER access_log_no_replace BEFORE INSERT ON access_log
WHEN EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'access_log_insert_only: an access log entry cannot be replaced'); END
""",
    "treatment_notes_signed_no_replace": """
CREATE TRIGGER treatment_notes_signed_no_replace BEFORE INSERT ON treatment_notes
WHEN EXISTS (SELECT 1 FROM treatment_notes WHERE status = 'signed' AND (id = NEW.id OR appointment_id = NEW.appointment_id))
BEGIN SELECT RAISE(ABORT, 'signed_note_immutable: a signed treatment note cannot be replaced'); END
""",
    "treatment_note_modalities_signed_no_replace": """
CREATE TRIGGER treatment_note_modalities_signed_no_replace BEFORE INSERT ON treatment_note_modalities
WHEN EXISTS (SELECT 1 FROM treatment_note_modalities AS modality JOIN treatment_notes AS note ON note.id = modality.note_id
             WHERE modality.id = NEW.id AND note.status = 'signed')
BEGIN SELECT RAISE(ABORT, 'signed_note_immutable: a signed treatment note cannot be changed'); END
""",
    "treatment_note_amendments_no_replace": """
CREATE TRIGGER treatment_note_amendments_no_replace BEFORE INSERT ON treatment_note_amendments
WHEN EXISTS (SELECT 1 FROM treatment_note_amendments WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'amendment_immutable: an amendment cannot be replaced'); END
""",
}


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
