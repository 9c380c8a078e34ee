"""Care episodes and outcome measures (issue 16).

- ``care_episodes``: one per complaint (region, onset, goals, treating chiropractor), open until
  closed with a discharge summary.
- ``outcome_measurements`` (nprs, psk, groc, lefs with their ranges) and ``outcome_answers`` (the
  raw PSK activities and LEFS items; the composite foreign key carries the measure so each answer
  row checks its measure's range).
- ``appointments.episode_id`` and ``treatment_notes.episode_id``. Added with ALTER TABLE on SQLite
  too, foreign key inline, not by a batch rebuild, which would drop both tables' triggers (see
  migration 3f8a1c6d2e90). SQLite cannot add the CHECK that only a stand-alone note names its own
  episode to an existing table, so there two triggers refuse what the CHECK refuses on PostgreSQL.

Hand-written.

Revision ID: 360a4367d305
Revises: af7e2c15d0a1
Create Date: 2026-12-05 22:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "360a4367d305"
down_revision = "af7e2c15d0a1"
branch_labels = None
depends_on = None

EPISODES = "care_episodes"
NOTE_EPISODE_CHECK = "ck_treatment_notes_episode_through_appointment"
NOTE_EPISODE_RULE = "appointment_id IS NULL OR episode_id IS NULL"
SQLITE_NOTE_TRIGGERS = {
    f"treatment_notes_episode_through_appointment_{event.lower()}": f"""
CREATE TRIGGER treatment_notes_episode_through_appointment_{event.lower()} BEFORE {event} ON treatment_notes
WHEN NOT ({NOTE_EPISODE_RULE.replace("appointment_id", "NEW.appointment_id").replace("episode_id", "NEW.episode_id")})
BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {NOTE_EPISODE_CHECK}'); END
"""
    for event in ("INSERT", "UPDATE")
}


def score_range() -> str:
    ranges = {"nprs": (0, 10, True), "psk": (0, 10, False), "groc": (-7, 7, True), "lefs": (0, 80, True)}
    return " AND ".join(
        f"(measure <> '{measure}' OR (score BETWEEN {low} AND {high}{' AND score = ROUND(score)' if whole else ''}))"
        for measure, (low, high, whole) in ranges.items()
    )


ANSWER_RANGE = (
    "(measure = 'psk' AND position BETWEEN 1 AND 3 AND answer BETWEEN 0 AND 10 AND activity IS NOT NULL "
    "AND length(trim(activity)) BETWEEN 1 AND 80) OR (measure = 'lefs' AND position BETWEEN 1 AND 20 "
    "AND answer BETWEEN 0 AND 4 AND activity IS NULL)"
)


def add_episode_column(table: str) -> None:
    foreign_key = f"fk_{table}_episode_id_{EPISODES}"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN episode_id INTEGER CONSTRAINT {foreign_key} "
                   f"REFERENCES {EPISODES} (id)")
    else:
        op.add_column(table, sa.Column("episode_id", sa.Integer(), nullable=True))
        op.create_foreign_key(foreign_key, table, EPISODES, ["episode_id"], ["id"])
    op.create_index(op.f(f"ix_{table}_episode_id"), table, ["episode_id"])


def drop_episode_column(table: str) -> None:
    op.drop_index(op.f(f"ix_{table}_episode_id"), table_name=table)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN episode_id")
    else:
        op.drop_constraint(f"fk_{table}_episode_id_{EPISODES}", table, type_="foreignkey")
        op.drop_column(table, "episode_id")


def upgrade():
    op.create_table(
        EPISODES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=60), nullable=False, comment="body region of the complaint"),
        sa.Column("onset_on", sa.Date(), nullable=False,
                  comment="the day the complaint began (as the patient remembers)"),
        sa.Column("goals", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discharge_summary", sa.Text(), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(trim(region)) BETWEEN 1 AND 60", name=op.f("ck_care_episodes_region_given")),
        sa.CheckConstraint("length(goals) <= 2000", name=op.f("ck_care_episodes_goals_length")),
        sa.CheckConstraint("closed_at IS NULL OR closed_at >= opened_at",
                           name=op.f("ck_care_episodes_closed_after_opened")),
        sa.CheckConstraint("(closed_at IS NULL) = (discharge_summary IS NULL)",
                           name=op.f("ck_care_episodes_closed_iff_summary")),
        sa.CheckConstraint("discharge_summary IS NULL OR length(trim(discharge_summary)) BETWEEN 1 AND 4000",
                           name=op.f("ck_care_episodes_summary_given")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_care_episodes_patient_id_patients"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["chiropractor_id"], ["chiropractors.id"],
                                name=op.f("fk_care_episodes_chiropractor_id_chiropractors"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["opened_by_id"], ["users.id"], name=op.f("fk_care_episodes_opened_by_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_episodes")),
    )
    op.create_index(op.f("ix_care_episodes_chiropractor_id"), EPISODES, ["chiropractor_id"])
    op.create_index(op.f("ix_care_episodes_patient_id_opened_at"), EPISODES, ["patient_id", "opened_at"])
    op.create_table(
        "outcome_measurements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False,
                  comment="nprs, groc: the value; psk: mean of the activities; lefs: sum"),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("entered_by", sa.String(length=8), nullable=False),
        sa.Column("entered_by_user_id", sa.Integer(), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("measure IN ('nprs', 'psk', 'groc', 'lefs')",
                           name=op.f("ck_outcome_measurements_measure_known")),
        sa.CheckConstraint("entered_by IN ('patient', 'staff')", name=op.f("ck_outcome_measurements_entered_by_known")),
        sa.CheckConstraint(score_range(), name=op.f("ck_outcome_measurements_score_range")),
        sa.CheckConstraint("entered_by = 'patient' OR entered_by_user_id IS NOT NULL",
                           name=op.f("ck_outcome_measurements_staff_entry_names_user")),
        sa.ForeignKeyConstraint(["episode_id"], [f"{EPISODES}.id"],
                                name=op.f("fk_outcome_measurements_episode_id_care_episodes"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointments.id"],
                                name=op.f("fk_outcome_measurements_appointment_id_appointments"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["entered_by_user_id"], ["users.id"],
                                name=op.f("fk_outcome_measurements_entered_by_user_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_measurements")),
        sa.UniqueConstraint("id", "measure", name=op.f("uq_outcome_measurements_id_measure")),
    )
    op.create_index(op.f("ix_outcome_measurements_appointment_id"), "outcome_measurements", ["appointment_id"])
    op.create_index(op.f("ix_outcome_measurements_episode_id_measured_at"), "outcome_measurements",
                    ["episode_id", "measured_at"])
    op.create_table(
        "outcome_answers",
        sa.Column("measurement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False, comment="1, 2, … in the questionnaire's order"),
        sa.Column("measure", sa.String(length=8), nullable=False),
        sa.Column("activity", sa.String(length=80), nullable=True, comment="psk: the patient's words"),
        sa.Column("answer", sa.Integer(), nullable=False),
        sa.CheckConstraint(ANSWER_RANGE, name=op.f("ck_outcome_answers_answer_range")),
        sa.ForeignKeyConstraint(["measurement_id", "measure"], ["outcome_measurements.id", "outcome_measurements.measure"],
                                name=op.f("fk_outcome_answers_measurement_id_outcome_measurements"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("measurement_id", "position", name=op.f("pk_outcome_answers")),
    )
    add_episode_column("appointments")
    add_episode_column("treatment_notes")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_NOTE_TRIGGERS.values():
            op.execute(trigger)
    else:
        op.create_check_constraint(NOTE_EPISODE_CHECK, "treatment_notes", NOTE_EPISODE_RULE)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_NOTE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.drop_constraint(NOTE_EPISODE_CHECK, "treatment_notes", type_="check")
    drop_episode_column("treatment_notes")
    drop_episode_column("appointments")
    op.drop_table("outcome_answers")
    op.drop_index(op.f("ix_outcome_measurements_episode_id_measured_at"), table_name="outcome_measurements")
    op.drop_index(op.f("ix_outcome_measurements_appointment_id"), table_name="outcome_measurements")
    op.drop_table("outcome_measurements")
    op.drop_index(op.f("ix_care_episodes_patient_id_opened_at"), table_name=EPISODES)
    op.drop_index(op.f("ix_care_episodes_chiropractor_id"), table_name=EPISODES)
    op.drop_table(EPISODES)
