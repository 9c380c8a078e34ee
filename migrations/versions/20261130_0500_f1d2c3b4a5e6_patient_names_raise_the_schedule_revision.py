"""A patient's new name raises the schedule revision.

The front desk's day view shows patients' names on the timeline and keeps its HTML per schedule
revision (``clinic.frontdesk.routes``), so renaming a patient (or erasing one, which overwrites
the name) must raise the revision too. Only an update of ``first_name`` or ``last_name`` does:
other patient changes leave what the schedule shows alone, and need not empty the caches; a new
patient appears on the timeline only with an appointment, whose insert raises it already; and a
patient with appointments cannot be deleted (``ON DELETE RESTRICT``).

PostgreSQL: a statement-level trigger calling ``bump_schedule_revision()`` (migration
d5f7b9c1e3a4). SQLite: a row-level trigger. Written by hand: autogenerate cannot see triggers.
A later SQLite batch rebuild of ``patients`` would drop the trigger and must create it again.

Revision ID: f1d2c3b4a5e6
Revises: d5f7b9c1e3a4
Create Date: 2026-11-30 05:00:00

"""
from alembic import op

revision = "f1d2c3b4a5e6"
down_revision = "d5f7b9c1e3a4"
branch_labels = None
depends_on = None

BUMP = "UPDATE schedule_revisions SET value = value + 1 WHERE id = 1"
NAME_CHANGE = "AFTER UPDATE OF first_name, last_name ON patients"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER patients_bump_schedule_revision {NAME_CHANGE}"
            " FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_revision()"
        )
    else:
        op.execute(f"CREATE TRIGGER patients_bump_schedule_revision_update {NAME_CHANGE} BEGIN {BUMP}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER patients_bump_schedule_revision ON patients")
    else:
        op.execute("DROP TRIGGER patients_bump_schedule_revision_update")
