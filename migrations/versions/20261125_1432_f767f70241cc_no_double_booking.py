"""No double booking: the database refuses overlapping appointments; every change is recorded.

- ``appointments.buffer_ends_at``: the chiropractor is occupied until the type's buffer after the
  appointment ends. Existing rows get ``ends_at`` (no buffer).
- ``appointment_events``: who changed which appointment when.
- PostgreSQL: two exclusion constraints (btree_gist), one per chiropractor over
  [starts_at, buffer_ends_at) and one per patient over [starts_at, ends_at), for every status but
  'cancelled'. Written by hand: autogenerate cannot see exclusion constraints.
- SQLite: BEFORE INSERT / BEFORE UPDATE triggers that abort an overlapping row. They compare the
  canonical UTC text that UTCDateTime stores. A batch migration that rebuilds ``appointments`` on
  SQLite drops these triggers and must create them again.

Revision ID: f767f70241cc
Revises: d5a5d981a2e4
Create Date: 2026-11-25 14:32:14.078835

"""
import sqlalchemy as sa
from alembic import op

revision = "f767f70241cc"
down_revision = "d5a5d981a2e4"
branch_labels = None
depends_on = None

OVERLAP_RULES = (
    # (constraint or trigger name, owner column, column where the owner is free again)
    ("ex_appointments_chiropractor_no_overlap", "chiropractor_id", "buffer_ends_at"),
    ("ex_appointments_patient_no_overlap", "patient_id", "ends_at"),
)

# An appointment with its buffer lasts at most a day; the SQLite triggers rely on it to look only
# at the rows that start in the day before, which the (owner, starts_at) indexes find quickly.
SQLITE_TOO_LONG = """
CREATE TRIGGER appointments_at_most_one_day_{suffix} BEFORE {event} ON appointments
WHEN julianday(NEW.buffer_ends_at) - julianday(NEW.starts_at) > 1
BEGIN SELECT RAISE(ABORT, 'appointment longer than a day'); END
"""

SQLITE_NO_OVERLAP = """
CREATE TRIGGER {name}_{event} BEFORE {event_clause} ON appointments
WHEN NEW.status <> 'cancelled' AND EXISTS (
    SELECT 1 FROM appointments AS other
    WHERE other.{owner} = NEW.{owner}
      AND other.status <> 'cancelled'{not_itself}
      AND other.starts_at > datetime(NEW.starts_at, '-1 day')
      AND other.starts_at < NEW.{until}
      AND other.{until} > NEW.starts_at
)
BEGIN SELECT RAISE(ABORT, 'appointment_overlap: {name}'); END
"""

UPDATE_OF = "UPDATE OF starts_at, ends_at, buffer_ends_at, chiropractor_id, patient_id, status"


def sqlite_triggers():
    for event in ("INSERT", "UPDATE"):
        yield f"appointments_at_most_one_day_{event.lower()}", SQLITE_TOO_LONG.format(
            suffix=event.lower(), event=event
        )
        for name, owner, until in OVERLAP_RULES:
            yield f"{name}_{event.lower()}", SQLITE_NO_OVERLAP.format(
                name=name,
                event=event.lower(),
                event_clause="INSERT" if event == "INSERT" else UPDATE_OF,
                owner=owner,
                until=until,
                not_itself="\n      AND other.id <> NEW.id" if event == "UPDATE" else "",
            )


def upgrade():
    op.create_table(
        "appointment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("previous_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('booked', 'rescheduled', 'checked_in', 'completed', 'cancelled', 'no_show')",
            name=op.f("ck_appointment_events_action_known"),
        ),
        sa.CheckConstraint(
            "source IN ('frontdesk', 'online', 'api')", name=op.f("ck_appointment_events_source_known")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"],
            name=op.f("fk_appointment_events_appointment_id_appointments"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_appointment_events_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_events")),
    )
    op.create_index(op.f("ix_appointment_events_appointment_id"), "appointment_events", ["appointment_id"])

    with op.batch_alter_table("appointments") as batch_op:
        batch_op.add_column(sa.Column("buffer_ends_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE appointments SET buffer_ends_at = ends_at")
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.alter_column("buffer_ends_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_check_constraint(op.f("ck_appointments_buffer_after_end"), "buffer_ends_at >= ends_at")

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for name, owner, until in OVERLAP_RULES:
            op.create_exclude_constraint(
                name,
                "appointments",
                (sa.column(owner), "="),
                (sa.func.tstzrange(sa.column("starts_at"), sa.column(until), sa.literal_column("'[)'")), "&&"),
                where=sa.text("status <> 'cancelled'"),
                using="gist",
            )
    else:
        for _, statement in sqlite_triggers():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in OVERLAP_RULES:
            op.drop_constraint(name, "appointments")
    else:
        for trigger, _ in sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    with op.batch_alter_table("appointments") as batch_op:
        batch_op.drop_constraint(op.f("ck_appointments_buffer_after_end"), type_="check")
        batch_op.drop_column("buffer_ends_at")
    op.drop_index(op.f("ix_appointment_events_appointment_id"), table_name="appointment_events")
    op.drop_table("appointment_events")
