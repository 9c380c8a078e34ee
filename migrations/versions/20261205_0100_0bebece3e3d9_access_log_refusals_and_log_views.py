"""The access log also holds refused attempts to reach a record, and the administrator's views of the log (issue 17).

Written by hand.

- ``action`` may be ``refused``: a signed-in user asked for a patient's record and was turned away.
- ``log_filter``: a view of the access log itself records its filter (a query string, '' for none);
  such a view needs no patient, so ``patient_id`` may be NULL, but only on a row about the log.
- Nothing in the rows already there changes, so their seals still fit: ``log_filter`` is sealed only
  when it holds a value (``clinic.sealing.SEALED_WHEN_SET``).

SQLite rebuilds the table in batch mode (a CHECK and a NOT NULL change), which drops its triggers:
the append-only ones, the REPLACE guard and the seal requirement (revisions a7c1e0d4b2f9,
b8e2f4a6c0d1, c9f3a5b7d1e2). They are read from the schema before the rebuild and made again, as
they were, after it, in the same transaction.

The downgrade refuses a log that holds rows the older schema cannot hold: they cannot be removed.

Revision ID: 0bebece3e3d9
Revises: a13d5e7f9b21
Create Date: 2026-12-05 01:00:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0bebece3e3d9"
down_revision = 'a13d5e7f9b21'
branch_labels = None
depends_on = None

ACTIONS_BEFORE = ("read", "search", "print", "export", "write")
ACTIONS = (*ACTIONS_BEFORE, "refused")
NEW_CHECKS = {
    "patient_unless_log_view": "patient_id IS NOT NULL OR object_type = 'access_log'",
    "filter_only_on_log_views": "log_filter IS NULL OR object_type = 'access_log'",
}


def _action_check(actions: tuple[str, ...]) -> str:
    return "action IN ({})".format(", ".join(f"'{action}'" for action in actions))


@contextmanager
def _triggers_kept(table: str):
    """Make the table's SQLite triggers again after a batch rebuild, which drops them with the old table."""
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        yield
        return
    triggers = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table ORDER BY name"),
        {"table": table},
    ).all()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    yield
    for _, statement in triggers:
        op.execute(statement)


def upgrade():
    with _triggers_kept("access_log"), op.batch_alter_table("access_log") as batch_op:
        batch_op.add_column(sa.Column(
            "log_filter", sa.String(length=200), nullable=True,
            comment="a view of the access log itself: its filter as a query string ('' for none)",
        ))
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(op.f("ck_access_log_action_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_access_log_action_known"), _action_check(ACTIONS))
        for name, condition in NEW_CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_access_log_{name}"), condition)


def downgrade():
    newer_rows = op.get_bind().scalar(sa.text(
        "SELECT count(*) FROM access_log WHERE action = 'refused' OR patient_id IS NULL OR log_filter IS NOT NULL"
    ))
    if newer_rows:
        raise RuntimeError(f"The access log holds {newer_rows} row(s) this older schema cannot hold "
                           "(refused attempts or views of the log); rows of the log are never removed.")
    with _triggers_kept("access_log"), op.batch_alter_table("access_log") as batch_op:
        for name in NEW_CHECKS:
            batch_op.drop_constraint(op.f(f"ck_access_log_{name}"), type_="check")
        batch_op.drop_constraint(op.f("ck_access_log_action_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_access_log_action_known"), _action_check(ACTIONS_BEFORE))
        batch_op.alter_column("patient_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("log_filter")
