"""staff names: every account gets a ``name``, so pages name people, never their e-mail address

Reviewed after autogenerate; one column on ``users`` and one CHECK:

- ``name`` (NOT NULL, CHECK not blank). Existing rows are filled first: a chiropractor's account
  gets its chiropractor's name, a patient's portal account its patient's name, any other account a
  name made from its e-mail address's local part ("balie@…" → "Balie", "jan.de-vries@…" → "Jan De Vries").

SQLite rebuilds ``users`` in batch mode for NOT NULL and the CHECK; no trigger sits on that table.
Its foreign keys are off meanwhile: with them on, dropping the old ``users`` would first delete its
rows and so cascade to every table that refers to an account (or fail). ``PRAGMA foreign_keys`` does
nothing inside a transaction, so the rebuild ends the running one and goes on in a new one.
The downgrade drops the column (the names are lost; the e-mail addresses stay).

Revision ID: d5e8a1f3b7c9
Revises: e5a0c3d9b812
Create Date: 2026-12-05 23:35:00
"""
import re
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "d5e8a1f3b7c9"
down_revision = "e5a0c3d9b812"
branch_labels = None
depends_on = None


def name_from_email(email: str) -> str:
    # A copy of the rule in clinic.services.accounts at the time of this migration.
    words = [word for word in re.split(r"[._+\-]+", email.split("@", 1)[0]) if word]
    return " ".join(word.capitalize() for word in words) or email


@contextmanager
def _users_rebuilt():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        with op.batch_alter_table("users") as batch_op:
            yield batch_op
        return
    _foreign_keys(bind, "OFF")
    with op.batch_alter_table("users") as batch_op:
        yield batch_op
    problems = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
    if problems:
        raise RuntimeError(f"rebuilding users broke foreign keys: {problems}")
    _foreign_keys(bind, "ON")


def _foreign_keys(bind, state: str) -> None:
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql(f"PRAGMA foreign_keys={state}")
    bind.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade():
    op.add_column("users", sa.Column("name", sa.String(length=120), nullable=True))
    connection = op.get_bind()
    chiropractors = dict(connection.execute(sa.text(
        "SELECT user_id, name FROM chiropractors WHERE user_id IS NOT NULL")).all())
    patients = dict(connection.execute(sa.text(
        "SELECT user_id, first_name || ' ' || last_name FROM patients WHERE user_id IS NOT NULL")).all())
    for user_id, email in connection.execute(sa.text("SELECT id, email FROM users")).all():
        name = chiropractors.get(user_id) or patients.get(user_id) or name_from_email(email)
        connection.execute(sa.text("UPDATE users SET name = :name WHERE id = :id"),
                           {"name": name[:120], "id": user_id})
    with _users_rebuilt() as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=120), nullable=False)
        batch_op.create_check_constraint(op.f("ck_users_name_not_blank"), "trim(name) <> ''")


def downgrade():
    with _users_rebuilt() as batch_op:
        batch_op.drop_constraint(op.f("ck_users_name_not_blank"), type_="check")
        batch_op.drop_column("name")
