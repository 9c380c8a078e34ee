"""Desk remarks on appointments, and how many days after an appointment its follow-up is planned (issue 13).

Hand-written, as plain ADD COLUMN statements with their CHECKs on both engines: a batch rebuild
would drop the SQLite triggers on ``appointments`` (overlaps, schedule revision) and on
``appointment_types`` (schedule revision). Existing rows get no remarks and a follow-up after 7 days.

Revision ID: 8b3f6d2e1c47
Revises: 5e7a2c91d4b3
Create Date: 2026-12-05 06:00:00

"""
from alembic import op

revision = "8b3f6d2e1c47"
down_revision = "5e7a2c91d4b3"
branch_labels = None
depends_on = None

# table: (column, definition, comment as the model has it)
COLUMNS = {
    "appointments": ("desk_remarks", "TEXT NOT NULL DEFAULT '' "
                     "CONSTRAINT ck_appointments_desk_remarks_short CHECK (length(desk_remarks) <= 500)",
                     "for the front desk, shown on the day view; nothing clinical"),
    "appointment_types": ("follow_up_days", "INTEGER NOT NULL DEFAULT 7 "
                          "CONSTRAINT ck_appointment_types_follow_up_days_in_range "
                          "CHECK (follow_up_days BETWEEN 1 AND 365)",
                          "'plan follow-up' suggests the day this many days after the appointment"),
}


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (column, definition, comment) in COLUMNS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        if postgresql:  # SQLite keeps no comments
            quoted = comment.replace("'", "''")
            op.execute(f"COMMENT ON COLUMN {table}.{column} IS '{quoted}'")


def downgrade():
    for table, (column, _, _) in COLUMNS.items():
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
