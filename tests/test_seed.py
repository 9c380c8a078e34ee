"""Seeding the clinic is idempotent and gives the clinic's real set-up."""
from datetime import time

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import AppointmentType, Chiropractor, WorkingHours
from clinic.services.seed import seed_clinic


def snapshot():
    return {
        "chiropractors": db.session.execute(select(Chiropractor.name, Chiropractor.slug).order_by(Chiropractor.slug)).all(),
        "hours": db.session.execute(
            select(WorkingHours.chiropractor_id, WorkingHours.weekday, WorkingHours.start_time, WorkingHours.end_time)
            .order_by(WorkingHours.chiropractor_id, WorkingHours.weekday, WorkingHours.start_time)
        ).all(),
        "types": db.session.execute(
            select(AppointmentType.code, AppointmentType.duration_minutes, AppointmentType.is_open_to_new_patients)
            .order_by(AppointmentType.code)
        ).all(),
    }


def test_seeding_twice_gives_the_same_rows(app):
    first_report = seed_clinic(db.session)
    db.session.commit()
    after_first = snapshot()
    second_report = seed_clinic(db.session)
    db.session.commit()
    assert first_report.created and not second_report.created
    assert snapshot() == after_first


def test_seed_creates_the_four_chiropractors_and_their_weeks(app):
    seed_clinic(db.session)
    db.session.commit()
    names = db.session.scalars(select(Chiropractor.name).order_by(Chiropractor.name)).all()
    assert names == ["Desiree Griesel", "Jarco Schol", "Sten Hofstad", "Tijn Kooren"]
    monday = db.session.execute(
        select(WorkingHours.start_time, WorkingHours.end_time)
        .join(Chiropractor)
        .where(Chiropractor.slug == "jarco-schol", WorkingHours.weekday == 0)
        .order_by(WorkingHours.start_time)
    ).all()
    assert monday == [(time(8, 30), time(12, 30)), (time(13, 30), time(17, 30))]
    weekend_rows = db.session.scalar(select(func.count()).where(WorkingHours.weekday >= 5))
    assert weekend_rows == 0


def test_seed_appointment_types_follow_the_clinic_menu(app):
    seed_clinic(db.session)
    db.session.commit()
    types = {t.code: t for t in db.session.scalars(select(AppointmentType))}
    assert {code: t.duration_minutes for code, t in types.items()} == {
        "intake": 45,
        "follow_up": 20,
        "sports_massage_30": 30,
        "sports_massage_60": 60,
        "dry_needling": 30,
        "decompression": 30,
    }
    assert all(t.is_online_bookable for t in types.values())
    assert [code for code, t in types.items() if not t.is_open_to_new_patients] == ["follow_up"]


def test_seed_command_reports_what_it_did(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["clinic", "seed"])
    second = runner.invoke(args=["clinic", "seed"])
    assert first.exit_code == 0 and "chiropractor Jarco Schol" in first.output
    assert second.exit_code == 0 and "nothing to seed" in second.output
