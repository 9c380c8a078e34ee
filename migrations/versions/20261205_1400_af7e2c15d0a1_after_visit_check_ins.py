"""After-visit check-ins (issue 15): a per-type switch, single-use check-in links, one check-in
e-mail per appointment, and the patient's answers stored with the visit.

Hand-written. ``appointment_types`` gets a plain ADD COLUMN (a batch rebuild would drop its SQLite
trigger that raises the schedule revision); the types of treatments with known after-effects
(adjustment, dry needling, decompression) start with the check-in on. ``patient_tokens`` has no
triggers, so its CHECKs are changed in batch mode (a rebuild on SQLite).

Revision ID: af7e2c15d0a1
Revises: e2a7c4f19b86
Create Date: 2026-12-05 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "af7e2c15d0a1"
down_revision = 'e2a7c4f19b86'
branch_labels = None
depends_on = None

AFTER_VISIT_ONLY = sa.text("kind = 'after_visit_check_in'")


def upgrade():
    op.add_column("appointment_types", sa.Column(
        "after_visit_check_in", sa.Boolean(), nullable=False, server_default=sa.false(),
        comment="e-mail the patient a short check-in form AFTER_VISIT_HOURS after a completed appointment",
    ))
    op.execute(sa.text("UPDATE appointment_types SET after_visit_check_in = :on "
                       "WHERE modality IN ('adjustment', 'dry_needling', 'decompression')").bindparams(on=True))
    with op.batch_alter_table("patient_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_patient_tokens_only_login_links_are_used_up"), type_="check")
        batch_op.drop_constraint(op.f("ck_patient_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_patient_tokens_purpose_known"), "purpose IN ('manage_appointment', 'portal_login', 'after_visit')")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"),
                                         "used_at IS NULL OR purpose IN ('portal_login', 'after_visit')")
    op.create_index("uq_outbox_messages_one_after_visit_check_in", "outbox_messages", ["appointment_id"],
                    unique=True, sqlite_where=AFTER_VISIT_ONLY, postgresql_where=AFTER_VISIT_ONLY)
    op.create_table(
        "after_visit_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("pain_now", sa.Integer(), nullable=False, comment="0 = no pain … 10 = worst imaginable"),
        sa.Column("soreness", sa.Integer(), nullable=False, comment="0 = none … 10 = very sore"),
        sa.Column("dizziness", sa.Boolean(), nullable=False),
        sa.Column("numbness", sa.Boolean(), nullable=False),
        sa.Column("fever", sa.Boolean(), nullable=False),
        sa.Column("bruising", sa.Boolean(), nullable=False),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("pain_now BETWEEN 0 AND 10", name=op.f("ck_after_visit_answers_pain_now_range")),
        sa.CheckConstraint("soreness BETWEEN 0 AND 10", name=op.f("ck_after_visit_answers_soreness_range")),
        sa.CheckConstraint("length(remarks) <= 2000", name=op.f("ck_after_visit_answers_remarks_length")),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_after_visit_answers_appointment_id_appointments"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_after_visit_answers")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_after_visit_answers_appointment_id")),
    )


def downgrade():
    op.drop_table("after_visit_answers")
    op.drop_index("uq_outbox_messages_one_after_visit_check_in", table_name="outbox_messages")
    op.execute("DELETE FROM outbox_messages WHERE kind = 'after_visit_check_in'")
    op.execute("DELETE FROM patient_tokens WHERE purpose = 'after_visit'")
    with op.batch_alter_table("patient_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"), type_="check")
        batch_op.drop_constraint(op.f("ck_patient_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_purpose_known"),
                                         "purpose IN ('manage_appointment', 'portal_login')")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_only_login_links_are_used_up"),
                                         "used_at IS NULL OR purpose = 'portal_login'")
    op.execute("ALTER TABLE appointment_types DROP COLUMN after_visit_check_in")
