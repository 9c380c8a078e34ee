"""alert acknowledgements: who acknowledged which of a chiropractor's alerts, and when

``alert_acknowledgements`` is append-only like ``patient_merges``: triggers refuse UPDATE and
DELETE on both databases (and REPLACE on SQLite); the application role loses UPDATE and DELETE
on it through the model's ``append_only`` mark. An alert's key is acknowledged once (UNIQUE).

Revision ID: b7d41e9a2c63
Revises: 4c9e1b7a5d20
Create Date: 2026-12-05 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b7d41e9a2c63"
down_revision = "4c9e1b7a5d20"
branch_labels = None
depends_on = None

TABLE = "alert_acknowledgements"
INSERT_ONLY = "alert_acknowledgements_insert_only"
SQLITE_TRIGGERS = {
    "alert_acknowledgements_no_update": f"""
CREATE TRIGGER alert_acknowledgements_no_update BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an acknowledgement cannot be changed'); END
""",
    "alert_acknowledgements_no_delete": f"""
CREATE TRIGGER alert_acknowledgements_no_delete BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an acknowledgement cannot be deleted'); END
""",
    "alert_acknowledgements_no_replace": f"""
CREATE TRIGGER alert_acknowledgements_no_replace BEFORE INSERT ON {TABLE}
WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an acknowledgement cannot be replaced'); END
""",
}
# ERRCODE integrity_constraint_violation makes drivers report this as an integrity error, as SQLite's
# RAISE(ABORT) is.
POSTGRES_FUNCTION = ("alert_acknowledgements_refuse_change", f"""
CREATE FUNCTION alert_acknowledgements_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{INSERT_ONLY}: acknowledgement % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""")
KINDS = "'reported_red_flag', 'after_visit', 'warning_level', 'screening', 'adverse_reaction'"


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_alert_acknowledgements_kind_known")),
        sa.CheckConstraint("alert_key LIKE kind || ':%'", name=op.f("ck_alert_acknowledgements_key_of_kind")),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["users.id"],
                                name=op.f("fk_alert_acknowledgements_acknowledged_by_id_users"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"],
                                name=op.f("fk_alert_acknowledgements_patient_id_patients"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acknowledgements")),
        sa.UniqueConstraint("alert_key", name=op.f("uq_alert_acknowledgements_alert_key")),
    )
    op.create_index(op.f("ix_alert_acknowledgements_patient_id"), TABLE, ["patient_id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        name, statement = POSTGRES_FUNCTION
        op.execute(statement)
        op.execute(f"CREATE TRIGGER {INSERT_ONLY} BEFORE UPDATE OR DELETE ON {TABLE} "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {INSERT_ONLY} ON {TABLE}")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION[0]}()")
    op.drop_table(TABLE)
