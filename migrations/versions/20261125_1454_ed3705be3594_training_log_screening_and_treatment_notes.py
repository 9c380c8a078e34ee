"""Training log, daily check-ins, screening, and treatment notes that cannot change once signed.

Reviewed after autogenerate; only new tables, nothing existing changes.

- ``training_sessions``, ``wellness_check_ins`` (+ ``wellness_complaints``), ``patient_screening_flags``,
  ``patient_indications``, ``patient_readiness_profiles``: what the readiness engine reads. A patient's
  own records go with the patient (ON DELETE CASCADE); who entered them is kept while the account exists.
- ``treatment_notes``, ``treatment_note_modalities``, ``treatment_note_amendments``: medical records,
  so nothing they point to can be deleted under them (RESTRICT).
- Triggers, written by hand (autogenerate cannot see them), on both engines:
  - a signed note is never updated or deleted; the UPDATE that signs a draft is allowed;
  - a signed note's modality rows are never inserted, updated or deleted;
  - amendments are insert-only, and only for a signed note.
  On PostgreSQL the modality and amendment checks lock the note row (FOR SHARE), so a draft being
  signed by another transaction at the same moment cannot slip a row in.

Revision ID: ed3705be3594
Revises: d53ececf2409
Create Date: 2026-11-25 14:54:19.376704

"""
import sqlalchemy as sa
from alembic import op

revision = "ed3705be3594"
down_revision = "d53ececf2409"
branch_labels = None
depends_on = None

NOTE_IMMUTABLE = "signed_note_immutable"
AMENDMENT_IMMUTABLE = "amendment_immutable"
AMENDMENT_NEEDS_SIGNED_NOTE = "amendment_needs_signed_note"

SQLITE_TRIGGERS = {
    "treatment_notes_signed_no_update": f"""
CREATE TRIGGER treatment_notes_signed_no_update BEFORE UPDATE ON treatment_notes
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, '{NOTE_IMMUTABLE}: a signed treatment note cannot be changed'); END
""",
    "treatment_notes_signed_no_delete": f"""
CREATE TRIGGER treatment_notes_signed_no_delete BEFORE DELETE ON treatment_notes
WHEN OLD.status = 'signed'
BEGIN SELECT RAISE(ABORT, '{NOTE_IMMUTABLE}: a signed treatment note cannot be deleted'); END
""",
    "treatment_note_modalities_signed_no_insert": f"""
CREATE TRIGGER treatment_note_modalities_signed_no_insert BEFORE INSERT ON treatment_note_modalities
WHEN EXISTS (SELECT 1 FROM treatment_notes WHERE id = NEW.note_id AND status = 'signed')
BEGIN SELECT RAISE(ABORT, '{NOTE_IMMUTABLE}: a signed treatment note cannot be changed'); END
""",
    "treatment_note_modalities_signed_no_update": f"""
CREATE TRIGGER treatment_note_modalities_signed_no_update BEFORE UPDATE ON treatment_note_modalities
WHEN EXISTS (SELECT 1 FROM treatment_notes WHERE id IN (OLD.note_id, NEW.note_id) AND status = 'signed')
BEGIN SELECT RAISE(ABORT, '{NOTE_IMMUTABLE}: a signed treatment note cannot be changed'); END
""",
    "treatment_note_modalities_signed_no_delete": f"""
CREATE TRIGGER treatment_note_modalities_signed_no_delete BEFORE DELETE ON treatment_note_modalities
WHEN EXISTS (SELECT 1 FROM treatment_notes WHERE id = OLD.note_id AND status = 'signed')
BEGIN SELECT RAISE(ABORT, '{NOTE_IMMUTABLE}: a signed treatment note cannot be changed'); END
""",
    "treatment_note_amendments_only_for_signed": f"""
CREATE TRIGGER treatment_note_amendments_only_for_signed BEFORE INSERT ON treatment_note_amendments
WHEN NOT EXISTS (SELECT 1 FROM treatment_notes WHERE id = NEW.note_id AND status = 'signed')
BEGIN SELECT RAISE(ABORT, '{AMENDMENT_NEEDS_SIGNED_NOTE}: only a signed note is amended'); END
""",
    "treatment_note_amendments_no_update": f"""
CREATE TRIGGER treatment_note_amendments_no_update BEFORE UPDATE ON treatment_note_amendments
BEGIN SELECT RAISE(ABORT, '{AMENDMENT_IMMUTABLE}: an amendment cannot be changed'); END
""",
    "treatment_note_amendments_no_delete": f"""
CREATE TRIGGER treatment_note_amendments_no_delete BEFORE DELETE ON treatment_note_amendments
BEGIN SELECT RAISE(ABORT, '{AMENDMENT_IMMUTABLE}: an amendment cannot be deleted'); END
""",
}

# ERRCODE integrity_constraint_violation makes drivers report these as integrity errors, as SQLite's
# RAISE(ABORT) is.
POSTGRES_FUNCTIONS = {
    "treatment_note_refuse_change_when_signed": f"""
CREATE FUNCTION treatment_note_refuse_change_when_signed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'signed' THEN
        RAISE EXCEPTION '{NOTE_IMMUTABLE}: treatment note % is signed and cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
""",
    "treatment_note_modality_refuse_change_when_signed": f"""
CREATE FUNCTION treatment_note_modality_refuse_change_when_signed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    note_ids integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        note_ids := ARRAY[NEW.note_id];
    ELSIF TG_OP = 'UPDATE' THEN
        note_ids := ARRAY[OLD.note_id, NEW.note_id];
    ELSE
        note_ids := ARRAY[OLD.note_id];
    END IF;
    -- FOR SHARE waits for a concurrent signing to commit, then sees the note as signed.
    PERFORM 1 FROM treatment_notes WHERE id = ANY(note_ids) FOR SHARE;
    IF EXISTS (SELECT 1 FROM treatment_notes WHERE id = ANY(note_ids) AND status = 'signed') THEN
        RAISE EXCEPTION '{NOTE_IMMUTABLE}: the modalities of a signed treatment note cannot be changed'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$
""",
    "treatment_note_amendment_insert_only": f"""
CREATE FUNCTION treatment_note_amendment_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION '{AMENDMENT_IMMUTABLE}: amendment % cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    PERFORM 1 FROM treatment_notes WHERE id = NEW.note_id FOR SHARE;
    IF NOT EXISTS (SELECT 1 FROM treatment_notes WHERE id = NEW.note_id AND status = 'signed') THEN
        RAISE EXCEPTION '{AMENDMENT_NEEDS_SIGNED_NOTE}: only a signed note is amended'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$
""",
}

POSTGRES_TRIGGERS = (
    # (trigger, table, events, function)
    ("treatment_notes_signed_immutable", "treatment_notes", "UPDATE OR DELETE",
     "treatment_note_refuse_change_when_signed"),
    ("treatment_note_modalities_signed_immutable", "treatment_note_modalities", "INSERT OR UPDATE OR DELETE",
     "treatment_note_modality_refuse_change_when_signed"),
    ("treatment_note_amendments_insert_only", "treatment_note_amendments", "INSERT OR UPDATE OR DELETE",
     "treatment_note_amendment_insert_only"),
)


def create_triggers():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_FUNCTIONS.values():
            op.execute(statement)
        for trigger, table, events, function in POSTGRES_TRIGGERS:
            op.execute(f"CREATE TRIGGER {trigger} BEFORE {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()")
    else:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def drop_triggers():
    if op.get_bind().dialect.name == "postgresql":
        for trigger, table, _, _ in POSTGRES_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        for function in POSTGRES_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")


def upgrade():
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("rpe", sa.Integer(), nullable=False, comment="session RPE, Borg CR-10 (0 = rest … 10 = maximal)"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("is_competition", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind <> ''", name=op.f("ck_training_sessions_kind_not_empty")),
        sa.CheckConstraint(
            "duration_minutes > 0 AND duration_minutes <= 1440", name=op.f("ck_training_sessions_duration_range")
        ),
        sa.CheckConstraint("rpe >= 0 AND rpe <= 10", name=op.f("ck_training_sessions_rpe_range")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_training_sessions_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_training_sessions_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index(
        op.f("ix_training_sessions_patient_id_ended_at"), "training_sessions", ["patient_id", "ended_at"]
    )

    op.create_table(
        "wellness_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="local calendar day, Europe/Amsterdam"),
        sa.Column("sleep", sa.Integer(), nullable=True),
        sa.Column("fatigue", sa.Integer(), nullable=True),
        sa.Column("stress", sa.Integer(), nullable=True),
        sa.Column("soreness", sa.Integer(), nullable=True),
        sa.Column("doms", sa.Integer(), nullable=True, comment="muscle soreness NRS 0–10"),
        sa.Column("doms_region", sa.String(length=80), nullable=True),
        sa.Column("rmssd_ms", sa.Float(), nullable=True, comment="morning RMSSD in milliseconds"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "doms_region IS NULL OR (doms IS NOT NULL AND doms_region <> '')",
            name=op.f("ck_wellness_check_ins_doms_region_with_doms"),
        ),
        sa.CheckConstraint("doms IS NULL OR (doms >= 0 AND doms <= 10)", name=op.f("ck_wellness_check_ins_doms_range")),
        *(
            sa.CheckConstraint(
                f"{item} IS NULL OR ({item} >= 1 AND {item} <= 7)", name=op.f(f"ck_wellness_check_ins_{item}_range")
            )
            for item in ("sleep", "fatigue", "stress", "soreness")
        ),
        sa.CheckConstraint("rmssd_ms IS NULL OR rmssd_ms > 0", name=op.f("ck_wellness_check_ins_rmssd_positive")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_wellness_check_ins_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_wellness_check_ins_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellness_check_ins")),
        sa.UniqueConstraint("patient_id", "day", name=op.f("uq_wellness_check_ins_patient_id_day")),
    )

    op.create_table(
        "wellness_complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("complaint", sa.String(length=40), nullable=False),
        sa.Column("began_on", sa.Date(), nullable=False),
        sa.CheckConstraint("complaint <> ''", name=op.f("ck_wellness_complaints_complaint_not_empty")),
        sa.ForeignKeyConstraint(
            ["check_in_id"], ["wellness_check_ins.id"],
            name=op.f("fk_wellness_complaints_check_in_id_wellness_check_ins"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellness_complaints")),
        sa.UniqueConstraint("check_in_id", "complaint", name=op.f("uq_wellness_complaints_check_in_id_complaint")),
    )

    op.create_table(
        "patient_screening_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=80), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("flag <> ''", name=op.f("ck_patient_screening_flags_flag_not_empty")),
        sa.ForeignKeyConstraint(
            ["checked_by_id"], ["users.id"], name=op.f("fk_patient_screening_flags_checked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_screening_flags_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_screening_flags")),
        sa.UniqueConstraint(
            "patient_id", "flag", "region", name=op.f("uq_patient_screening_flags_patient_id_flag_region")
        ),
    )

    op.create_table(
        "patient_indications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("indication", sa.String(length=60), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("indication <> ''", name=op.f("ck_patient_indications_indication_not_empty")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_indications_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_patient_indications_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_indications")),
        sa.UniqueConstraint("patient_id", "indication", name=op.f("uq_patient_indications_patient_id_indication")),
    )

    op.create_table(
        "patient_readiness_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("next_competition_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "screened_at", sa.DateTime(timezone=True), nullable=True,
            comment="when the whole screening checklist was last gone through; NULL = never",
        ),
        sa.Column("screened_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_patient_readiness_profiles_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["screened_by_id"], ["users.id"], name=op.f("fk_patient_readiness_profiles_screened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_readiness_profiles")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_patient_readiness_profiles_patient_id")),
    )

    op.create_table(
        "treatment_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True, comment="NULL for a stand-alone note"),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("subjective", sa.Text(), nullable=False),
        sa.Column("objective", sa.Text(), nullable=False),
        sa.Column("assessment", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column(
            "readiness_at", sa.DateTime(timezone=True), nullable=False,
            comment="the instant the readiness was evaluated at: the appointment's start, or when written",
        ),
        sa.Column("readiness_snapshot", sa.JSON(), nullable=False, comment="ReadinessResult.to_dict() as shown"),
        sa.Column("rules_version", sa.String(length=40), nullable=False),
        sa.Column("inputs_digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "content_hash", sa.String(length=64), nullable=True, comment="SHA-256 of the canonical note at signing"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'signed') = (signed_at IS NOT NULL AND signed_by_id IS NOT NULL AND content_hash IS NOT NULL)",
            name=op.f("ck_treatment_notes_signed_iff_signature"),
        ),
        sa.CheckConstraint("status IN ('draft', 'signed')", name=op.f("ck_treatment_notes_status_known")),
        sa.CheckConstraint(
            "content_hash IS NULL OR length(content_hash) = 64", name=op.f("ck_treatment_notes_content_hash_sha256")
        ),
        sa.CheckConstraint("length(inputs_digest) = 64", name=op.f("ck_treatment_notes_inputs_digest_sha256")),
        sa.CheckConstraint(
            "signed_by_id IS NULL OR signed_by_id = author_id", name=op.f("ck_treatment_notes_signed_by_author")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"], ["appointments.id"], name=op.f("fk_treatment_notes_appointment_id_appointments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_treatment_notes_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_notes_patient_id_patients"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["users.id"], name=op.f("fk_treatment_notes_signed_by_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_notes")),
        sa.UniqueConstraint("appointment_id", name=op.f("uq_treatment_notes_appointment_id")),
    )
    op.create_index(op.f("ix_treatment_notes_author_id"), "treatment_notes", ["author_id"])
    op.create_index(op.f("ix_treatment_notes_patient_id_created_at"), "treatment_notes", ["patient_id", "created_at"])

    op.create_table(
        "treatment_note_modalities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("modality", sa.String(length=20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column(
            "verdict", sa.String(length=16), nullable=False, comment="the readiness verdict shown when it was chosen"
        ),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("is_override", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "NOT is_override OR trim(justification) <> ''", name=op.f("ck_treatment_note_modalities_override_justified")
        ),
        sa.CheckConstraint(
            "modality IN ('adjustment', 'massage', 'dry_needling', 'decompression', 'active_recovery')",
            name=op.f("ck_treatment_note_modalities_modality_known"),
        ),
        sa.CheckConstraint(
            "verdict <> 'contraindicated' OR is_override",
            name=op.f("ck_treatment_note_modalities_override_when_contraindicated"),
        ),
        sa.CheckConstraint(
            "verdict IN ('recommended', 'allowed', 'caution', 'not_advised', 'contraindicated')",
            name=op.f("ck_treatment_note_modalities_verdict_known"),
        ),
        sa.CheckConstraint(
            "verdict NOT IN ('not_advised', 'contraindicated') OR trim(justification) <> ''",
            name=op.f("ck_treatment_note_modalities_justified_against_advice"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["treatment_notes.id"], name=op.f("fk_treatment_note_modalities_note_id_treatment_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_note_modalities")),
        sa.UniqueConstraint("note_id", "modality", name=op.f("uq_treatment_note_modalities_note_id_modality")),
    )

    op.create_table(
        "treatment_note_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("trim(text) <> ''", name=op.f("ck_treatment_note_amendments_text_not_empty")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_treatment_note_amendments_author_id_users"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["treatment_notes.id"], name=op.f("fk_treatment_note_amendments_note_id_treatment_notes"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_note_amendments")),
    )
    op.create_index(op.f("ix_treatment_note_amendments_note_id"), "treatment_note_amendments", ["note_id"])

    create_triggers()


def downgrade():
    drop_triggers()
    op.drop_index(op.f("ix_treatment_note_amendments_note_id"), table_name="treatment_note_amendments")
    op.drop_table("treatment_note_amendments")
    op.drop_table("treatment_note_modalities")
    op.drop_index(op.f("ix_treatment_notes_patient_id_created_at"), table_name="treatment_notes")
    op.drop_index(op.f("ix_treatment_notes_author_id"), table_name="treatment_notes")
    op.drop_table("treatment_notes")
    op.drop_table("patient_readiness_profiles")
    op.drop_table("patient_indications")
    op.drop_table("patient_screening_flags")
    op.drop_table("wellness_complaints")
    op.drop_table("wellness_check_ins")
    op.drop_index(op.f("ix_training_sessions_patient_id_ended_at"), table_name="training_sessions")
    op.drop_table("training_sessions")
