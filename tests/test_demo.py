"""`clinic demo`: a believable clinic on an empty development database, and never on real data."""
from datetime import timedelta

import sqlalchemy as sa

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, Patient, TrainingSession, TreatmentNote, User, WellnessCheckIn
from clinic.services.demo import DEMO_PASSWORD
from clinic.services.record_seals import verify_records
from tests.conftest import log_in


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_demo_fills_an_empty_clinic_around_today_and_prints_logins_that_work(app, client):
    # Three days either side always hold a working day before today and one after it.
    result = app.test_cli_runner().invoke(args=["clinic", "demo", "--patients", "40", "--days", "3"])
    assert result.exit_code == 0, result.output

    assert count(Patient) == 40
    today = to_local(utcnow()).date()
    days = {to_local(start).date() for start in db.session.scalars(sa.select(Appointment.starts_at))}
    assert min(days) < today < max(days) and max(days) - min(days) <= timedelta(days=6)
    assert count(Appointment, Appointment.status == "completed") > 0
    assert count(Appointment, Appointment.status == "booked", Appointment.starts_at > utcnow()) > 0
    assert count(TreatmentNote, TreatmentNote.status == "signed") > 0
    assert count(TrainingSession) > 0 and count(WellnessCheckIn) > 0
    assert all(not report.findings for report in verify_records(db.session, app.config["RECORDS_KEY"]))

    staff = db.session.scalars(sa.select(User).where(User.role != "patient")).all()
    assert all("@" not in user.display_name and " " in user.display_name for user in staff)  # believable names

    printed = [line.split() for line in result.output.splitlines() if DEMO_PASSWORD in line]
    assert {line[0] for line in printed} == {"admin", "frontdesk", "chiropractor"}
    for _role, email, password in printed:
        assert log_in(client, email, password).status_code == 302, email
        client.post("/logout")


def test_demo_refuses_a_database_with_patients(app, create_patient):
    create_patient()
    result = app.test_cli_runner().invoke(args=["clinic", "demo", "--patients", "5"])
    assert result.exit_code != 0 and "already has patients" in result.output
    assert count(Patient) == 1 and count(Appointment) == 0


def test_demo_refuses_the_production_config(variant_app):
    production = variant_app(CLINIC_ENV="production", SECRET_KEY="s" * 48, RECORDS_KEY="r" * 48)
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["clinic", "demo", "--patients", "5"])
        assert result.exit_code != 0 and "production" in result.output
        assert count(Patient) == 0
