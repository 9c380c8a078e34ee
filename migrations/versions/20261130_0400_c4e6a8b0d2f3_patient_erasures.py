"""Patient erasures: the record that a patient's data was anonymised on their request.

Reviewed after autogenerate; one new table, nothing existing changes. One row per patient
(UNIQUE); the patient and the account that erased cannot be deleted under it (RESTRICT).

Revision ID: c4e6a8b0d2f3
Revises: e9a1c3b5d7f0
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c4e6a8b0d2f3"
down_revision = "e9a1c3b5d7f0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "patient_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.CheckConstraint("trim(reason) <> ''", name=op.f("ck_patient_erasures_reason_not_empty")),
        sa.ForeignKeyConstraint(
            ["erased_by_id"], ["users.id"], name=op.f("fk_patient_erasures_erased_by_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_erasures_patient_id_patients"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_erasures")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_patient_erasures_patient_id")),
    )


def downgrade():
    op.drop_table("patient_erasures")
