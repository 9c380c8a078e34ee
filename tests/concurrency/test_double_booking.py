"""Many requests racing for one slot: exactly one wins, the rest get a clean conflict.

Each worker runs as a request would: its own app context, session and connection, a write
transaction begun up front, a commit at the end. A ``threading.Barrier`` releases all workers
together, and each round is repeated, because one lucky run proves nothing.
"""
from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from clinic import create_app
from clinic.database import begin_write
from clinic.extensions import db
from clinic.models import Appointment, AppointmentAction, AppointmentType, BookingSource, Patient
from clinic.scheduling import STAFF_POLICY
from clinic.services.booking import (
    SlotTaken,
    book_appointment,
    change_status,
    find_free_slots,
    reschedule_appointment,
)
from clinic.services.seed import seed_clinic
from tests.conftest import config_for
from tests.services.conftest import NOW

AMS = ZoneInfo("Europe/Amsterdam")
ROUNDS = 3
THREADS = 50
ATTEMPTS_PER_ROUND = 200


def slot(round_number: int) -> datetime:
    """Return a different Tuesday-morning start for each round."""
    return datetime(2026, 12, 1, 9, 0, tzinfo=AMS) + timedelta(days=7 * round_number)


def run_attempt(app, attempt) -> str:
    """Run one unit of work as a request would; return 'ok', 'conflict' or the error's name."""
    with app.app_context():
        try:
            begin_write(db.session)
            attempt()
            db.session.commit()
            return "ok"
        except SlotTaken:
            db.session.rollback()
            return "conflict"
        except Exception as error:  # noqa: BLE001 - the test counts every other outcome as a failure
            db.session.rollback()
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


def race(app, attempts: list) -> Counter:
    """Run ``attempts`` on THREADS threads released together; count the outcomes."""
    # A timeout turns a stuck worker into a failure with a traceback instead of a hung suite.
    barrier = threading.Barrier(THREADS, timeout=120)
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def worker(share):
        barrier.wait()
        for attempt in share:
            outcome = run_attempt(app, attempt)
            with lock:
                outcomes[outcome] += 1

    threads = [threading.Thread(target=worker, args=(attempts[n::THREADS],)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def booking_attempt(patient_id: int, starts_at: datetime, chiropractor_id: int | None = 1, code="sports_massage_30"):
    def attempt():
        book_appointment(
            db.session,
            patient=db.session.get(Patient, patient_id),
            appointment_type=db.session.scalar(select(AppointmentType).where(AppointmentType.code == code)),
            starts_at=starts_at,
            chiropractor_id=chiropractor_id,
            source=BookingSource.API,
            policy=STAFF_POLICY,
            now=NOW,
        )

    return attempt


@pytest.fixture
def patients(app):
    seed_clinic(db.session)
    db.session.add_all(
        Patient(first_name="Racer", last_name=str(n), date_of_birth=date(1990, 1, 1), created_source="online")
        for n in range(ATTEMPTS_PER_ROUND)
    )
    db.session.commit()
    return list(db.session.scalars(select(Patient.id).order_by(Patient.id)))


def active_at(starts_at: datetime, chiropractor_id: int = 1) -> int:
    db.session.rollback()  # a fresh snapshot: the workers committed after this session last read
    return len(
        db.session.scalars(
            select(Appointment.id).where(
                Appointment.chiropractor_id == chiropractor_id,
                Appointment.status != "cancelled",
                Appointment.starts_at < starts_at + timedelta(minutes=30),
                Appointment.buffer_ends_at > starts_at,
            )
        ).all()
    )


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_two_hundred_attempts_on_one_slot_give_one_booking(app, patients, round_number):
    starts_at = slot(round_number)
    outcomes = race(app, [booking_attempt(patient_id, starts_at) for patient_id in patients])
    assert outcomes == Counter(ok=1, conflict=ATTEMPTS_PER_ROUND - 1)
    assert active_at(starts_at) == 1


def test_chiropractors_racing_for_the_one_decompression_table_give_one_booking(app, patients):
    # Each chiropractor is free; only the table is shared. Refusals must all say so.
    starts_at = slot(0)
    attempts = [
        booking_attempt(patient_id, starts_at, chiropractor_id=1 + n % 4, code="decompression")
        for n, patient_id in enumerate(patients)
    ]
    outcomes = race(app, attempts)
    assert outcomes == Counter(ok=1, conflict=ATTEMPTS_PER_ROUND - 1)
    db.session.rollback()
    booked = db.session.scalars(select(Appointment).where(Appointment.status != "cancelled")).all()
    assert len(booked) == 1 and booked[0].resource_id is not None


def test_partial_overlaps_race_and_only_compatible_ones_win(app, patients):
    # Starts every 5 minutes from 08:45 to 09:15 for 30-minute massages: whichever wins, no two
    # booked ranges may overlap, and back-to-back ones (08:45 + 09:15) may both win.
    starts = [datetime(2026, 12, 1, 8, 45, tzinfo=AMS) + timedelta(minutes=5 * (n % 7)) for n in range(140)]
    outcomes = race(app, [booking_attempt(patients[n], start) for n, start in enumerate(starts)])
    assert set(outcomes) <= {"ok", "conflict"}
    db.session.rollback()
    booked = sorted(
        db.session.execute(
            select(Appointment.starts_at, Appointment.buffer_ends_at).where(Appointment.status != "cancelled")
        ).all()
    )
    assert len(booked) == outcomes["ok"] and len(booked) in (1, 2)
    assert all(earlier.buffer_ends_at <= later.starts_at for earlier, later in zip(booked, booked[1:]))


def test_cancel_then_rebook_races_have_one_winner(app, patients):
    starts_at = slot(0)
    assert run_attempt(app, booking_attempt(patients[0], starts_at)) == "ok"
    db.session.rollback()
    appointment_id = db.session.scalar(select(Appointment.id))

    def cancel():
        change_status(
            db.session, db.session.get(Appointment, appointment_id), AppointmentAction.CANCELLED,
            source=BookingSource.FRONTDESK, now=NOW, reason="moved away",
        )

    assert run_attempt(app, cancel) == "ok"
    outcomes = race(app, [booking_attempt(patient_id, starts_at) for patient_id in patients[1:101]] * 2)
    assert outcomes == Counter(ok=1, conflict=199)
    assert active_at(starts_at) == 1
    assert db.session.get(Appointment, appointment_id).status == "cancelled"


def test_rescheduling_races_into_one_free_slot_have_one_winner(app, patients):
    # Fifty appointments spread over the next week, all moved at once into the same free slot.
    target = datetime(2026, 12, 1, 11, 0, tzinfo=AMS)
    massage = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
    free = find_free_slots(
        db.session, massage, date(2026, 12, 2), date(2026, 12, 8), policy=STAFF_POLICY, now=NOW, chiropractor_id=1
    )
    starts = [s.start for s in free if s.start.minute in (0, 30)][:THREADS]
    for patient_id, start in zip(patients, starts):
        assert run_attempt(app, booking_attempt(patient_id, start)) == "ok"
    db.session.rollback()
    ids = list(db.session.scalars(select(Appointment.id)))

    def move(appointment_id):
        def attempt():
            appointment = db.session.get(Appointment, appointment_id)
            reschedule_appointment(db.session, appointment, target, source=BookingSource.FRONTDESK, policy=STAFF_POLICY, now=NOW)

        return attempt

    outcomes = race(app, [move(appointment_id) for appointment_id in ids])
    assert outcomes == Counter(ok=1, conflict=THREADS - 1)
    assert active_at(target) == 1


def book_from_another_process(database_url: str, patient_ids: list[int], starts_at: datetime, barrier) -> Counter:
    app = create_app(config_for(database_url))
    barrier.wait()
    outcomes = Counter(run_attempt(app, booking_attempt(patient_id, starts_at)) for patient_id in patient_ids)
    with app.app_context():
        db.engine.dispose()
    return outcomes


def test_several_processes_racing_for_one_slot_give_one_booking(app, patients):
    processes = 4
    starts_at = slot(0)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        barrier = manager.Barrier(processes, timeout=120)
        with context.Pool(processes) as pool:
            shares = [patients[n::processes] for n in range(processes)]
            # A timeout: a crashed worker would otherwise leave the pool waiting forever.
            results = pool.starmap_async(
                book_from_another_process, [(url, share, starts_at, barrier) for share in shares]
            ).get(timeout=300)
    outcomes = sum(results, Counter())
    assert outcomes == Counter(ok=1, conflict=ATTEMPTS_PER_ROUND - 1)
    assert active_at(starts_at) == 1
