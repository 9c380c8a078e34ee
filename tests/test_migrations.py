"""The migrations build exactly the models' schema, and can be undone and redone."""
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from clinic import create_app
from clinic.extensions import db
from clinic.models import AccessAction, Chiropractor, Patient, RecordPart, Role, User
from clinic.sealing import seal
from clinic.services.access_log import LogFilter, Requester, record_access, record_log_view
from clinic.services.accounts import create_user
from clinic.services.record_seals import verify_records
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD, config_for, emptied_database, postgres_url
from tests.privacy.privacy_builders import NOW, fill_patient_record

# The revision before the access log took refused attempts and looks at itself.
BEFORE_REFUSALS = ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).get_revision(
    "0bebece3e3d9").down_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.db'}"
    base_url = sa.engine.make_url(postgres_url())
    return emptied_database(base_url.set(database=f"{base_url.database}_migrations"))


def schema_differences() -> list:
    with db.engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_the_models_schema_and_round_trips(empty_database_url):
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        assert schema_differences() == []
        assert table_names() >= {table.name for table in db.metadata.sorted_tables}

        downgrade(revision="base")
        assert table_names() == {"alembic_version"}

        upgrade()
        assert schema_differences() == []
        db.engine.dispose()


def filled_clinic() -> tuple[User, Patient]:
    """Seed the clinic and give one patient a full record, written by its chiropractor."""
    seed_clinic(db.session)
    chiropractor = create_user(db.session, "chiro@movewell.test", PASSWORD, Role.CHIROPRACTOR,
                               Chiropractor(name="Test Chiropractor", slug="test-chiropractor"))
    patient = Patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17),
                      email="sanne@example.nl", created_source="frontdesk")
    db.session.add(patient)
    db.session.flush()
    fill_patient_record(patient, chiropractor, now=NOW)
    return chiropractor, patient


def test_the_records_already_there_are_sealed_by_the_upgrade(empty_database_url):
    """A database from before the seals (revision b8e2f4a6c0d1) verifies after the upgrade, and goes on."""
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        chiropractor, patient = filled_clinic()
        record_access(db.session, Requester(chiropractor, None, chiropractor.role), patient.id, AccessAction.READ,
                      RecordPart.PATIENT, patient.id)
        db.session.commit()
        chiropractor_id, patient_id = chiropractor.id, patient.id
        db.session.remove()
        downgrade(revision="b8e2f4a6c0d1")
        assert "seal" not in {column["name"] for column in sa.inspect(db.engine).get_columns("access_log")}

        upgrade()
        chiropractor = db.session.get(User, chiropractor_id)
        record_access(db.session, Requester(chiropractor, None, chiropractor.role), patient_id, AccessAction.READ,
                      RecordPart.PATIENT, patient_id)
        db.session.commit()
        reports = verify_records(db.session, app.config["RECORDS_KEY"])
        assert [(report.table, report.sealed, report.findings) for report in reports] == [
            ("treatment_notes", 1, []), ("treatment_note_amendments", 1, []), ("access_log", 2, []),
        ]
        db.session.remove()
        db.engine.dispose()


def test_sealed_rows_still_verify_after_the_log_takes_refusals_and_views(empty_database_url):
    """The access-log rebuild (revision 0bebece3e3d9) keeps every seal and every append-only rule.

    The record is filled at head and the schema taken back to just before the rebuild, so the rows
    are what today's code writes and the access log what the older code wrote.
    """
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade()
        chiropractor, patient = filled_clinic()
        db.session.commit()
        chiropractor_id, patient_id = chiropractor.id, patient.id
        db.session.remove()
        downgrade(revision=BEFORE_REFUSALS)
        # Written as the code of that revision wrote rows: without the new column.
        db.session.execute(sa.text(
            "INSERT INTO access_log (at, user_id, role, patient_id, action, object_type, object_id, remote_address, "
            "seal_number, seal) VALUES (:at, :user_id, 'chiropractor', :patient_id, 'read', 'patient', NULL, "
            "'192.0.2.7', 1, :seal)"), {
            "at": NOW, "user_id": chiropractor_id, "patient_id": patient_id,
            "seal": seal(app.config["RECORDS_KEY"], "access_log", 1, {
                "at": NOW, "user_id": chiropractor_id, "role": "chiropractor", "patient_id": patient_id,
                "action": "read", "object_type": "patient", "object_id": None, "remote_address": "192.0.2.7"})})
        db.session.execute(sa.text("INSERT INTO seal_counters (table_name, last_number) VALUES ('access_log', 1)"))
        db.session.commit()
        db.session.remove()

        upgrade()
        chiropractor = db.session.get(User, chiropractor_id)
        requester = Requester(chiropractor, None, chiropractor.role)
        record_access(db.session, requester, patient_id, AccessAction.REFUSED, RecordPart.TREATMENT_NOTES)
        record_log_view(db.session, requester, LogFilter(), AccessAction.READ)
        db.session.commit()
        reports = verify_records(db.session, app.config["RECORDS_KEY"])
        assert [(report.table, report.sealed, report.findings) for report in reports] == [
            ("treatment_notes", 1, []), ("treatment_note_amendments", 1, []), ("access_log", 3, []),
        ]
        copy = ("INSERT {verb} INTO access_log (id, at, role, patient_id, action, object_type{sealed}) "
                "SELECT id{new_id}, at, role, patient_id, 'write', object_type{sealed} FROM access_log WHERE id = 1")
        refused = {
            "UPDATE access_log SET action = 'write'": "access_log_insert_only",
            "DELETE FROM access_log": "access_log_insert_only",
            copy.format(verb="", new_id=" + 100", sealed=""): "sealed",
        }
        if db.engine.dialect.name == "sqlite":
            refused[copy.format(verb="OR REPLACE", new_id="", sealed=", seal_number, seal")] = "cannot be replaced"
        for statement, rule in refused.items():
            with pytest.raises(sa.exc.IntegrityError, match=rule):
                db.session.execute(sa.text(statement))
            db.session.rollback()
        # The older schema cannot hold the new rows, and rows of the log are never removed.
        db.session.remove()
        with pytest.raises(SystemExit):  # flask-migrate's answer to the migration's RuntimeError
            downgrade(revision=BEFORE_REFUSALS)
        db.session.remove()
        db.engine.dispose()


def test_the_accounts_already_there_get_names(empty_database_url):
    """Before revision d5e8a1f3b7c9 accounts had no name: a chiropractor's gets its chiropractor's, a patient's
    its patient's, any other one made from its e-mail address."""
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade(revision="b7d41e9a2c63")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO users (id, email, password_hash, role, is_active, failed_login_count, session_version, "
                "created_at) VALUES (1, 'balie@movewell.test', 'x', 'frontdesk', true, 0, 1, CURRENT_TIMESTAMP), "
                "(2, 'jarco@movewell.test', 'x', 'chiropractor', true, 0, 1, CURRENT_TIMESTAMP), "
                "(3, 'sanne.de-vries@example.nl', 'x', 'patient', true, 0, 1, CURRENT_TIMESTAMP), "
                "(4, 'jan.van_dijk@movewell.test', 'x', 'admin', true, 0, 1, CURRENT_TIMESTAMP)"))
            connection.execute(sa.text(
                "INSERT INTO chiropractors (name, slug, user_id, is_active) VALUES ('Jarco Schol', 'jarco', 2, true)"))
            connection.execute(sa.text(
                "INSERT INTO patients (first_name, last_name, date_of_birth, email, preferred_language, sport, "
                "created_source, user_id, created_at, updated_at) VALUES ('Sanne', 'de Vries', '1990-05-17', "
                "'sanne.de-vries@example.nl', 'nl', '', 'online', 3, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))

        upgrade()

        with db.engine.connect() as connection:
            names = dict(connection.execute(sa.text("SELECT id, name FROM users")).all())
            links = connection.execute(sa.text(
                "SELECT (SELECT user_id FROM chiropractors), (SELECT user_id FROM patients)")).one()
        assert names == {1: "Balie", 2: "Jarco Schol", 3: "Sanne de Vries", 4: "Jan Van Dijk"}
        assert tuple(links) == (2, 3)  # rebuilding users on SQLite did not cut the links to it
        db.engine.dispose()


def test_the_single_attachments_already_there_move_to_their_table_and_back(empty_database_url):
    """Revision 9c2e6a4f1d73 moves the one attachment in columns of ``outbox_messages`` into
    ``outbox_attachments``; the downgrade puts each message's first file back in the columns."""
    app = create_app(config_for(empty_database_url))
    with app.app_context():
        upgrade(revision="b7f3e91c6a24")
        with db.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO outbox_messages (id, kind, to_address, subject, body_text, attachment_name, "
                "attachment_type, attachment, status, attempts, last_error, created_at, next_attempt_at) VALUES "
                "(1, 'booking_confirmation', 'sanne@example.nl', 'Uw afspraak', 'Tot dan.', 'afspraak.ics', "
                "'text/calendar; method=REQUEST', 'BEGIN:VCALENDAR', 'sent', 1, '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP), "
                "(2, 'test', 'daan@example.nl', 'Hallo', 'Zonder bijlage.', NULL, NULL, NULL, 'sent', 1, '', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))

        upgrade()
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text(
                "SELECT message_id, position, name, mime_type, content FROM outbox_attachments")).all()
            assert [tuple(row) for row in rows] == [
                (1, 0, "afspraak.ics", "text/calendar; method=REQUEST", "BEGIN:VCALENDAR")]
            columns = {column["name"] for column in sa.inspect(connection).get_columns("outbox_messages")}
            assert not columns & {"attachment_name", "attachment_type", "attachment"}
            connection.execute(sa.text(
                "INSERT INTO outbox_attachments (message_id, position, name, mime_type, content) "
                "VALUES (1, 1, 'afspraak-2.ics', 'text/calendar; method=REQUEST', 'BEGIN:VCALENDAR 2')"))
            for refused in ("(1, 1, 'x.ics', 'text/calendar', 'twice at one position')",
                            "(2, 0, '', 'text/calendar', 'no name')", "(2, 0, 'x.ics', '', 'no type')",
                            "(3, 0, 'x.ics', 'text/calendar', 'no such message')"):
                with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
                    connection.execute(sa.text("INSERT INTO outbox_attachments (message_id, position, name, "
                                               f"mime_type, content) VALUES {refused}"))

        downgrade(revision="b7f3e91c6a24")
        with db.engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT id, attachment_name, attachment_type, attachment FROM outbox_messages ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            (1, "afspraak.ics", "text/calendar; method=REQUEST", "BEGIN:VCALENDAR"), (2, None, None, None)]
        assert "outbox_attachments" not in table_names()
        upgrade()
        assert schema_differences() == []
        db.engine.dispose()
