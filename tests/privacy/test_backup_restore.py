"""Backups: restored into an empty database they give back every row and every rule of the original."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from clinic import backup
from clinic.extensions import db
from clinic.localtime import CLINIC_TZ
from clinic.models import AccessAction, AlertAcknowledgement, AppointmentType, BookingSource, Patient, RecordPart, Role, TimeOff
from clinic.scheduling import STAFF_POLICY
from clinic.services.access_log import Requester, record_access
from clinic.services.booking import time_freed
from clinic.services.patient_messages import set_reminders_wanted
from clinic.services.patient_details import update_patient
from clinic.services.privacy import erase_patient
from clinic.services.series import book_series
from clinic.services.staffing import add_closure, offer_types
from clinic.services.patient_merge import merge_patients
from tests.conftest import api_token_for, emptied_database
from tests.privacy.database_fingerprint import schema_objects, table_fingerprints
from tests.privacy.privacy_builders import NOW


@pytest.fixture
def full_database(record, admin, create_patient, create_account):
    """Fill every table: a full patient record (with an e-mail with two attachments), an erased patient with a portal account, tokens, time off,
    the access log, a reminder opt-out, a clinic closure, a treatment one chiropractor does not offer, a
    treatment series, a merge, the answers to an after-visit check-in, a freed time not yet offered and an
    acknowledged alert; the record has a care episode with outcome measures and their raw answers, and a
    waitlist entry with its offer."""
    api_token_for(admin)
    record_access(db.session, Requester(admin, "192.0.2.1", admin.role), record.patient.id, AccessAction.READ,
                  RecordPart.PATIENT, record.patient.id)
    db.session.add(TimeOff(chiropractor_id=record.past.chiropractor_id, starts_at=NOW + timedelta(days=30),
                           ends_at=NOW + timedelta(days=31), reason="Congres"))
    leaver = create_patient(first_name="Daan", email="daan@example.nl")
    leaver.user_id = create_account(Role.PATIENT).id
    erase_patient(db.session, leaver, by=admin, reason="Verzoek per e-mail", now=NOW)
    set_reminders_wanted(db.session, record.patient, False)
    add_closure(db.session, starts_at=NOW + timedelta(days=60), ends_at=NOW + timedelta(days=61), reason="Koningsdag",
                now=NOW)
    dry_needling = db.session.scalar(sa.select(AppointmentType).where(AppointmentType.code == "dry_needling"))
    every_type = set(db.session.scalars(sa.select(AppointmentType.id)))
    offer_types(db.session, record.past.chiropractor, every_type - {dry_needling.id})
    update_patient(db.session, record.patient, {"address.city": "Hilversum"}, user=admin, today=NOW.date(),
                   identity_confirmed=False)
    follow_up = db.session.scalar(sa.select(AppointmentType).where(AppointmentType.code == "follow_up"))
    book_series(db.session, patient=record.patient, appointment_type=follow_up, chiropractor_id=record.past.chiropractor_id,
                first_start=datetime(2027, 1, 12, 10, 0, tzinfo=CLINIC_TZ), rule="FREQ=WEEKLY;COUNT=2",
                source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW, user=admin)
    time_freed(db.session, record.past.chiropractor_id, NOW + timedelta(days=2), NOW + timedelta(days=2, hours=1))
    twin = create_patient(first_name="Sanne", last_name="Tweeling", email="sanne.tweeling@example.nl")
    merge_patients(db.session, record.patient, twin.id, by=admin, reason="Twee keer ingeschreven")
    db.session.add(AlertAcknowledgement(alert_key=f"after_visit:{record.past.id}", kind="after_visit",
                                        patient_id=record.patient.id, acknowledged_by_id=admin.id))
    db.session.commit()


@pytest.fixture
def empty_database(app, owner_settings, tmp_path):
    """Return the URL of a new, empty database of the app's kind (a PostgreSQL one emptied, see ``emptied_database``).

    Made, and restored into, as the owner: the app's own role may not create databases or tables.
    """
    url = sa.engine.make_url(owner_settings["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return url.set(database=str(tmp_path / "restored.db"))
    return sa.engine.make_url(emptied_database(url.set(database=f"{url.database}_restore")))


def test_a_restored_backup_has_every_row_and_every_rule_of_the_original(app, full_database, empty_database, tmp_path):
    path = tmp_path / "clinic.backup"
    result = app.test_cli_runner().invoke(args=["clinic", "backup", str(path)])
    assert result.exit_code == 0, result.output
    backup.restore(empty_database, path)

    restored = sa.create_engine(empty_database)
    try:
        original = table_fingerprints(db.engine)
        assert [table for table, (count, _) in original.items() if count == 0] == []
        assert table_fingerprints(restored) == original
        assert schema_objects(restored) == schema_objects(db.engine)
        with db.engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        with restored.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == version
            if restored.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        restored.dispose()


def test_the_restored_database_still_refuses_what_the_original_refuses(app, full_database, empty_database, tmp_path):
    path = tmp_path / "clinic.backup"
    backup.backup(db.engine.url, path)
    backup.restore(empty_database, path)
    restored = sa.create_engine(empty_database)
    try:
        with restored.connect() as connection, pytest.raises(sa.exc.DatabaseError, match="signed"):
            connection.exec_driver_sql("UPDATE treatment_notes SET plan = 'changed' WHERE status = 'signed'")
        with restored.connect() as connection, pytest.raises(sa.exc.IntegrityError):
            # A second appointment of the same patient at the same time: the overlap rule.
            connection.exec_driver_sql(
                "INSERT INTO appointments (patient_id, chiropractor_id, appointment_type_id, starts_at, ends_at, "
                "buffer_ends_at, status, source, cancel_reason, created_at, updated_at) "
                "SELECT patient_id, chiropractor_id, appointment_type_id, starts_at, ends_at, buffer_ends_at, "
                "status, source, cancel_reason, created_at, updated_at FROM appointments WHERE status = 'booked'")
    finally:
        restored.dispose()


def test_restore_refuses_a_database_with_tables_unless_forced(app, clinic, create_patient, variant_app,
                                                            owner_settings, tmp_path):
    path = tmp_path / "clinic.backup"
    assert app.test_cli_runner().invoke(args=["clinic", "backup", str(path)]).exit_code == 0
    create_patient(first_name="Later")
    # A restore replaces the tables: the owner's work. The app's role gets its rights back (it counts below).
    owner = variant_app(**owner_settings)

    def restore(*options):
        db.session.commit()
        with owner.app_context():
            return owner.test_cli_runner().invoke(args=["clinic", "restore", str(path), *options])

    refused = restore()
    assert refused.exit_code != 0
    assert "--force" in refused.output and "overwrite" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 1

    forced = restore("--force")
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(func.count()).select_from(Patient)) == 0


def test_a_backup_never_overwrites_a_file(app, clinic, tmp_path):
    path = tmp_path / "clinic.backup"
    path.write_text("an older backup")
    result = app.test_cli_runner().invoke(args=["clinic", "backup", str(path)])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert path.read_text() == "an older backup"


@pytest.mark.parametrize("content", [b"", b"not a backup at all" * 100])
def test_an_empty_or_damaged_backup_file_is_refused_before_anything_changes(app, clinic, empty_database, tmp_path,
                                                                         content):
    path = tmp_path / "clinic.backup"
    path.write_bytes(content)
    with pytest.raises(backup.BackupError):
        backup.restore(empty_database, path)
    assert backup.table_count(empty_database) == 0


def test_the_sqlite_backup_is_one_self_contained_file(app, clinic, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    path = tmp_path / "clinic.backup"
    backup.backup(db.engine.url, path)
    with closing(sqlite3.connect(path)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT count(*) FROM appointment_types").fetchone()[0] > 0
