"""Spacing rules and a screening requirement per appointment type (issue 14).

Hand-written. ``appointment_types`` gets plain ADD COLUMNs (a batch rebuild would drop its SQLite
trigger that raises the schedule revision); on SQLite the CHECK goes with the column, as SQLite
cannot add a constraint to an existing table.

Revision ID: c4d81e6a9f27
Revises: 360a4367d305
Create Date: 2026-12-05 22:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c4d81e6a9f27"
down_revision = "360a4367d305"
branch_labels = None
depends_on = None

SPACING_CHECK = "ck_appointment_types_min_hours_apart_not_negative"
SPACING_COMMENT = "a patient's appointments of this type start at least this many hours apart (0: no rule)"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE appointment_types ADD COLUMN min_hours_apart INTEGER DEFAULT '0' NOT NULL "
                   f"CONSTRAINT {SPACING_CHECK} CHECK (min_hours_apart >= 0)")
    else:
        op.add_column("appointment_types", sa.Column(
            "min_hours_apart", sa.Integer(), nullable=False, server_default="0", comment=SPACING_COMMENT))
        op.create_check_constraint(SPACING_CHECK, "appointment_types", "min_hours_apart >= 0")
    op.add_column("appointment_types", sa.Column(
        "online_needs_screening", sa.Boolean(), nullable=False, server_default=sa.false(),
        comment="online only for a returning patient whose screening is current",
    ))


def downgrade():
    op.drop_column("appointment_types", "online_needs_screening")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(SPACING_CHECK, "appointment_types", type_="check")
    op.drop_column("appointment_types", "min_hours_apart")
