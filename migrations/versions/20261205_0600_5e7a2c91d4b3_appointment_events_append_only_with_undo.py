"""Appointment events are append-only, and a wrong status is undone by an event of its own (issue 13).

Hand-written. ``appointment_events`` gets ``undone_status`` (the status an ``undone`` event set
back to booked) and CHECKs: the action may be ``undone``, exactly the ``undone`` events name an
undone status, and each has a reason. SQLite rebuilds the table in batch mode (no triggers lived on
it yet); the triggers are made after the rebuild.

Then the rows become insert-only on both engines, as the access log's are: UPDATE and DELETE are
refused (and, on SQLite, an INSERT that would replace a row). The app role loses UPDATE and DELETE
on the table through the model's ``append_only`` mark (``grant_app_role`` after every upgrade).

Downgrade removes the triggers, then the ``undone`` events (the older schema cannot hold them).

Revision ID: 5e7a2c91d4b3
Revises: a15e0c1d2b3f
Create Date: 2026-12-05 06:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "5e7a2c91d4b3"
down_revision = "a15e0c1d2b3f"
branch_labels = None
depends_on = None

ACTIONS_BEFORE = "'booked', 'rescheduled', 'checked_in', 'completed', 'cancelled', 'no_show'"
INSERT_ONLY = "appointment_events_insert_only"

SQLITE_TRIGGERS = {
    "appointment_events_no_update": f"""
CREATE TRIGGER appointment_events_no_update BEFORE UPDATE ON appointment_events
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an appointment event cannot be changed'); END
""",
    "appointment_events_no_delete": f"""
CREATE TRIGGER appointment_events_no_delete BEFORE DELETE ON appointment_events
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an appointment event cannot be deleted'); END
""",
    "appointment_events_no_replace": f"""
CREATE TRIGGER appointment_events_no_replace BEFORE INSERT ON appointment_events
WHEN EXISTS (SELECT 1 FROM appointment_events WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: an appointment event cannot be replaced'); END
""",
}

# ERRCODE integrity_constraint_violation: drivers report it as an integrity error, as SQLite's RAISE(ABORT).
POSTGRES_FUNCTION = ("appointment_events_refuse_change", f"""
CREATE FUNCTION appointment_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{INSERT_ONLY}: appointment event % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""")
POSTGRES_TRIGGER = INSERT_ONLY


def upgrade():
    with op.batch_alter_table("appointment_events") as batch_op:
        batch_op.add_column(sa.Column("undone_status", sa.String(length=16), nullable=True,
                                      comment="the status an 'undone' event set back"))
        batch_op.drop_constraint(op.f("ck_appointment_events_action_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_appointment_events_action_known"),
                                         f"action IN ({ACTIONS_BEFORE}, 'undone')")
        batch_op.create_check_constraint(op.f("ck_appointment_events_undone_status_known"),
                                         "undone_status IN ('checked_in', 'completed', 'no_show')")
        batch_op.create_check_constraint(op.f("ck_appointment_events_undone_status_iff_undone"),
                                         "(action = 'undone') = (undone_status IS NOT NULL)")
        batch_op.create_check_constraint(op.f("ck_appointment_events_undo_has_reason"),
                                         "action <> 'undone' OR trim(reason) <> ''")
    if op.get_bind().dialect.name == "postgresql":
        name, statement = POSTGRES_FUNCTION
        op.execute(statement)
        op.execute(f"CREATE TRIGGER {POSTGRES_TRIGGER} BEFORE UPDATE OR DELETE ON appointment_events "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON appointment_events")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION[0]}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DELETE FROM appointment_events WHERE action = 'undone'")
    with op.batch_alter_table("appointment_events") as batch_op:
        batch_op.drop_constraint(op.f("ck_appointment_events_undo_has_reason"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointment_events_undone_status_iff_undone"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointment_events_undone_status_known"), type_="check")
        batch_op.drop_constraint(op.f("ck_appointment_events_action_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_appointment_events_action_known"), f"action IN ({ACTIONS_BEFORE})")
        batch_op.drop_column("undone_status")
