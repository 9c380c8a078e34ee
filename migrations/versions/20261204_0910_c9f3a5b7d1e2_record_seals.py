"""Seals on the append-only records: a keyed MAC and an unbroken number per table (``clinic.sealing``).

Written by hand.

- ``access_log``, ``treatment_notes``, ``treatment_note_amendments`` get ``seal_number`` (UNIQUE)
  and ``seal``, the HMAC-SHA256 under the ``RECORDS_KEY`` setting. The app seals each row as it is
  written; ``flask clinic verify-records`` finds a changed, forged or missing one.
- ``seal_counters``: the last number given out per table (its row lock makes writers take turns).
- The rows already there are sealed here, in the order of their ids, with the key of the app
  running the upgrade: run ``db upgrade`` with the production settings (RECORDS_KEY) in place.
  The append-only triggers are set aside for those updates only, inside this transaction.
- From then on a seal is required: on every access-log row and amendment, and on a note exactly
  when it is signed. A CHECK on PostgreSQL; on SQLite, which cannot add a CHECK to a table, triggers.

Revision ID: c9f3a5b7d1e2
Revises: b8e2f4a6c0d1
Create Date: 2026-12-04 09:10:00

"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from flask import current_app

from clinic.sealing import SEALED_FIELDS, seal

revision = "c9f3a5b7d1e2"
down_revision = "b8e2f4a6c0d1"
branch_labels = None
depends_on = None

SEAL_REQUIRED = "record_unsealed"
SEALED_TABLES = ("access_log", "treatment_notes", "treatment_note_amendments")
# (table, constraint, condition over the row): the model's CHECKs. ``{row}`` is "" in a CHECK and
# "NEW." in a SQLite trigger.
SEAL_CHECKS = (
    ("access_log", "sealed", "{row}seal_number IS NOT NULL AND {row}seal IS NOT NULL AND length({row}seal) = 64"),
    ("treatment_notes", "sealed_iff_signed",
     "({row}status = 'signed') = ({row}seal_number IS NOT NULL AND {row}seal IS NOT NULL)"),
    ("treatment_notes", "seal_hmac_sha256", "{row}seal IS NULL OR length({row}seal) = 64"),
    ("treatment_note_amendments", "sealed",
     "{row}seal_number IS NOT NULL AND {row}seal IS NOT NULL AND length({row}seal) = 64"),
)
# table → (event, extra condition) of the triggers that stand in for the CHECKs on SQLite.
SQLITE_SEAL_TRIGGERS = {
    "access_log": (("INSERT", ""),),
    "treatment_notes": (("INSERT", ""), ("UPDATE", "OLD.status <> 'signed' AND ")),
    "treatment_note_amendments": (("INSERT", ""),),
}
BATCH = 1000


def _rows_to_seal(connection, table: str):
    fields = SEALED_FIELDS[table]
    columns = [sa.column("id"), *(sa.column(name, sa.DateTime(timezone=True)) if name in ("at", "created_at")
                                  else sa.column(name) for name in fields)]
    query = sa.select(*columns).select_from(sa.table(table)).order_by(sa.column("id"))
    if table == "treatment_notes":
        query = query.where(sa.column("status") == "signed")
    return connection.execute(query).mappings()


@contextmanager
def _append_only_triggers_set_aside(connection, table: str):
    if connection.dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    triggers = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"), {"table": table}
    ).all()
    for name, _ in triggers:
        op.execute(f"DROP TRIGGER {name}")
    yield
    for _, statement in triggers:
        op.execute(statement)


def seal_existing_rows(key: str) -> None:
    connection = op.get_bind()
    for table in SEALED_TABLES:
        update = sa.text(f"UPDATE {table} SET seal_number = :number, seal = :seal WHERE id = :id")
        sealed = [
            {"id": row["id"], "number": number, "seal": seal(key, table, number, row)}
            for number, row in enumerate(_rows_to_seal(connection, table), start=1)
        ]
        if not sealed:
            continue
        with _append_only_triggers_set_aside(connection, table):
            for start in range(0, len(sealed), BATCH):
                connection.execute(update, sealed[start:start + BATCH])
        connection.execute(sa.text("INSERT INTO seal_counters (table_name, last_number) VALUES (:table, :last)"),
                           {"table": table, "last": len(sealed)})


def require_seals() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name, condition in SEAL_CHECKS:
        if postgres:
            op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition.format(row=""))
            continue
        # Only a draft note is ever updated (the signing); other updates are refused by the append-only triggers.
        for event, when in SQLITE_SEAL_TRIGGERS[table]:
            op.execute(f"""
CREATE TRIGGER {table}_{name}_on_{event.lower()} BEFORE {event} ON {table}
WHEN {when}NOT ({condition.format(row="NEW.")})
BEGIN SELECT RAISE(ABORT, '{SEAL_REQUIRED}: a {table} row must carry its seal'); END
""")


def upgrade():
    op.create_table(
        "seal_counters",
        sa.Column("table_name", sa.String(length=40), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.CheckConstraint("last_number > 0", name=op.f("ck_seal_counters_last_number_positive")),
        sa.PrimaryKeyConstraint("table_name", name=op.f("pk_seal_counters")),
    )
    for table in SEALED_TABLES:
        op.add_column(table, sa.Column(
            "seal_number", sa.Integer(), nullable=True,
            comment="1, 2, 3, … without a gap, in the order the table's rows were sealed",
        ))
        op.add_column(table, sa.Column(
            "seal", sa.String(length=64), nullable=True, comment="HMAC-SHA256 under RECORDS_KEY (clinic.sealing)"
        ))
        op.create_index(op.f(f"ix_{table}_seal_number"), table, ["seal_number"], unique=True)
    seal_existing_rows(current_app.config["RECORDS_KEY"])
    require_seals()


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, name, _ in SEAL_CHECKS:
        if postgres:
            op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
        else:
            for event, _ in SQLITE_SEAL_TRIGGERS[table]:
                op.execute(f"DROP TRIGGER {table}_{name}_on_{event.lower()}")
    for table in SEALED_TABLES:
        op.drop_index(op.f(f"ix_{table}_seal_number"), table_name=table)
        # Plain ALTER TABLE on both engines: a SQLite batch rebuild would lose the table's triggers.
        op.execute(f"ALTER TABLE {table} DROP COLUMN seal")
        op.execute(f"ALTER TABLE {table} DROP COLUMN seal_number")
    op.drop_table("seal_counters")
