"""Build a realistic clinic database for the benchmark, from a seeded random generator.

A chiropractor's working day is filled the way a busy practice fills it: mostly follow-ups, some
massages and dry needling, an intake now and then, a gap here and there. Five years of history are
completed, a few were no-shows or cancelled; the coming eight weeks are booked, fullest next week.
The clinic closes on public holidays and for a training afternoon each quarter (and once in each of
the coming two weeks); the one decompression table is never booked twice at once. A few hundred
patients keep a training log and daily check-ins and were screened, for the readiness request.
Rows go in through SQLAlchemy Core in large batches (no ORM objects), and still pass every rule of
the database: the generator never lets a chiropractor's or a patient's appointments overlap, so the
exclusion constraints (PostgreSQL) and triggers (SQLite) accept them all.

Built databases are kept (a SQLite file under ``instance/bench/``, a PostgreSQL database next to the
one given) under a name made of the generator's version, the seed and the size, and reused.
"""
from __future__ import annotations

import io
import random
import re
import shutil
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from clinic import create_app
from clinic.extensions import db
from clinic.localtime import combine, to_local, utcnow
from clinic.models import (
    Appointment,
    AppointmentType,
    Chiropractor,
    Patient,
    PatientReadinessProfile,
    PatientSearchTerm,
    TrainingSession,
    WellnessCheckIn,
    WorkingHours,
)
from clinic.patient_search import search_terms
from clinic.services.seed import CHIROPRACTORS, STANDARD_HOURS, WORKDAYS, seed_clinic
from config import INSTANCE_DIR, TestingConfig

# Bump when the generated data changes: cached databases of another version are rebuilt.
GENERATOR_VERSION = 5
SEED = 20261130
BENCH_DIR = INSTANCE_DIR / "bench"
HISTORY_YEARS = 5
FUTURE_WEEKS = 8
BATCH = 20_000

# How often each type is booked, and how a day's schedule leaves room: a gap of a quarter hour.
TYPE_WEIGHTS = {
    "follow_up": 70, "sports_massage_30": 10, "dry_needling": 7, "decompression": 5,
    "sports_massage_60": 3, "intake": 5,
}
GAP_CHANCE = 0.06
TABLE_TYPE = "decompression"  # the type that needs the clinic's one decompression table
# Taken instead of decompression when the clinic's one table is in use then.
TABLE_TAKEN_FALLBACK = "follow_up"
READINESS_PATIENTS = 400
TRAINING_DAYS = 42
CHECK_IN_DAYS = 14
PAST_OUTCOMES = (("completed", 90), ("no_show", 3), ("cancelled", 7))


@dataclass(frozen=True)
class Size:
    """What to build: chiropractors, patients, days of history, and how full the future is."""

    name: str
    chiropractors: int
    patients: int
    history_days: int

    @property
    def key(self) -> str:
        # The data is laid around the day it is built (history before it, bookings after): built in
        # another week, its coming weeks would be past. So each week of the app's clock builds anew.
        year, week, _ = to_local(utcnow()).date().isocalendar()
        return f"v{GENERATOR_VERSION}-s{SEED}-{self.name}-{year}w{week:02d}"


# The four chiropractors' clinic with five years of history (~100,000 appointments).
CLINIC = Size("clinic", chiropractors=4, patients=20_000, history_days=round(365.25 * HISTORY_YEARS))
# The scaling pair: a chain of 40, with ~10,000 and ~1,000,000 appointments of history.
CHAIN_SMALL = Size("chain-10k", chiropractors=40, patients=20_000, history_days=20)
CHAIN_LARGE = Size("chain-1m", chiropractors=40, patients=60_000, history_days=2120)
QUICK = Size("quick", chiropractors=4, patients=2_000, history_days=60)


class Target:
    """Where the benchmark's databases live: SQLite files, or PostgreSQL databases on one server."""

    def __init__(self, database_url: str | None):
        self.url = database_url
        self.is_postgres = bool(database_url)

    def cached_url(self, size: Size) -> str:
        if self.is_postgres:
            return str(sa.make_url(self.url).set(database=self._cache_name(size)))
        return f"sqlite:///{BENCH_DIR / (size.key + '.db')}"

    def _cache_name(self, size: Size) -> str:
        base = sa.make_url(self.url).database
        return f"{base}_{size.key}".replace("-", "_")

    def has(self, size: Size) -> bool:
        if not self.is_postgres:
            return (BENCH_DIR / f"{size.key}.db").exists()
        with self.server() as admin:
            return admin.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": self._cache_name(size)}
            ).scalar() is not None

    def create_empty(self, size: Size) -> str:
        """Return the URL of an empty database to build ``size`` in; ``finish`` makes it the cached one."""
        if self.is_postgres:
            name = self._cache_name(size) + "_partial"
            with self.server() as admin:
                admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.exec_driver_sql(f'CREATE DATABASE "{name}"')
            return str(sa.make_url(self.url).set(database=name))
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        partial = BENCH_DIR / f"{size.key}.partial.db"
        partial.unlink(missing_ok=True)
        return f"sqlite:///{partial}"

    def finish(self, size: Size) -> None:
        """Make the database built by ``create_empty`` the cached one (a build cut short leaves none)."""
        if self.is_postgres:
            name = self._cache_name(size)
            with self.server() as admin:
                admin.exec_driver_sql(f'ALTER DATABASE "{name}_partial" RENAME TO "{name}"')
        else:
            (BENCH_DIR / f"{size.key}.partial.db").rename(BENCH_DIR / f"{size.key}.db")

    def forget_other_weeks(self, size: Size) -> None:
        """Delete the databases of ``size`` cached in other weeks or by an older generator."""
        pattern = re.compile(rf"v\d+-s\d+-{re.escape(size.name)}(-\d{{4}}w\d{{2}})?")
        if self.is_postgres:
            prefix = f"{sa.make_url(self.url).database}_"
            with self.server() as admin:
                names = list(admin.execute(sa.text("SELECT datname FROM pg_database")).scalars())
                for name in names:
                    stale = name.startswith(prefix) and name != self._cache_name(size)
                    if stale and pattern.fullmatch(name.removeprefix(prefix).replace("_", "-")):
                        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        for path in BENCH_DIR.glob("*.db"):
            if path.name != f"{size.key}.db" and pattern.fullmatch(path.stem):
                path.unlink()

    def working_copy(self, size: Size) -> str:
        """Return the URL of a fresh copy of the cached database, for a run that writes to it."""
        if self.is_postgres:
            name = sa.make_url(self.url).database
            with self.server() as admin:
                admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._cache_name(size)}"')
            return self.url
        copy = BENCH_DIR / "run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(BENCH_DIR / f"{size.key}.db", copy)
        return f"sqlite:///{copy}"

    @contextmanager
    def server(self):
        """Yield a connection to the PostgreSQL server's maintenance database (autocommit)."""
        engine = sa.create_engine(sa.make_url(self.url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


def ensure(target: Target, size: Size, *, log=print, writable: bool = True) -> str:
    """Build the database of this size unless a cached one exists; return its URL.

    ``writable``: a fresh working copy (one at a time); otherwise the cached database itself, for
    runs that only read, several of which may be served at once.
    """
    if not target.has(size):
        log(f"building the {size.name} database (seed {SEED}, generator v{GENERATOR_VERSION}) …")
        build(target.create_empty(size), size, log=log)
        target.finish(size)
        target.forget_other_weeks(size)
    else:
        # A database cached before a later migration gets it now, as production's would.
        migrate(target.cached_url(size))
    return target.working_copy(size) if writable else target.cached_url(size)


def app_for(url: str):
    """Return the clinic app bound to ``url`` (testing settings: cheap password hashes)."""
    return create_app(type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


def migrate(url: str) -> None:
    """Bring the database at ``url`` to the newest migration."""
    app = app_for(url)
    with app.app_context(), redirect_stderr(io.StringIO()):  # Alembic logs every revision it applies
        upgrade()
        db.engine.dispose()


def build(url: str, size: Size, *, log=print) -> None:
    """Migrate an empty database at ``url`` and fill it as ``size`` says."""
    migrate(url)
    app = app_for(url)
    with app.app_context():
        session = db.session
        seed_clinic(session)
        add_chain(session, size.chiropractors)
        session.commit()
        rng = random.Random(SEED)
        patient_ids = add_patients(session, rng, size.patients)
        types = {t.code: t for t in session.scalars(sa.select(AppointmentType))}
        chiropractor_ids = list(session.scalars(sa.select(Chiropractor.id).order_by(Chiropractor.id)))
        today = to_local(utcnow()).date()
        first = today - timedelta(days=size.history_days)
        last = today + timedelta(weeks=FUTURE_WEEKS)
        closed = closed_blocks(first, last, today)
        add_closures(session, closed)
        with bulk_load_of_appointments(session):
            count = add_appointments(session, rng, chiropractor_ids, patient_ids, types, first, today, last, closed)
        add_readiness_data(session, rng, patient_ids[:READINESS_PATIENTS], today)
        session.commit()
        db.engine.dispose()
    vacuum(url)
    log(f"  {size.chiropractors} chiropractors, {size.patients} patients, {count} appointments")


@contextmanager
def bulk_load_of_appointments(session):
    """On PostgreSQL, load appointments without their per-statement work, then restore it.

    The exclusion constraints are dropped and added again after the load: adding one checks every
    row at once (and builds its GiST index in bulk), where checking row by row takes half an hour
    for a million rows. The schedule-revision trigger is disabled for the load and the revision
    raised once after it: the driver sends one INSERT per row, and a million updates of the one
    revision row in one transaction leave a chain of row versions that each update walks again.
    SQLite keeps its triggers.
    """
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    constraints = session.execute(sa.text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = 'appointments'::regclass AND contype = 'x'"
    )).all()
    for name, _ in constraints:
        session.execute(sa.text(f'ALTER TABLE appointments DROP CONSTRAINT "{name}"'))
    session.execute(sa.text("ALTER TABLE appointments DISABLE TRIGGER appointments_bump_schedule_revision"))
    yield
    session.execute(sa.text("ALTER TABLE appointments ENABLE TRIGGER appointments_bump_schedule_revision"))
    session.execute(sa.text("UPDATE schedule_revisions SET value = value + 1 WHERE id = 1"))
    for name, definition in constraints:
        session.execute(sa.text(f'ALTER TABLE appointments ADD CONSTRAINT "{name}" {definition}'))


def vacuum(url: str) -> None:
    """Do what autovacuum would soon do on PostgreSQL: statistics, and the visibility map that
    index-only scans need. (SQLite is left as an application leaves it: without ANALYZE.)"""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def add_chain(session, total: int) -> None:
    """Add chiropractors after the clinic's own four until there are ``total``, with standard hours."""
    for number in range(len(CHIROPRACTORS) + 1, total + 1):
        session.add(
            Chiropractor(
                name=f"Chiropractor {number}", slug=f"chain-{number}",
                working_hours=[
                    WorkingHours(weekday=weekday, start_time=start, end_time=end, valid_from=date(2000, 1, 1))
                    for weekday in WORKDAYS
                    for start, end in STANDARD_HOURS
                ],
            )
        )
    # The seeded hours begin in 2026; history goes back further.
    session.execute(sa.update(WorkingHours).values(valid_from=date(2000, 1, 1)))


FIRST_NAMES = ("Sanne", "Daan", "Emma", "Lucas", "Julia", "Sem", "Tess", "Milan", "Anna", "Finn", "Eva", "Noah")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos")


def add_patients(session, rng: random.Random, count: int) -> list[int]:
    """Insert ``count`` patients in batches, with the terms they are found by; return their ids."""
    now = utcnow()
    rows = [
        {
            "first_name": rng.choice(FIRST_NAMES), "last_name": rng.choice(LAST_NAMES),
            "date_of_birth": date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65)),
            "email": f"patient{number}@example.nl", "phone": f"+3161{number:07d}",
            "preferred_language": "nl", "sport": "", "created_source": "frontdesk",
            "created_at": now, "updated_at": now,
        }
        for number in range(count)
    ]
    for start in range(0, count, BATCH):
        session.execute(sa.insert(Patient.__table__), rows[start:start + BATCH])
    ids = list(session.scalars(sa.select(Patient.id).order_by(Patient.id)))
    # A bulk insert passes by the model's events, which keep the terms for every other insert.
    terms = [
        {"patient_id": patient_id, "term": term}
        for patient_id, row in zip(ids, rows)
        for term in search_terms(first_name=row["first_name"], last_name=row["last_name"],
                                 date_of_birth=row["date_of_birth"], email=row["email"], phone=row["phone"],
                                 postcode="")
    ]
    for start in range(0, len(terms), BATCH):
        session.execute(sa.insert(PatientSearchTerm.__table__), terms[start:start + BATCH])
    return ids


def add_appointments(session, rng, chiropractor_ids, patient_ids, types, first: date, today: date, last: date,
                     closed: dict[date, set[int]]) -> int:
    """Fill every workday from ``first`` to ``last`` but its ``closed`` blocks; return how many appointments were inserted."""
    weights = list(TYPE_WEIGHTS.values())
    occupied = {code: types[code].duration_minutes + types[code].buffer_after_minutes for code in TYPE_WEIGHTS}
    outcomes, outcome_weights = zip(*PAST_OUTCOMES)
    # The generator keeps the table free of overlaps whether or not the schema knows the table
    # (an older commit's, for a before-and-after run), so both get the same appointments.
    table_id = getattr(types[TABLE_TYPE], "resource_id", None)
    keeps_resource = "resource_id" in Appointment.__table__.c
    now = utcnow()
    # A patient comes at most once a day, so a patient's appointments never overlap.
    busy_patients: dict[date, set[int]] = {}
    rows: list[dict] = []
    count = 0
    day = first
    while day <= last:
        if day.weekday() in WORKDAYS:
            busy_today = busy_patients.setdefault(day, set())
            table_in_use: list[tuple[datetime, datetime]] = []
            # The future fills up: next week is nearly full, eight weeks ahead a third.
            weeks_ahead = (day - today).days / 7
            fill = 1.0 if day < today else max(0.3, 0.95 - 0.08 * weeks_ahead)
            for chiropractor_id in chiropractor_ids:
                schedule = day_schedule(rng, day, occupied, weights, fill, closed.get(day, set()), table_in_use)
                for starts_at, type_code in schedule:
                    patient_id = rng.choice(patient_ids)
                    while patient_id in busy_today:
                        patient_id = rng.choice(patient_ids)
                    busy_today.add(patient_id)
                    kind = types[type_code]
                    status = rng.choices(outcomes, outcome_weights)[0] if starts_at < now else "booked"
                    rows.append({
                        "patient_id": patient_id, "chiropractor_id": chiropractor_id, "appointment_type_id": kind.id,
                        "starts_at": starts_at, "ends_at": starts_at + timedelta(minutes=kind.duration_minutes),
                        "buffer_ends_at": starts_at + timedelta(minutes=kind.duration_minutes + kind.buffer_after_minutes),
                        "status": status, "source": "frontdesk", "cancel_reason": "ziek" if status == "cancelled" else "",
                        "cancelled_at": starts_at - timedelta(days=1) if status == "cancelled" else None,
                        "created_at": now, "updated_at": now,
                        **({"resource_id": table_id if type_code == TABLE_TYPE else None} if keeps_resource else {}),
                    })
            busy_patients.pop(day - timedelta(days=1), None)
        if len(rows) >= BATCH:
            session.execute(sa.insert(Appointment.__table__), rows)
            count += len(rows)
            rows = []
        day += timedelta(days=1)
    if rows:
        session.execute(sa.insert(Appointment.__table__), rows)
        count += len(rows)
    return count


def day_schedule(rng: random.Random, day: date, occupied: dict[str, int], weights, fill: float,
                 closed: set[int], table_in_use: list[tuple[datetime, datetime]]):
    """Yield (start, type code) for one chiropractor's local day: back to back, with some gaps.

    ``fill`` is the chance that a place in the day is booked; an unbooked place stays free. The
    blocks of STANDARD_HOURS numbered in ``closed`` stay empty. Decompression is booked only while
    the table is free (``table_in_use``, the day's bookings of it so far, which this extends).
    """
    codes = list(occupied)
    for block, (opens, closes) in enumerate(STANDARD_HOURS):
        if block in closed:
            continue
        cursor = combine(day, opens)
        closing = combine(day, closes)
        while True:
            if rng.random() < GAP_CHANCE:
                cursor += timedelta(minutes=15)
            code = rng.choices(codes, weights)[0]
            if code == TABLE_TYPE and any(
                start < cursor + timedelta(minutes=occupied[code]) and cursor < end for start, end in table_in_use
            ):
                code = TABLE_TAKEN_FALLBACK
            length = timedelta(minutes=occupied[code])
            if cursor + length > closing:
                break
            if rng.random() < fill:
                if code == TABLE_TYPE:
                    table_in_use.append((cursor, cursor + length))
                yield cursor, code
            cursor += length


def closed_blocks(first: date, last: date, today: date) -> dict[date, set[int]]:
    """Return the clinic's closures from ``first`` to ``last``: per workday, the closed blocks of STANDARD_HOURS.

    Each year's public holidays (New Year, Koningsdag, Christmas) close the whole day, a training
    afternoon closes one afternoon a quarter, and the coming two weeks have one of each, so every
    availability request of the bench meets a closure.
    """
    whole_day = set(range(len(STANDARD_HOURS)))
    afternoon = {len(STANDARD_HOURS) - 1}
    closed: dict[date, set[int]] = {}
    for year in range(first.year, last.year + 1):
        for month, day in ((1, 1), (4, 27), (12, 25), (12, 26)):
            closed[date(year, month, day)] = whole_day
        for month in (3, 6, 9, 12):
            closed[next_workday(date(year, month, 10))] = afternoon
    closed[next_workday(today + timedelta(days=4))] = afternoon
    closed[next_workday(today + timedelta(days=9))] = whole_day
    return {day: blocks for day, blocks in closed.items() if first <= day <= last and day.weekday() in WORKDAYS}


def next_workday(day: date) -> date:
    while day.weekday() not in WORKDAYS:
        day += timedelta(days=1)
    return day


def add_closures(session, closed: dict[date, set[int]]) -> None:
    """Insert ``closed`` as clinic closures, one per day, when the schema has them (an older commit's may not)."""
    if not sa.inspect(session.connection()).has_table("clinic_closures"):
        return
    closures = sa.table("clinic_closures", sa.column("starts_at"), sa.column("ends_at"), sa.column("reason"))
    rows = []
    for day, blocks in sorted(closed.items()):
        opens, closes = STANDARD_HOURS[min(blocks)][0], STANDARD_HOURS[max(blocks)][1]
        reason = "Gesloten" if len(blocks) == len(STANDARD_HOURS) else "Scholingsmiddag"
        rows.append({"starts_at": combine(day, opens), "ends_at": combine(day, closes), "reason": reason})
    session.execute(sa.insert(closures), rows)


def add_readiness_data(session, rng: random.Random, patient_ids: list[int], today: date) -> None:
    """Give ``patient_ids`` six weeks of training log, two weeks of check-ins and a screening a month ago."""
    now = utcnow()
    sessions, check_ins, profiles = [], [], []
    for patient_id in patient_ids:
        for days_ago in range(TRAINING_DAYS, 0, -1):
            if rng.random() < 0.55:
                competition = rng.random() < 0.05
                sessions.append({
                    "patient_id": patient_id, "ended_at": combine(today - timedelta(days=days_ago), time(19)),
                    "duration_minutes": rng.randint(35, 110), "rpe": rng.randint(7, 9) if competition else rng.randint(3, 7),
                    "kind": "wedstrijd" if competition else "hardlopen", "is_competition": competition, "created_at": now,
                })
        for days_ago in range(CHECK_IN_DAYS, -1, -1):
            if rng.random() < 0.7:
                check_ins.append({
                    "patient_id": patient_id, "day": today - timedelta(days=days_ago), "sleep": rng.randint(2, 5),
                    "fatigue": rng.randint(2, 5), "stress": rng.randint(1, 4), "soreness": rng.randint(2, 6),
                    "doms": rng.randint(0, 5), "rmssd_ms": float(rng.randint(45, 95)), "created_at": now,
                })
        screened_on = today - timedelta(days=30)
        profiles.append({
            "patient_id": patient_id, "screened_at": combine(screened_on, time(10)),
            "screening_due_on": screened_on + timedelta(days=182), "updated_at": now,
        })
    for model, rows in ((TrainingSession, sessions), (WellnessCheckIn, check_ins), (PatientReadinessProfile, profiles)):
        session.execute(sa.insert(model.__table__), rows)


def double_bookings(url: str) -> int:
    """Count pairs of active appointments of one chiropractor that overlap: the answer must be 0."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        # The later-starting appointment of an overlapping pair starts inside the earlier one.
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM appointments a JOIN appointments b"
            " ON b.chiropractor_id = a.chiropractor_id AND b.id <> a.id"
            " AND b.starts_at >= a.starts_at AND b.starts_at < a.buffer_ends_at"
            " AND (b.starts_at > a.starts_at OR b.id > a.id)"
            " WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'"
        ).scalar()
    engine.dispose()
    return count
