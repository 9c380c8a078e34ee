"""Schedule revision, and an index that covers the availability query.

- ``schedule_revisions``: a single row (id 1, value 0 to start with).
- Triggers on appointments, time_off, working_hours, chiropractors and appointment_types add one
  to it on every insert, update and delete. PostgreSQL: one statement-level trigger per table
  calling one function. SQLite: row-level triggers (SQLite has no other kind).
- The availability API keeps free slots per revision (``clinic.services.slot_cache``): a request
  that reads the same revision reads the same slots. Written by hand: autogenerate cannot see
  triggers. No table is rebuilt, so the SQLite overlap triggers on ``appointments`` stay.
- ``appointments (chiropractor_id, starts_at, buffer_ends_at, status)`` replaces the index on
  ``(chiropractor_id, starts_at)``, its prefix: the busy times of a window come from the index
  alone, so their cost does not grow with the years of history in the table.

Revision ID: d5f7b9c1e3a4
Revises: a7c1e0d4b2f9
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "d5f7b9c1e3a4"
down_revision = "a7c1e0d4b2f9"
branch_labels = None
depends_on = None

WATCHED_TABLES = ("appointments", "time_off", "working_hours", "chiropractors", "appointment_types")
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE schedule_revisions SET value = value + 1 WHERE id = 1"

POSTGRES_FUNCTION = f"""
CREATE FUNCTION bump_schedule_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {BUMP};
    RETURN NULL;
END
$$
"""


OLD_INDEX = ("ix_appointments_chiropractor_id_starts_at", ["chiropractor_id", "starts_at"])
COVERING_INDEX = (
    "ix_appointments_chiropractor_id_starts_at_buffer_ends_at_status",
    ["chiropractor_id", "starts_at", "buffer_ends_at", "status"],
)


def upgrade():
    op.create_index(op.f(COVERING_INDEX[0]), "appointments", COVERING_INDEX[1])
    op.drop_index(op.f(OLD_INDEX[0]), table_name="appointments")
    op.create_table(
        "schedule_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_schedule_revisions_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_revisions")),
    )
    op.execute("INSERT INTO schedule_revisions (id, value) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        for table in WATCHED_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_bump_schedule_revision AFTER INSERT OR UPDATE OR DELETE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_revision()"
            )
    else:
        for table in WATCHED_TABLES:
            for event in EVENTS:
                op.execute(
                    f"CREATE TRIGGER {table}_bump_schedule_revision_{event.lower()} AFTER {event} ON {table}"
                    f" BEGIN {BUMP}; END"
                )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED_TABLES:
            op.execute(f"DROP TRIGGER {table}_bump_schedule_revision ON {table}")
        op.execute("DROP FUNCTION bump_schedule_revision()")
    else:
        for table in WATCHED_TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER {table}_bump_schedule_revision_{event.lower()}")
    op.drop_table("schedule_revisions")
    op.create_index(op.f(OLD_INDEX[0]), "appointments", OLD_INDEX[1])
    op.drop_index(op.f(COVERING_INDEX[0]), table_name="appointments")
