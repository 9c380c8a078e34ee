"""Two app instances (gunicorn, as in docs/deploy.md) against one PostgreSQL database and one Redis.

Bookings spread over both never double-book, and the booking limit counts requests to either.
The test has its own database (``<this worker's database>_scaleout``, emptied before it starts), so
the rest of the suite's PostgreSQL database is never touched by servers it does not control.
Under ``CI=true`` it must run; elsewhere it skips without PostgreSQL or Redis.
"""
from __future__ import annotations

import json
import os
import secrets
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.client import HTTPConnection

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from bench.dataset import double_bookings
from clinic import create_app
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.services.seed import seed_clinic
from tests.conftest import REDIS_URL, config_for, emptied_database, postgres_url, require_redis
from tests.gunicorn_server import free_port, start_gunicorn, wait_until_serving

SLOTS = 6
CONTENDERS_PER_SLOT = 4
BOOKINGS = SLOTS * CONTENDERS_PER_SLOT
SLOT_TYPE = "sports_massage_30"


@pytest.fixture(scope="module")
def database_url():
    """Return the URL of a migrated, seeded PostgreSQL database of this test's own, emptied first."""
    require_redis()
    suite_url = sa.make_url(postgres_url())
    url = emptied_database(suite_url.set(database=f"{suite_url.database}_scaleout"))
    app = create_app(config_for(url))
    with app.app_context():
        upgrade()
        seed_clinic(db.session)
        db.session.commit()
        db.engine.dispose()
    return url


@pytest.fixture(scope="module")
def instances(database_url):
    """Start two gunicorn instances sharing the database, Redis and the secret key; yield their ports."""
    shared = {
        **os.environ,
        "CLINIC_CONFIG": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RECORDS_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "MAIL_TRANSPORT": "log",
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        # Fresh counters for this run: earlier runs' requests must not count.
        "RATELIMIT_KEY_PREFIX": f"scaleout-{uuid.uuid4().hex}",
        "BOOKING_SUBMIT_RATE_LIMIT": f"{BOOKINGS} per hour",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    ports = [free_port(), free_port()]
    servers = [start_gunicorn({**shared, "GUNICORN_BIND": f"127.0.0.1:{port}"}) for port in ports]
    try:
        for port, server in zip(ports, servers):
            wait_until_serving(port, server)
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body) if body is not None else None
    connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data.startswith(b"{") else {}


def separate_slots(port: int, count: int) -> list[dict]:
    """Return ``count`` free slots of one chiropractor that do not overlap one another."""
    first = to_local(utcnow()).date() + timedelta(days=2)
    status, body = request(port, "GET", f"/api/v1/availability?type={SLOT_TYPE}&chiropractor=1&from={first}&to={first + timedelta(days=13)}")
    assert status == 200
    chosen = []
    for slot in body["slots"]:
        if not chosen or slot["start"] >= chosen[-1]["end"]:
            chosen.append(slot)
    assert len(chosen) >= count
    return chosen[:count]


def booking(slot: dict, number: int) -> dict:
    return {
        "type": SLOT_TYPE, "chiropractor_id": slot["chiropractor_id"], "start": slot["start"], "consent": True,
        "patient": {
            "first_name": "Twee", "last_name": f"Instanties {number}", "date_of_birth": "1990-05-17",
            "email": f"scaleout{number}@example.nl", "phone": "0612345678",
        },
    }


def test_bookings_over_two_instances_never_double_book_and_share_one_rate_limit(instances, database_url):
    slots = separate_slots(instances[0], SLOTS)
    attempts = [
        (instances[number % 2], booking(slot, number))
        for number, slot in enumerate(slot for slot in slots for _ in range(CONTENDERS_PER_SLOT))
    ]
    with ThreadPoolExecutor(max_workers=BOOKINGS) as pool:
        outcomes = list(pool.map(lambda attempt: request(attempt[0], "POST", "/api/v1/bookings", attempt[1]), attempts))

    won = Counter(body["appointment"]["start"] for status, body in outcomes if status == 201)
    assert Counter(status for status, _ in outcomes) == {201: SLOTS, 409: BOOKINGS - SLOTS}
    assert len(won) == SLOTS
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        booked = connection.exec_driver_sql("SELECT count(*) FROM appointments").scalar()
    engine.dispose()
    assert (double_bookings(database_url), booked) == (0, SLOTS)

    # Each instance has seen half of the limit's requests; together they have used it up.
    status, _ = request(instances[1], "POST", "/api/v1/bookings", booking(slots[0], BOOKINGS))
    assert status == 429
