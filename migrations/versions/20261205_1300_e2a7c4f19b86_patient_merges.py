"""patient merges: an admin makes two records of one person one

``patient_merges`` records which record was kept, which was merged away, who did it, when and why.
It is append-only like ``patient_changes``: triggers refuse UPDATE and DELETE on both databases
(and REPLACE on SQLite); the application role loses UPDATE and DELETE on it through the model's
``append_only`` mark.

Revision ID: e2a7c4f19b86
Revises: 3f8a1c6d2e90
Create Date: 2026-12-05 13:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "e2a7c4f19b86"
down_revision = '3f8a1c6d2e90'
branch_labels = None
depends_on = None

INSERT_ONLY = "patient_merges_insert_only"
SQLITE_TRIGGERS = {
    "patient_merges_no_update": f"""
CREATE TRIGGER patient_merges_no_update BEFORE UPDATE ON patient_merges
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded merge cannot be changed'); END
""",
    "patient_merges_no_delete": f"""
CREATE TRIGGER patient_merges_no_delete BEFORE DELETE ON patient_merges
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded merge cannot be deleted'); END
""",
    "patient_merges_no_replace": f"""
CREATE TRIGGER patient_merges_no_replace BEFORE INSERT ON patient_merges
WHEN EXISTS (SELECT 1 FROM patient_merges WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded merge cannot be replaced'); END
""",
}
# ERRCODE integrity_constraint_violation makes drivers report this as an integrity error, as SQLite's
# RAISE(ABORT) is.
POSTGRES_FUNCTION = ("patient_merges_refuse_change", f"""
CREATE FUNCTION patient_merges_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{INSERT_ONLY}: recorded merge % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""")


def upgrade():
    op.create_table(
        "patient_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.Column("merged_id", sa.Integer(), nullable=False),
        sa.Column("merged_by_id", sa.Integer(), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint("kept_id <> merged_id", name=op.f("ck_patient_merges_two_records")),
        sa.ForeignKeyConstraint(["kept_id"], ["patients.id"], name=op.f("fk_patient_merges_kept_id_patients"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["merged_by_id"], ["users.id"], name=op.f("fk_patient_merges_merged_by_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["merged_id"], ["patients.id"], name=op.f("fk_patient_merges_merged_id_patients"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_merges")),
        sa.UniqueConstraint("merged_id", name=op.f("uq_patient_merges_merged_id")),
    )
    op.create_index(op.f("ix_patient_merges_kept_id"), "patient_merges", ["kept_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        name, statement = POSTGRES_FUNCTION
        op.execute(statement)
        op.execute(f"CREATE TRIGGER {INSERT_ONLY} BEFORE UPDATE OR DELETE ON patient_merges "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {INSERT_ONLY} ON patient_merges")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION[0]}()")
    op.drop_table("patient_merges")
