"""Who offers which treatment: the appointment types a chiropractor does not offer.

- ``types_not_offered (chiropractor_id, appointment_type_id)``: the exceptions, so that with no
  rows (every existing database) every chiropractor offers every type, as before.
- A booking of a type with a chiropractor who does not offer it is refused by a trigger on
  appointments (insert, and an update that changes the chiropractor or the type), on both
  engines; withdrawing a type later leaves the appointments already made alone.
- The table raises the schedule revision like the other tables that decide free time (see
  migration d5f7b9c1e3a4), so the kept availability answers are made afresh.

Revision ID: 51c305e6ae8b
Revises: 72e5b28b4e9b
Create Date: 2026-12-05 03:00:01

"""
import sqlalchemy as sa
from alembic import op

revision = "51c305e6ae8b"
down_revision = "72e5b28b4e9b"
branch_labels = None
depends_on = None

TABLE = "types_not_offered"
EVENTS = ("INSERT", "UPDATE", "DELETE")
BUMP = "UPDATE schedule_revisions SET value = value + 1 WHERE id = 1"
REFUSAL = "type_not_offered: the chiropractor does not offer this appointment type"
NOT_OFFERED = (
    "EXISTS (SELECT 1 FROM types_not_offered AS n"
    " WHERE n.chiropractor_id = NEW.chiropractor_id AND n.appointment_type_id = NEW.appointment_type_id)"
)

POSTGRES_FUNCTION = f"""
CREATE FUNCTION refuse_type_not_offered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {NOT_OFFERED} THEN
        RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$
"""


def upgrade():
    op.create_table(
        TABLE,
        sa.Column("chiropractor_id", sa.Integer(), nullable=False),
        sa.Column("appointment_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_type_id"], ["appointment_types.id"],
            name=op.f("fk_types_not_offered_appointment_type_id_appointment_types"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["chiropractor_id"], ["chiropractors.id"],
            name=op.f("fk_types_not_offered_chiropractor_id_chiropractors"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chiropractor_id", "appointment_type_id", name=op.f("pk_types_not_offered")),
    )
    op.create_index(op.f("ix_types_not_offered_appointment_type_id"), TABLE, ["appointment_type_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {TABLE}_bump_schedule_revision AFTER INSERT OR UPDATE OR DELETE ON {TABLE}"
                   " FOR EACH STATEMENT EXECUTE FUNCTION bump_schedule_revision()")
        op.execute(POSTGRES_FUNCTION)
        op.execute("CREATE TRIGGER appointments_type_offered BEFORE INSERT OR UPDATE OF chiropractor_id,"
                   " appointment_type_id ON appointments FOR EACH ROW EXECUTE FUNCTION refuse_type_not_offered()")
    else:
        for event in EVENTS:
            op.execute(f"CREATE TRIGGER {TABLE}_bump_schedule_revision_{event.lower()} AFTER {event} ON {TABLE}"
                       f" BEGIN {BUMP}; END")
        for event in ("INSERT", "UPDATE OF chiropractor_id, appointment_type_id"):
            op.execute(f"CREATE TRIGGER appointments_type_offered_{event.split()[0].lower()} BEFORE {event}"
                       f" ON appointments WHEN {NOT_OFFERED} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER appointments_type_offered ON appointments")
        op.execute("DROP FUNCTION refuse_type_not_offered()")
        op.execute(f"DROP TRIGGER {TABLE}_bump_schedule_revision ON {TABLE}")
    else:
        for event in ("insert", "update"):
            op.execute(f"DROP TRIGGER appointments_type_offered_{event}")
        for event in EVENTS:
            op.execute(f"DROP TRIGGER {TABLE}_bump_schedule_revision_{event.lower()}")
    op.drop_index(op.f("ix_types_not_offered_appointment_type_id"), table_name=TABLE)
    op.drop_table(TABLE)
