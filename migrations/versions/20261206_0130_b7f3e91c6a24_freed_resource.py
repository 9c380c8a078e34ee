"""freed resource: a freed time says which shared resource (the decompression table) it freed

One nullable column, ``freed_times.resource_id`` (foreign key to ``resources``): the mail worker
then also offers the freed table time to patients waiting for another chiropractor who is free
then. Rows written before have none (as a freed time off has none): they are offered as before.

On SQLite the column is added with ALTER TABLE and its foreign key inline, as migration
72e5b28b4e9b added ``appointments.resource_id``; the downgrade drops it again.

Revision ID: b7f3e91c6a24
Revises: d5e8a1f3b7c9
Create Date: 2026-12-06 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b7f3e91c6a24"
down_revision = "d5e8a1f3b7c9"
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_freed_times_resource_id_resources"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE freed_times ADD COLUMN resource_id INTEGER CONSTRAINT {FOREIGN_KEY}"
                   " REFERENCES resources (id)")
    else:
        op.add_column("freed_times", sa.Column("resource_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "freed_times", "resources", ["resource_id"], ["id"])


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE freed_times DROP COLUMN resource_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "freed_times", type_="foreignkey")
        op.drop_column("freed_times", "resource_id")
