"""The patient file (issue 13): address, huisarts, insurer, emergency contact and desk remarks; the
history of changes to a patient's details; and the terms patients are found by.

Written by hand from autogenerate's draft. ``patients`` gets its new columns with defaults, so
existing rows are valid, and CHECKs for the country code, a Dutch postcode ("1234 AB") and E.164
phone numbers. SQLite gets each CHECK with its column (``ALTER TABLE ADD COLUMN`` takes a column
constraint), not by a batch rebuild: dropping the old ``patients`` then would, with foreign keys on,
delete its rows first, cascading into the tables that refer to them. The postcode's CHECK
also reads the country, so the country column comes first (and goes last on the way down).

``patient_changes`` is append-only like the access log: triggers refuse UPDATE and DELETE on both
databases and, on SQLite, an INSERT that would replace a row (see b8e2f4a6c0d1).

``patient_search_terms`` is filled here for the patients already there, with the same function
the app keeps the terms with (``clinic.patient_search.search_terms``, pure Python that imports nothing of the app); from now on
the model's events keep them in step. A frozen copy here would let the terms of existing patients
differ from what a query looks for.

Revision ID: a13d5e7f9b21
Revises: dced9f60c4df
Create Date: 2026-12-05 04:00:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

from clinic.patient_search import search_terms

revision = "a13d5e7f9b21"
down_revision = 'dced9f60c4df'
branch_labels = None
depends_on = None

INSERT_ONLY = "patient_changes_insert_only"
SQLITE_TRIGGERS = {
    "patient_changes_no_update": f"""
CREATE TRIGGER patient_changes_no_update BEFORE UPDATE ON patient_changes
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded change cannot be changed'); END
""",
    "patient_changes_no_delete": f"""
CREATE TRIGGER patient_changes_no_delete BEFORE DELETE ON patient_changes
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded change cannot be deleted'); END
""",
    "patient_changes_no_replace": f"""
CREATE TRIGGER patient_changes_no_replace BEFORE INSERT ON patient_changes
WHEN EXISTS (SELECT 1 FROM patient_changes WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, '{INSERT_ONLY}: a recorded change cannot be replaced'); END
""",
}
# ERRCODE integrity_constraint_violation makes drivers report this as an integrity error, as SQLite's
# RAISE(ABORT) is.
POSTGRES_FUNCTION = ("patient_changes_refuse_change", f"""
CREATE FUNCTION patient_changes_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{INSERT_ONLY}: recorded change % cannot be changed or deleted', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$
""")
DUTCH_POSTCODE_CHECK = (
    "address_country <> 'NL' OR address_postcode = '' OR ("
    "length(address_postcode) = 7 AND address_postcode = upper(address_postcode)"
    " AND substr(address_postcode, 1, 1) BETWEEN '1' AND '9'"
    " AND substr(address_postcode, 2, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 3, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 4, 1) BETWEEN '0' AND '9'"
    " AND substr(address_postcode, 5, 1) = ' '"
    " AND substr(address_postcode, 6, 1) BETWEEN 'A' AND 'Z'"
    " AND substr(address_postcode, 7, 1) BETWEEN 'A' AND 'Z')"
)
# (column, type, server default or None for NULL-able, comment, (check name, condition) or None), in order.
COLUMNS = (
    ("address_street", 100, "", None, None),
    ("address_house_number", 20, "", "with any addition, e.g. 12-bis or 7 A", None),
    ("address_country", 2, "NL", "ISO 3166-1 alpha-2",
     ("country_code", "length(address_country) = 2 AND address_country = upper(address_country)")),
    ("address_postcode", 10, "", "Dutch addresses: 1234 AB", ("dutch_postcode", DUTCH_POSTCODE_CHECK)),
    ("address_city", 100, "", None, None),
    ("gp_name", 100, "", "the huisarts", None),
    ("gp_practice", 100, "", None, None),
    ("gp_phone", 32, None, "E.164", ("gp_phone_e164", "gp_phone LIKE '+%'")),
    ("insurer_name", 100, "", None, None),
    ("insurer_policy_number", 40, "", None, None),
    ("emergency_contact_name", 100, "", None, None),
    ("emergency_contact_phone", 32, None, "E.164", ("emergency_contact_phone_e164", "emergency_contact_phone LIKE '+%'")),
    ("emergency_contact_relation", 50, "", None, None),
    ("desk_remarks", 500, "", "practical notes for the desk, e.g. hard of hearing; nothing clinical", None),
)


def add_patient_columns():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, length, default, comment, check in COLUMNS:
        if sqlite:
            # SQLite keeps no comments.
            definition = f"VARCHAR({length})" + ("" if default is None else f" DEFAULT '{default}' NOT NULL")
            if check:
                definition += f" CONSTRAINT ck_patients_{check[0]} CHECK ({check[1]})"
            op.execute(f"ALTER TABLE patients ADD COLUMN {name} {definition}")
            continue
        op.add_column("patients", sa.Column(name, sa.String(length=length), server_default=default,
                                            nullable=default is None, comment=comment))
        if check:
            op.create_check_constraint(op.f(f"ck_patients_{check[0]}"), "patients", check[1])


def drop_patient_columns():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, _, _, _, check in reversed(COLUMNS):
        if sqlite:
            op.execute(f"ALTER TABLE patients DROP COLUMN {name}")
            continue
        if check:
            op.drop_constraint(op.f(f"ck_patients_{check[0]}"), "patients", type_="check")
        op.drop_column("patients", name)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    add_patient_columns()

    op.create_table(
        "patient_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False,
                  comment="the detail's name, as in the API (address.postcode)"),
        sa.Column("old_value", sa.Text(), nullable=False, comment="'' when it was empty"),
        sa.Column("new_value", sa.Text(), nullable=False, comment="'' when it is emptied"),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("field <> ''", name=op.f("ck_patient_changes_field_not_empty")),
        sa.CheckConstraint("old_value <> new_value", name=op.f("ck_patient_changes_is_a_change")),
        sa.ForeignKeyConstraint(["changed_by_id"], ["users.id"], name=op.f("fk_patient_changes_changed_by_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_patient_changes_patient_id_patients"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_changes")),
    )
    op.create_index(op.f("ix_patient_changes_patient_id_changed_at"), "patient_changes", ["patient_id", "changed_at"])
    if sqlite:
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)
    else:
        name, statement = POSTGRES_FUNCTION
        op.execute(statement)
        op.execute(f"CREATE TRIGGER {INSERT_ONLY} BEFORE UPDATE OR DELETE ON patient_changes "
                   f"FOR EACH ROW EXECUTE FUNCTION {name}()")

    terms = op.create_table(
        "patient_search_terms",
        sa.Column("term", sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
                  nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("term <> ''", name=op.f("ck_patient_search_terms_term_not_empty")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"],
                                name=op.f("fk_patient_search_terms_patient_id_patients"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term", "patient_id", name=op.f("pk_patient_search_terms")),
    )
    op.create_index(op.f("ix_patient_search_terms_patient_id"), "patient_search_terms", ["patient_id"])
    fill_search_terms(terms)


def fill_search_terms(terms: sa.Table) -> None:
    patients = sa.table("patients", *(sa.column(name) for name in (
        "id", "first_name", "last_name", "date_of_birth", "email", "phone", "address_postcode")))
    connection = op.get_bind()
    rows = connection.execute(sa.select(patients)).mappings().all()
    found_by = [
        {"patient_id": row["id"], "term": term}
        for row in rows
        for term in search_terms(
            first_name=row["first_name"], last_name=row["last_name"], date_of_birth=as_date(row["date_of_birth"]),
            email=row["email"], phone=row["phone"], postcode=row["address_postcode"],
        )
    ]
    if found_by:
        op.bulk_insert(terms, found_by)


def as_date(value):
    # SQLite hands a lightweight table's date column back as text.
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def downgrade():
    op.drop_table("patient_search_terms")
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {INSERT_ONLY} ON patient_changes")
        op.execute(f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION[0]}()")
    op.drop_table("patient_changes")
    drop_patient_columns()
