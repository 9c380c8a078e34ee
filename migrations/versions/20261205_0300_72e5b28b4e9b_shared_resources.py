"""Shared resources: an appointment type may need one (the decompression table); the database
refuses two active appointments overlapping on one resource.

- ``resources``: what the clinic has only one of; seeded with the decompression table, which the
  type ``decompression`` (if there) then needs.
- ``appointment_types.resource_id`` and ``appointments.resource_id`` (copied from the type when
  booked, because a constraint cannot look into another table). Existing decompression
  appointments get the table too; should two of them overlap already, the upgrade stops on the
  new rule, so the desk can move one first.
- PostgreSQL: an exclusion constraint over [starts_at, buffer_ends_at) per resource, for every
  status but 'cancelled', as per chiropractor. SQLite: BEFORE INSERT / UPDATE triggers in the
  same shape as those of migration f767f70241cc.
- The columns are added with ALTER TABLE on SQLite too (with their foreign key inline), not by a
  batch rebuild: a rebuild would drop the overlap and revision triggers of both tables, and
  cannot drop ``appointments`` while appointment_events refer to it ON DELETE RESTRICT. SQLite
  reads back no ON DELETE of an inline foreign key, so these keep the default (NO ACTION, which
  refuses deleting a resource in use just the same).

Revision ID: 72e5b28b4e9b
Revises: 8b3f6d2e1c47
Create Date: 2026-12-05 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "72e5b28b4e9b"
down_revision = "8b3f6d2e1c47"
branch_labels = None
depends_on = None

RULE = "ex_appointments_resource_no_overlap"
DECOMPRESSION_TABLE = "Decompressietafel"
TABLES = ("appointment_types", "appointments")

SQLITE_NO_OVERLAP = """
CREATE TRIGGER {name}_{event} BEFORE {event_clause} ON appointments
WHEN NEW.status <> 'cancelled' AND NEW.resource_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM appointments AS other
    WHERE other.resource_id = NEW.resource_id
      AND other.status <> 'cancelled'{not_itself}
      AND other.starts_at > datetime(NEW.starts_at, '-1 day')
      AND other.starts_at < NEW.buffer_ends_at
      AND other.buffer_ends_at > NEW.starts_at
)
BEGIN SELECT RAISE(ABORT, 'appointment_overlap: {name}'); END
"""

UPDATE_OF = "UPDATE OF starts_at, buffer_ends_at, resource_id, status"


def sqlite_triggers():
    for event in ("insert", "update"):
        yield f"{RULE}_{event}", SQLITE_NO_OVERLAP.format(
            name=RULE,
            event=event,
            event_clause="INSERT" if event == "insert" else UPDATE_OF,
            not_itself="\n      AND other.id <> NEW.id" if event == "update" else "",
        )


def upgrade():
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.CheckConstraint("name <> ''", name=op.f("ck_resources_name_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("name", name=op.f("uq_resources_name")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        foreign_key = f"fk_{table}_resource_id_resources"
        if sqlite:
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN resource_id INTEGER"
                f" CONSTRAINT {foreign_key} REFERENCES resources (id)"
            )
        else:
            op.add_column(table, sa.Column("resource_id", sa.Integer(), nullable=True))
            op.create_foreign_key(foreign_key, table, "resources", ["resource_id"], ["id"])
    op.create_index(op.f("ix_appointments_resource_id_starts_at"), "appointments", ["resource_id", "starts_at"])

    op.execute(f"INSERT INTO resources (name) VALUES ('{DECOMPRESSION_TABLE}')")
    table_id = f"(SELECT id FROM resources WHERE name = '{DECOMPRESSION_TABLE}')"
    op.execute(f"UPDATE appointment_types SET resource_id = {table_id} WHERE code = 'decompression'")
    op.execute(
        f"UPDATE appointments SET resource_id = {table_id}"
        " WHERE appointment_type_id IN (SELECT id FROM appointment_types WHERE code = 'decompression')"
    )

    if sqlite:
        for _, statement in sqlite_triggers():
            op.execute(statement)
    else:
        op.create_exclude_constraint(
            RULE,
            "appointments",
            (sa.column("resource_id"), "="),
            (sa.func.tstzrange(sa.column("starts_at"), sa.column("buffer_ends_at"), sa.literal_column("'[)'")), "&&"),
            where=sa.text("status <> 'cancelled'"),
            using="gist",
        )


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for trigger, _ in sqlite_triggers():
            op.execute(f"DROP TRIGGER {trigger}")
    else:
        op.drop_constraint(RULE, "appointments")
    op.drop_index(op.f("ix_appointments_resource_id_starts_at"), table_name="appointments")
    for table in TABLES:
        if sqlite:
            # SQLite 3.35+ drops the column with its inline foreign key: no rebuild (see above).
            op.execute(f"ALTER TABLE {table} DROP COLUMN resource_id")
        else:
            op.drop_constraint(f"fk_{table}_resource_id_resources", table, type_="foreignkey")
            op.drop_column(table, "resource_id")
    op.drop_table("resources")
