"""The access log (NEN 7513): who read, searched, printed, exported or wrote which patient's record.

Reviewed after autogenerate; one new table, nothing existing changes.

- ``access_log``: one row per access. The patient and the user are kept (RESTRICT): patients are
  anonymised, never deleted, and accounts are deactivated. ``user_id`` is NULL only for a patient
  reaching their own booking through its secret link.
- Triggers, written by hand (autogenerate cannot see them), on both engines: rows are insert-only,
  so an UPDATE or DELETE is refused. ``TRUNCATE`` (used by the test suite on PostgreSQL) fires no
  row triggers.

Revision ID: a7c1e0d4b2f9
Revises: c4e6a8b0d2f3
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "a7c1e0d4b2f9"
down_revision = "c4e6a8b0d2f3"
branch_labels = None
depends_on = None

INSERT_ONLY = "access_log_insert_only"

SQLITE_TRIGGERS = {
    "access_log_no_update": f"""
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an access log entry cannot be changed'); END
""",
    "access_log_no_delete": f"""
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an access log entry cannot be deleted'); END
""",
}

# ERRCODE integrity_constraint_violation makes drivers report this as an integrity error, as SQLite's
# RAISE(ABORT) is.
POSTGRES_FUNCTION = ("access_log_refuse_change", f"""
CREATE FUNCTION access_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{INSERT_ONLY}: access log entry % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""")
POSTGRES_TRIGGER = "access_log_insert_only"


def create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        name, statement = POSTGRES_FUNCTION
        op.execute(statement)
        op.execute(f"CREATE TRIGGER {POSTGRES_TRIGGER} BEFORE UPDATE OR DELETE ON access_log "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON access_log")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION[0]}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade():
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False, comment="the user's role at the time"),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column(
            "object_id", sa.Integer(), nullable=True,
            comment="NULL when the object is the whole part, e.g. the training log",
        ),
        sa.Column(
            "remote_address", sa.String(length=45), nullable=True, comment="IPv4 or IPv6 address of the request"
        ),
        sa.CheckConstraint(
            "action IN ('read', 'search', 'print', 'export', 'write')", name=op.f("ck_access_log_action_known")
        ),
        sa.CheckConstraint(
            "role IN ('admin', 'frontdesk', 'chiropractor', 'patient')", name=op.f("ck_access_log_role_known")
        ),
        sa.CheckConstraint("object_type <> ''", name=op.f("ck_access_log_object_type_not_empty")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_access_log_patient_id_patients"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_access_log_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index(op.f("ix_access_log_at"), "access_log", ["at"])
    op.create_index(op.f("ix_access_log_patient_id_at"), "access_log", ["patient_id", "at"])
    op.create_index(op.f("ix_access_log_user_id_at"), "access_log", ["user_id", "at"])
    create_triggers()


def downgrade():
    drop_triggers()
    op.drop_index(op.f("ix_access_log_user_id_at"), table_name="access_log")
    op.drop_index(op.f("ix_access_log_patient_id_at"), table_name="access_log")
    op.drop_index(op.f("ix_access_log_at"), table_name="access_log")
    op.drop_table("access_log")
