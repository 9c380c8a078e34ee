"""Waitlist (issue 14): patients waiting for a type (optionally chiropractors, weekdays, hours) until
a day; the times that became free, waiting for the mail worker; the offers it sent, each claimed
through a single-use link (a new ``patient_tokens`` purpose).

Hand-written. ``patient_tokens`` has no triggers, so its CHECKs are changed in batch mode.

Revision ID: 4c9e1b7a5d20
Revises: c4d81e6a9f27
Create Date: 2026-12-05 22:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = "4c9e1b7a5d20"
down_revision = "c4d81e6a9f27"
branch_labels = None
depends_on = None

ACTIVE_ONLY = sa.text("status = 'active'")


def set_token_purposes(purposes: str, single_use: str) -> None:
    with op.batch_alter_table("patient_tokens") as batch_op:
        batch_op.drop_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"), type_="check")
        batch_op.drop_constraint(op.f("ck_patient_tokens_purpose_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_purpose_known"), f"purpose IN ({purposes})")
        batch_op.create_check_constraint(op.f("ck_patient_tokens_only_single_use_links_are_used_up"),
                                         f"used_at IS NULL OR purpose IN ({single_use})")


def upgrade():
    set_token_purposes("'manage_appointment', 'portal_login', 'after_visit', 'waitlist_offer'",
                       "'portal_login', 'after_visit', 'waitlist_offer'")
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("appointment_type_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False,
                  comment="bit n set: weekday n (0 = Monday) suits; 0 = any day"),
        sa.Column("from_time", sa.Time(), nullable=True, comment="earliest local start; open if NULL"),
        sa.Column("to_time", sa.Time(), nullable=True, comment="latest local end; open if NULL"),
        sa.Column("until", sa.Date(), nullable=False, comment="last local day the patient wants an appointment on"),
        sa.Column("created_by", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('active', 'booked', 'removed', 'expired')",
                           name=op.f("ck_waitlist_entries_status_known")),
        sa.CheckConstraint("created_by IN ('frontdesk', 'patient')", name=op.f("ck_waitlist_entries_created_by_known")),
        sa.CheckConstraint("weekdays BETWEEN 0 AND 127", name=op.f("ck_waitlist_entries_weekdays_bitmask")),
        sa.CheckConstraint("from_time IS NULL OR to_time IS NULL OR from_time < to_time",
                           name=op.f("ck_waitlist_entries_window_forward")),
        sa.CheckConstraint("(status = 'active') = (ended_at IS NULL)", name=op.f("ck_waitlist_entries_ended_unless_active")),
        sa.CheckConstraint("(status = 'booked') = (appointment_id IS NOT NULL)",
                           name=op.f("ck_waitlist_entries_booked_with_appointment")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_waitlist_entries_patient_id_patients"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["appointment_type_id"], ["appointment_types.id"],
                                name=op.f("fk_waitlist_entries_appointment_type_id_appointment_types"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_waitlist_entries_appointment_id_appointments"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    op.create_index(op.f("ix_waitlist_entries_patient_id"), "waitlist_entries", ["patient_id"])
    op.create_index(op.f("ix_waitlist_entries_status_appointment_type_id"), "waitlist_entries",
                    ["status", "appointment_type_id"])
    op.create_index("uq_waitlist_entries_one_active", "waitlist_entries", ["patient_id", "appointment_type_id"],
                    unique=True, sqlite_where=ACTIVE_ONLY, postgresql_where=ACTIVE_ONLY)
    op.create_table(
        "waitlist_entry_chiropractors",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["waitlist_entries.id"],
                                name=op.f("fk_waitlist_entry_chiropractors_entry_id_waitlist_entries"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["chiropractor_id"], ["chiropractors.id"],
                                name=op.f("fk_waitlist_entry_chiropractors_chiropractor_id_chiropractors"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entry_id", "chiropractor_id", name=op.f("pk_waitlist_entry_chiropractors")),
    )
    op.create_table(
        "freed_times",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_freed_times_ends_after_start")),
        sa.ForeignKeyConstraint(["chiropractor_id"], ["chiropractors.id"],
                                name=op.f("fk_freed_times_chiropractor_id_chiropractors"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freed_times")),
    )
    op.create_table(
        "waitlist_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claim_token_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("outcome IN ('offered', 'claimed', 'gone')", name=op.f("ck_waitlist_offers_outcome_known")),
        sa.CheckConstraint("claim_token_id IS NULL OR expires_at IS NOT NULL",
                           name=op.f("ck_waitlist_offers_link_with_expiry")),
        sa.CheckConstraint("expires_at IS NULL OR expires_at > offered_at",
                           name=op.f("ck_waitlist_offers_expires_after_offer")),
        sa.CheckConstraint("outcome = 'offered' OR claimed_at IS NOT NULL",
                           name=op.f("ck_waitlist_offers_answered_when_claimed")),
        sa.CheckConstraint("outcome <> 'offered' OR claimed_at IS NULL",
                           name=op.f("ck_waitlist_offers_open_offer_unclaimed")),
        sa.ForeignKeyConstraint(["entry_id"], ["waitlist_entries.id"],
                                name=op.f("fk_waitlist_offers_entry_id_waitlist_entries"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["chiropractor_id"], ["chiropractors.id"],
                                name=op.f("fk_waitlist_offers_chiropractor_id_chiropractors"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["claim_token_id"], ["patient_tokens.id"],
                                name=op.f("fk_waitlist_offers_claim_token_id_patient_tokens"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_offers")),
        sa.UniqueConstraint("claim_token_id", name=op.f("uq_waitlist_offers_claim_token_id")),
        sa.UniqueConstraint("entry_id", "chiropractor_id", "starts_at",
                            name=op.f("uq_waitlist_offers_entry_id_chiropractor_id_starts_at")),
    )
    op.create_index(op.f("ix_waitlist_offers_entry_id"), "waitlist_offers", ["entry_id"])


def downgrade():
    op.drop_table("waitlist_offers")
    op.drop_table("freed_times")
    op.drop_table("waitlist_entry_chiropractors")
    op.drop_table("waitlist_entries")
    op.execute("DELETE FROM patient_tokens WHERE purpose = 'waitlist_offer'")
    set_token_purposes("'manage_appointment', 'portal_login', 'after_visit'", "'portal_login', 'after_visit'")
