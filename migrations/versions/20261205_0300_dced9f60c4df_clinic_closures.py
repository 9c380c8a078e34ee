"""Clinic closures: clinic-wide closed days and hours, entered once, with a reason.

- ``clinic_closures``: [starts_at, ends_at) in UTC and a reason; nobody can be booked then.
- The table raises the schedule revision like the other tables that decide free time (see
  migration d5f7b9c1e3a4), so the kept availability answers are made afresh.

Revision ID: dced9f60c4df
Revises: 51c305e6ae8b
Create Date: 2026-12-05 03:00:02

"""
import sqlalchemy as sa
from alembic import op

revision = "dced9f60c4df"
down_revision = "51c305e6ae8b"
branch_labels = None
depends_on = None

TABLE = "clinic_closures"
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE schedule_revisions SET value = value + 1 WHERE id = 1"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_clinic_closures_ends_after_start")),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_clinic_closures_reason_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_closures")),
    )
    op.create_index(op.f("ix_clinic_closures_starts_at"), TABLE, ["starts_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {TABLE}_bump_schedule_revision AFTER INSERT OR UPDATE OR DELETE ON {TABLE}"
                   " FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_revision()")
    else:
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER {TABLE}_bump_schedule_revision_{event.lower()} AFTER {event} ON {TABLE}"
                       f" BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {TABLE}_bump_schedule_revision ON {TABLE}")
    else:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {TABLE}_bump_schedule_revision_{event.lower()}")
    op.drop_index(op.f("ix_clinic_closures_starts_at"), table_name=TABLE)
    op.drop_table(TABLE)
