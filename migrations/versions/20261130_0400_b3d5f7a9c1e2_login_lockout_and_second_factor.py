"""Login hardening: a lock-out instant and an optional TOTP second factor on accounts.

Reviewed after autogenerate; only new nullable columns on ``users`` and one CHECK:

- ``locked_until``: failed logins past a threshold lock the account until this instant.
- ``totp_secret``, ``totp_enabled_at``, ``totp_last_counter``: the second factor; it counts as on
  only once a code has been confirmed (``totp_enabled_at``), which needs a secret (CHECK).

SQLite rebuilds ``users`` in batch mode for the CHECK; no trigger sits on that table.

Revision ID: b3d5f7a9c1e2
Revises: ed3705be3594
Create Date: 2026-11-30 04:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "b3d5f7a9c1e2"
down_revision = "ed3705be3594"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_counter", sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_users_totp_enabled_needs_secret"), "totp_enabled_at IS NULL OR totp_secret IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint(op.f("ck_users_totp_enabled_needs_secret"), type_="check")
        batch_op.drop_column("totp_last_counter")
        batch_op.drop_column("totp_enabled_at")
        batch_op.drop_column("totp_secret")
        batch_op.drop_column("locked_until")
