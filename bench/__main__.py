"""The benchmark: ``python -m bench [--quick]`` (or ``make bench``); see README, "Benchmark".

Builds (or reuses) a seeded clinic database, serves the app with gunicorn on loopback, drives it
from a second process (``bench.load``) and prints, per endpoint, requests per second, p50 and p99
latency, errors, and throughput as a ratio to a minimal Flask app under the same server and load.
SQLite by default; PostgreSQL when ``DATABASE_URL`` is set (that database is dropped and recreated,
and cached databases named after it are kept beside it).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from http.client import HTTPConnection
from importlib.metadata import version
from pathlib import Path
from statistics import median

import gunicorn
import sqlalchemy as sa

from bench import dataset
from clinic.localtime import to_local, utcnow
from clinic.models import Role
from clinic.services.accounts import create_user, issue_api_token
from config import database_url

ROOT = Path(__file__).resolve().parent.parent
FRONTDESK_EMAIL = "balie@bench.example.nl"
FRONTDESK_PASSWORD = "bench-password-not-secret"
SLOT_TYPE = "sports_massage_30"  # a 30-minute type open to online booking
TABLE_TYPE = dataset.TABLE_TYPE  # needs the clinic's one decompression table
CHIROPRACTOR_EMAIL = "chiropractor@bench.example.nl"
TABLE_AVAILABILITY = "GET /api/v1/availability, decompression"
TABLE_COST_TARGET = 1.10  # a cached answer for the table's type ÷ one for a type without a resource, CPU
TARGETS = {"availability": 0.25, "booking": 0.10, "day view": 0.20}
AVAILABILITY_P99_MS = 25.0
UNCACHED = "GET /api/v1/availability, no cache"
TABLE_UNCACHED = "GET /api/v1/availability, decompression, no cache"
READINESS = "GET /api/v1/patients/<id>/readiness"
# What the desk types: part of a name (many matches, 25 shown), name and birth year, a phone number
# in two notations, an e-mail address, a birth date. Each patient shown is a row in the access log.
PATIENT_QUERIES = ("jans", "Sanne+de+Vr", "Emma+1970", "0610000042", "%2B31+6+1000+0042",
                   "patient42%40example.nl", "17-05-1990")
FIRST_BASELINE = "baseline (minimal Flask), first"
LAST_BASELINE = "baseline (minimal Flask), last"
SCALING_TARGET = 1.2
SCALING_TURNS = 10
SCALING_SECONDS_PER_TURN = 0.3  # of the endpoint duration: 3 s per turn by default


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL")
    target = dataset.Target(database_url(url, "") if url else None)
    size = dataset.QUICK if args.quick else dataset.CLINIC
    duration = args.duration or (3 if args.quick else 10)
    print(environment(target))
    print("Availability cache: on (the default) except in the rows and checks marked 'no cache'.")
    print("Rate limits: switched off in the served app (RATELIMIT_ENABLED=0): the bench measures the app,")
    print("not Flask-Limiter refusing one address; the shared-limit check is tests/scaleout/.")
    print("Load generator: bench/load.py (Python asyncio, keep-alive, one process), not wrk.")
    print(f"Load: {args.connections} connections, {duration} s per endpoint after 1 s warm-up.\n")

    # Measured before and after the app, and the faster of the two counts: a burst of other work
    # on the machine during one baseline run would otherwise flatter every ratio.
    results = {FIRST_BASELINE: measure_baseline(args.connections, duration)}
    results.update(measure_clinic(target, size, args.connections, duration))
    results[LAST_BASELINE] = measure_baseline(args.connections, duration)
    baseline_rps = max(results[FIRST_BASELINE]["rps"], results[LAST_BASELINE]["rps"])
    print_table(results, baseline_rps)
    check_targets(results, baseline_rps)
    if not args.skip_scaling and not args.quick:
        scaling(target, duration)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small database, 3 s per endpoint, no scaling check")
    parser.add_argument("--duration", type=float, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--skip-scaling", action="store_true", help="leave out the 1,000,000-appointment check")
    return parser.parse_args()


def environment(target: dataset.Target) -> str:
    if target.is_postgres:
        with target.server() as connection:  # the database itself may not exist yet
            server = connection.exec_driver_sql("SHOW server_version").scalar()
        database = f"PostgreSQL {server} ({sa.make_url(target.url).render_as_string(hide_password=True)})"
    else:
        database = f"SQLite {sqlite3.sqlite_version} (WAL)"
    return (
        f"Database: {database}\n"
        f"Python {platform.python_version()}, gunicorn {gunicorn.__version__}, Flask {version('flask')}, "
        f"SQLAlchemy {sa.__version__}; {os.cpu_count()} CPUs; {platform.platform()}"
    )


# --- Serving ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


@contextmanager
def served(app: str, env: dict[str, str] | None = None):
    """Run gunicorn with production's settings for ``app`` on a free loopback port; yield it once every worker is ready."""
    port = free_port()
    with tempfile.TemporaryDirectory() as ready_dir:
        environment = {
            # Two workers, as production runs with shared rate-limit counters; the limits are off
            # here, so gunicorn.conf.py allows more than one worker with per-process counters.
            "GUNICORN_WORKERS": "2", **os.environ, "RATELIMIT_ENABLED": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning", "BENCH_READY_DIR": ready_dir,
            **(env or {}),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "bench" / "gunicorn_bench.conf.py"), app],
            cwd=ROOT, env=environment,
        )
        try:
            wait_until_ready(Path(ready_dir), server, int(environment["GUNICORN_WORKERS"]))
            yield Server(port, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_ready(ready_dir: Path, server: subprocess.Popen, workers: int) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        if len(list(ready_dir.iterdir())) >= workers:
            return
        time.sleep(0.1)
    raise SystemExit("gunicorn's workers were not ready within 60 s")


def clinic_env(url: str, *, cache: bool = True) -> dict[str, str]:
    """Return the served app's settings: production, the availability cache on or off (`served` turns rate limits off)."""
    return {
        "CLINIC_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
        "RECORDS_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url,
        "MAIL_TRANSPORT": "log", **({} if cache else {"AVAILABILITY_CACHE_SIZE": "0"}),
    }


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) used so far by process ``pid`` and its descendants."""
    ticks = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            # The command name in parentheses may hold spaces; the fields after it are fixed.
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
        pending.extend(int(child) for child in children)
    return ticks / os.sysconf("SC_CLK_TCK")


def load(server: Server, requests: list, *, connections: int, duration: float, each_once: bool = False) -> dict:
    """Drive the server from a second process (bench.load); return its figures.

    Besides the load generator's figures, ``cpu_ms`` is the server's CPU time per answered
    request (warm-up included on both sides): unlike requests per second, it hardly depends on
    what else the machine's cores are doing.
    """
    spec = {
        "host": "127.0.0.1", "port": server.port, "connections": connections, "duration": duration,
        "warmup": 0 if each_once else 1, "requests": requests, "each_once": each_once,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json") as spec_file:
        json.dump(spec, spec_file)
        spec_file.flush()
        cpu_before = cpu_seconds(server.pid)
        done = subprocess.run(
            [sys.executable, "-m", "bench.load", spec_file.name], cwd=ROOT, capture_output=True, text=True, check=True
        )
        cpu_used = cpu_seconds(server.pid) - cpu_before
    result = json.loads(done.stdout)
    result["cpu_ms"] = round(1000 * cpu_used / result["answered"], 2) if result["answered"] else float("nan")
    return result


def get(port: int, path: str, headers: dict | None = None):
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


# --- The measurements ---------------------------------------------------------------------------


def measure_baseline(connections: int, duration: float) -> dict:
    with served("bench.baseline:app") as server:
        return load(server, [["GET", "/", {}, ""]], connections=connections, duration=duration)


def measure_clinic(target: dataset.Target, size: dataset.Size, connections: int, duration: float) -> dict:
    url = dataset.ensure(target, size)
    add_frontdesk_account(url)
    api_token, readiness_patients = add_chiropractor_account(url)
    today = to_local(utcnow()).date()
    availability = availability_requests(SLOT_TYPE, today)
    table_availability = availability_requests(TABLE_TYPE, today)
    readiness = [
        ["GET", f"/api/v1/patients/{patient_id}/readiness", {"Authorization": f"Bearer {api_token}"}, ""]
        for patient_id in readiness_patients
    ]
    results = {}
    with served("wsgi:app", clinic_env(url)) as server:
        port = server.port
        warm_up(server, availability + table_availability + readiness, connections, duration)
        results["GET /api/v1/availability"] = load(server, availability, connections=connections, duration=duration)
        results[TABLE_AVAILABILITY] = load(server, table_availability, connections=connections, duration=duration)
        results[READINESS] = load(server, readiness, connections=connections, duration=duration)
        cookie = log_in(port)
        workdays = [day for day in (today + timedelta(days=n) for n in range(7)) if day.weekday() < 5]
        day_views = [["GET", f"/frontdesk/?date={day}", {"Cookie": cookie}, ""] for day in workdays]
        results["GET /frontdesk/ (day view)"] = load(server, day_views, connections=connections, duration=duration)
        searches = [["GET", f"/frontdesk/patients?q={query}", {"Cookie": cookie}, ""] for query in PATIENT_QUERIES]
        results["GET /frontdesk/patients?q= (search)"] = load(server, searches, connections=connections,
                                                              duration=duration)
        bookings = booking_requests(port, today, wanted=int(300 * duration))
        booked = load(server, bookings, connections=connections, duration=duration * 3, each_once=True)
        booked["double_bookings"] = dataset.double_bookings(url)
        results["POST /api/v1/bookings"] = booked
    # Every answer computed afresh: what a request costs when the schedule has just changed.
    with served("wsgi:app", clinic_env(url, cache=False)) as server:
        warm_up(server, availability + table_availability, connections, duration)
        results[UNCACHED] = load(server, availability, connections=connections, duration=duration)
        results[TABLE_UNCACHED] = load(server, table_availability, connections=connections, duration=duration)
    return results


def warm_up(server: Server, requests: list, connections: int, duration: float) -> None:
    """Send ``requests`` unmeasured: each worker's first requests do one-time work (templates,
    connections, imports), which would otherwise fall on whichever endpoint is measured first."""
    load(server, requests, connections=connections, duration=duration / 2)


def availability_requests(type_code: str, today: date) -> list:
    """Return availability requests for ``type_code``, any chiropractor, 14 days from each of the coming seven days."""
    return [
        ["GET", f"/api/v1/availability?type={type_code}&from={day}&to={day + timedelta(days=13)}", {}, ""]
        for day in (today + timedelta(days=n) for n in range(1, 8))
    ]


def add_frontdesk_account(url: str) -> None:
    app = dataset.app_for(url)
    with app.app_context():
        from clinic.extensions import db

        create_user(db.session, FRONTDESK_EMAIL, FRONTDESK_PASSWORD, Role.FRONTDESK)
        db.session.commit()
        db.engine.dispose()


def add_chiropractor_account(url: str) -> tuple[str, list[int]]:
    """Add a chiropractor's account with an API token; return the token and the patients who keep a training log."""
    app = dataset.app_for(url)
    with app.app_context():
        from clinic.extensions import db
        from clinic.models import Chiropractor, PatientReadinessProfile

        chiropractor = db.session.scalars(sa.select(Chiropractor).order_by(Chiropractor.id)).first()
        user = create_user(db.session, CHIROPRACTOR_EMAIL, FRONTDESK_PASSWORD, Role.CHIROPRACTOR, chiropractor)
        token = issue_api_token(db.session, user)
        patients = list(db.session.scalars(
            sa.select(PatientReadinessProfile.patient_id).order_by(PatientReadinessProfile.patient_id)))
        db.session.commit()
        db.engine.dispose()
    return token, patients


def log_in(port: int) -> str:
    """Log in through the real form (CSRF token included); return the session's Cookie header."""
    response, body = get(port, "/login")
    cookie = session_cookie(response)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    connection = HTTPConnection("127.0.0.1", port, timeout=60)
    form = f"csrf_token={token}&email={FRONTDESK_EMAIL}&password={FRONTDESK_PASSWORD}"
    connection.request(
        "POST", "/login", body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 302:
        raise SystemExit(f"logging in as the front desk failed: {response.status}")
    return session_cookie(response)


def session_cookie(response) -> str:
    """Return 'session=…' from the response's Set-Cookie headers (the raw client sends it over plain HTTP)."""
    return next(c.split(";")[0] for c in response.msg.get_all("Set-Cookie") if c.startswith("session="))


def booking_requests(port: int, today: date, *, wanted: int) -> list:
    """Return POST requests for distinct free slots (as the availability API lists them), one new patient each."""
    slots = []
    day = today + timedelta(days=1)
    while len(slots) < wanted and day < today + timedelta(weeks=7):
        response, body = get(port, f"/api/v1/availability?type={SLOT_TYPE}&from={day}&to={day + timedelta(days=13)}")
        slots.extend(json.loads(body)["slots"])
        day += timedelta(days=14)
    requests = []
    for number, slot in enumerate(slots[:wanted]):
        body = {
            "type": SLOT_TYPE, "chiropractor_id": slot["chiropractor_id"], "start": slot["start"], "consent": True,
            "patient": {
                "first_name": "Bench", "last_name": f"Patient {number}", "date_of_birth": "1990-05-17",
                "email": f"bench{number}@example.nl", "phone": "0612345678",
            },
        }
        requests.append(["POST", "/api/v1/bookings", {"Content-Type": "application/json"}, json.dumps(body)])
    return requests


# --- Reporting ----------------------------------------------------------------------------------


def errors_of(result: dict) -> int:
    expected = {"200", "201", "409"}
    return sum(n for code, n in result["statuses"].items() if code not in expected) + sum(result["failures"].values())


def print_table(results: dict, baseline_rps: float) -> None:
    print(
        f"{'endpoint':50} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7} {'ratio':>6} "
        f"{'CPU ms':>7}  statuses"
    )
    for name, result in results.items():
        ratio = result["rps"] / baseline_rps if baseline_rps else float("nan")
        print(
            f"{name:50} {result['rps']:8.1f} {result['p50_ms']:8.2f} {result['p99_ms']:8.2f} "
            f"{result['requests']:9d} {errors_of(result):7d} {ratio:6.2f} {result['cpu_ms']:7.2f}  {result['statuses']}"
        )
    print("ratio: req/s ÷ the faster of the two baseline runs.")
    print("CPU ms: the server's CPU time (all gunicorn processes, user + system) per answered request.")
    booked = results["POST /api/v1/bookings"]
    print(f"\nDouble bookings after the booking run (query over every active appointment): {booked['double_bookings']}")


def check_targets(results: dict, baseline_rps: float) -> None:
    availability = results["GET /api/v1/availability"]
    booked = results["POST /api/v1/bookings"]
    day_view = results["GET /frontdesk/ (day view)"]
    table_cost = results[TABLE_AVAILABILITY]["cpu_ms"] / availability["cpu_ms"]
    five_xx = sum(n for code, n in booked["statuses"].items() if code.startswith("5"))
    checks = [
        (f"availability ≥ {TARGETS['availability']} of baseline", availability["rps"] / baseline_rps >= TARGETS["availability"]),
        (f"availability p99 ≤ {AVAILABILITY_P99_MS:g} ms", availability["p99_ms"] <= AVAILABILITY_P99_MS),
        (f"booking ≥ {TARGETS['booking']} of baseline", booked["rps"] / baseline_rps >= TARGETS["booking"]),
        ("booking: only 201 or 409, zero 5xx", five_xx == 0 and errors_of(booked) == 0),
        ("zero double bookings", booked["double_bookings"] == 0),
        (f"day view ≥ {TARGETS['day view']} of baseline", day_view["rps"] / baseline_rps >= TARGETS["day view"]),
        (f"a cached answer for the table's type ≤ {TABLE_COST_TARGET:g} × one for a type without it "
         f"(CPU ms; {table_cost:.2f})", table_cost <= TABLE_COST_TARGET),
    ]
    print("\nTargets:")
    for name, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'}  {name}")


def scaling(target: dataset.Target, duration: float) -> None:
    """Availability latency with ~1,000,000 appointments of history ÷ with ~10,000 (same chain, same future).

    One connection, so each figure is a request's own latency: with several, how gunicorn's two
    workers happen to share the connections (2 + 2 or 4 + 0) doubled the p50 from one run to the
    next. Both databases are served at once and measured in turns (small, large, large, small, …),
    so a change in the machine's load falls on both alike; the medians of the turns count. Measured
    for a type without a resource and for the one that needs the decompression table, whose
    history (a table shared by 40 chiropractors) grows with the chain's.
    """
    turn_seconds = duration * SCALING_SECONDS_PER_TURN
    print("\nScaling: a chain of 40 chiropractors; availability of one chiropractor, 14 days, one connection,")
    print("the availability cache off (AVAILABILITY_CACHE_SIZE=0): every answer read from the database;")
    print(f"{SCALING_TURNS} turns of {turn_seconds:g} s per database, alternating")
    today = to_local(utcnow()).date()
    sizes = (dataset.CHAIN_SMALL, dataset.CHAIN_LARGE)
    urls = {size: dataset.ensure(target, size, writable=False) for size in sizes}
    history = {size: count_history(urls[size]) for size in sizes}
    with served("wsgi:app", clinic_env(urls[sizes[0]], cache=False)) as small, \
            served("wsgi:app", clinic_env(urls[sizes[1]], cache=False)) as large:
        servers = dict(zip(sizes, (small, large)))
        for type_code in (SLOT_TYPE, TABLE_TYPE):
            requests = [
                ["GET", f"/api/v1/availability?type={type_code}&chiropractor={chiropractor}"
                 f"&from={today + timedelta(days=1)}&to={today + timedelta(days=14)}", {}, ""]
                for chiropractor in (1, 2, 3, 4)
            ]
            turns: dict[dataset.Size, list[dict]] = {size: [] for size in sizes}
            for turn in range(SCALING_TURNS):
                for size in sizes if turn % 2 == 0 else reversed(sizes):
                    turns[size].append(load(servers[size], requests, connections=1, duration=turn_seconds))
            p50 = {size: median(result["p50_ms"] for result in turns[size]) for size in sizes}
            cpu = {size: median(result["cpu_ms"] for result in turns[size]) for size in sizes}
            print(f"  {type_code}:")
            for size in sizes:
                each = ", ".join(f"{result['p50_ms']:.2f}" for result in turns[size])
                print(
                    f"    {history[size]:9,d} past appointments: p50 {p50[size]:.2f} ms (turns: {each}), "
                    f"{cpu[size]:.2f} CPU ms per request"
                )
            ratio = p50[sizes[1]] / p50[sizes[0]]
            met = "met" if ratio <= SCALING_TARGET else "NOT MET"
            print(f"    p50 ratio 1M / 10k: {ratio:.2f} (target ≤ {SCALING_TARGET}: {met}); "
                  f"CPU per request 1M / 10k: {cpu[sizes[1]] / cpu[sizes[0]]:.2f}")


def count_history(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM appointments WHERE status <> 'booked'").scalar()
    engine.dispose()
    return total


if __name__ == "__main__":
    main()
