"""Rules the database itself holds, on both engines."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from clinic.extensions import db
from clinic.models import Appointment, Role, TimeOff, User
from clinic.services.seed import seed_clinic

NINE = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def insert_fails(statement: str, **params) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()


def test_foreign_keys_are_enforced(app):
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    insert_fails(
        "INSERT INTO time_off (chiropractor_id, starts_at, ends_at, reason) VALUES (999, :s, :e, '')",
        s="2026-12-01 08:00:00.000000", e="2026-12-01 09:00:00.000000",
    )


def test_an_appointment_must_end_after_it_starts(app, create_patient):
    seed_clinic(db.session)
    patient = create_patient()
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=1, appointment_type_id=1, starts_at=NINE, ends_at=NINE,
            buffer_ends_at=NINE, source="frontdesk",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_unknown_status_and_role_values_are_refused(app, create_patient):
    seed_clinic(db.session)
    patient = create_patient()
    db.session.add(
        Appointment(
            patient_id=patient.id, chiropractor_id=1, appointment_type_id=1, starts_at=NINE,
            ends_at=NINE + timedelta(minutes=30), buffer_ends_at=NINE + timedelta(minutes=30),
            source="frontdesk", status="maybe",
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(User(email="x@movewell.test", name="X", password_hash="x", role="superuser"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_email_addresses_are_unique_whatever_their_case(app, create_account):
    create_account(Role.FRONTDESK, email="desk@movewell.test")
    db.session.add(User(email="desk@movewell.test", name="Desk", password_hash="x", role="frontdesk"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Mixed case cannot be stored at all, so it cannot slip past the UNIQUE either.
    db.session.add(User(email="Desk@movewell.test", name="Desk", password_hash="x", role="frontdesk"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("name", [None, "", "   "])
def test_an_account_has_a_name_that_is_not_blank(app, name):
    db.session.add(User(email="desk@movewell.test", name=name, password_hash="x", role="frontdesk"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_time_off_must_end_after_it_starts(app):
    seed_clinic(db.session)
    db.session.add(TimeOff(chiropractor_id=1, starts_at=NINE, ends_at=NINE - timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_cut_postgresql_connection_is_replaced_before_the_next_request_uses_it(app, client):
    """After a database restart or a dropped network link the pool hands out no dead connection."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file has no connection to cut")
    backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
    db.session.commit()  # the connection goes back to the pool, still open
    administrator = create_engine(db.engine.url)
    with administrator.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
    administrator.dispose()
    assert client.get("/healthz").status_code == 200
