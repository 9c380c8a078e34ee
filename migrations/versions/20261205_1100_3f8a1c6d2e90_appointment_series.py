"""Treatment series: a course of appointments booked in one step.

- ``appointment_series``: patient, chiropractor, type, the rule (local first start, zone and
  RRULE, as iCalendar writes them), who booked it and when.
- ``appointments.series_id``: the series an appointment was booked in (NULL for a single one).
  Added with ALTER TABLE on SQLite too, with its foreign key inline, not by a batch rebuild (see
  migration 72e5b28b4e9b: a rebuild would drop the appointments' overlap and revision triggers).

Revision ID: 3f8a1c6d2e90
Revises: 0bebece3e3d9
Create Date: 2026-12-05 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "3f8a1c6d2e90"
down_revision = "0bebece3e3d9"
branch_labels = None
depends_on = None

TABLE = "appointment_series"
FOREIGN_KEY = "fk_appointments_series_id_appointment_series"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.Column("appointment_type_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rule <> ''", name=op.f("ck_appointment_series_rule_not_empty")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_appointment_series_patient_id_patients"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["chiropractor_id"], ["chiropractors.id"],
                                name=op.f("fk_appointment_series_chiropractor_id_chiropractors"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["appointment_type_id"], ["appointment_types.id"],
                                name=op.f("fk_appointment_series_appointment_type_id_appointment_types"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["created_by_user_id"], ["users.id"],
                                name=op.f("fk_appointment_series_created_by_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_series")),
    )
    op.create_index(op.f("ix_appointment_series_patient_id"), TABLE, ["patient_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE appointments ADD COLUMN series_id INTEGER CONSTRAINT {FOREIGN_KEY} REFERENCES {TABLE} (id)")
    else:
        op.add_column("appointments", sa.Column("series_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, "appointments", TABLE, ["series_id"], ["id"])
    op.create_index(op.f("ix_appointments_series_id"), "appointments", ["series_id"])


def downgrade():
    op.drop_index(op.f("ix_appointments_series_id"), table_name="appointments")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite 3.35+ drops the column with its inline foreign key: no rebuild (see above).
        op.execute("ALTER TABLE appointments DROP COLUMN series_id")
    else:
        op.drop_constraint(FOREIGN_KEY, "appointments", type_="foreignkey")
        op.drop_column("appointments", "series_id")
    op.drop_index(op.f("ix_appointment_series_patient_id"), table_name=TABLE)
    op.drop_table(TABLE)
