"""Outcome measures by e-mail (issue 16): before a visit in an open care episode the mail worker
queues one request per appointment (a partial UNIQUE index, like the after-visit check-in) with a
single-use link (a new ``patient_tokens`` purpose).

Hand-written. ``patient_tokens`` has no triggers, so its CHECKs are changed in batch mode.

Revision ID: e5a0c3d9b812
Revises: b7d41e9a2c63
Create Date: 2026-12-05 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "e5a0c3d9b812"
down_revision = "b7d41e9a2c63"
branch_labels = None
depends_on = None

REQUEST_ONLY = sa.text("kind = 'outcome_measures_request'")


def set_token_purposes(purposes: str, single_use: str) -> None:
    with op.batch_alter_table("patient_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"), type_="check")
        batch_op.drop_constraint(op.f("ck_patient_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_purpose_known"), f"purpose IN ({purposes})")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"),
                                         f"used_at IS NULL OR purpose IN ({single_use})")


def upgrade():
    set_token_purposes("'manage_appointment', 'portal_login', 'after_visit', 'waitlist_offer', 'outcome_measures'",
                       "'portal_login', 'after_visit', 'waitlist_offer', 'outcome_measures'")
    op.create_index("uq_outbox_messages_one_outcome_measures_request", "outbox_messages", ["appointment_id"],
                    unique=True, sqlite_where=REQUEST_ONLY, postgresql_where=REQUEST_ONLY)


def downgrade():
    op.drop_index("uq_outbox_messages_one_outcome_measures_request", table_name="outbox_messages")
    op.execute("DELETE FROM patient_tokens WHERE purpose = 'outcome_measures'")
    set_token_purposes("'manage_appointment', 'portal_login', 'after_visit', 'waitlist_offer'",
                       "'portal_login', 'after_visit', 'waitlist_offer'")
