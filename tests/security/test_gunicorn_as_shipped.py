"""The app served as shipped (``gunicorn -c gunicorn.conf.py wsgi:app``, production settings, no overrides).

The README's rate limits are what a client gets, however many worker processes gunicorn runs;
gunicorn itself believes no forwarding header, and the app believes them for TRUSTED_PROXY_HOPS.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection, HTTPResponse

import pytest
from limits import parse_many

from config import Config
from tests.conftest import migrate_to_head, require_redis
from tests.gunicorn_server import free_port, served_by_every_worker, start_gunicorn

# Settings a test run's environment may carry that would make the served app differ from the shipped one.
OVERRIDES = ("GUNICORN_", "RATELIMIT_", "TRUSTED_PROXY_HOPS", "FORWARDED_ALLOW_IPS")
CLIENT, OTHER_CLIENT = "198.51.100.7", "198.51.100.8"


@pytest.fixture(scope="module")
def shipped_env(tmp_path_factory) -> dict[str, str]:
    """Return the environment of a production deployment on a migrated SQLite file, with nothing else set."""
    url = f"sqlite:///{tmp_path_factory.mktemp('shipped') / 'clinic.db'}"
    migrate_to_head(url)
    return {
        **{name: value for name, value in os.environ.items()
           if not name.startswith(OVERRIDES) and not name.endswith("_RATE_LIMIT")},
        "CLINIC_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48),
        "RECORDS_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url,
        "MAIL_TRANSPORT": "log", "GUNICORN_LOG_LEVEL": "warning",
    }


@pytest.fixture(scope="module")
def shipped(shipped_env):
    """Yield the port of the app served exactly as shipped."""
    with served_by_every_worker(shipped_env) as served:
        yield served.port


@pytest.fixture(scope="module")
def behind_one_proxy(shipped_env):
    """Yield the port of the app served as shipped, with the deploy guide's TRUSTED_PROXY_HOPS=1."""
    with served_by_every_worker({**shipped_env, "TRUSTED_PROXY_HOPS": "1"}) as served:
        yield served.port


def send(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    """Send one request on a connection of its own (so gunicorn may hand each to any worker)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({}) if method == "POST" else None
    connection.request(method, path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def booking_attempt(port: int, headers: dict[str, str] | None = None) -> int:
    return send(port, "POST", "/api/v1/bookings", headers).status


def documented_booking_limit() -> int:
    """Return how many online bookings per address the README promises (BOOKING_SUBMIT_RATE_LIMIT's default)."""
    return min(limit.amount for limit in parse_many(Config.BOOKING_SUBMIT_RATE_LIMIT))


def let_through(port: int, attempts: int) -> int:
    """Return how many of ``attempts`` booking attempts, eight at a time, were not refused as too many."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: booking_attempt(port), range(attempts)))
    return sum(status != 429 for status in statuses)


def test_the_documented_booking_limit_is_the_limit_that_holds(shipped):
    limit = documented_booking_limit()
    assert let_through(shipped, 3 * limit) == limit


def test_with_counters_in_redis_two_workers_share_the_limit(shipped_env):
    env = {**shipped_env, "RATELIMIT_STORAGE_URI": require_redis(), "RATELIMIT_KEY_PREFIX": f"shipped-{uuid.uuid4().hex}"}
    limit = documented_booking_limit()
    with served_by_every_worker(env) as served:
        assert served.workers == 2
        assert let_through(served.port, 3 * limit) == limit


def test_several_workers_with_counters_of_their_own_refuse_to_start(shipped_env):
    server = start_gunicorn({**shipped_env, "GUNICORN_WORKERS": "2", "GUNICORN_BIND": f"127.0.0.1:{free_port()}"},
                           stderr=subprocess.PIPE, text=True)
    try:
        _, errors = server.communicate(timeout=20)
    finally:
        server.kill()
    assert server.returncode != 0
    assert "RATELIMIT_STORAGE_URI" in errors


def test_gunicorn_believes_no_forwarded_scheme_of_its_own(shipped):
    # From loopback, where gunicorn's own default would trust them, whatever TRUSTED_PROXY_HOPS says.
    response = send(shipped, "GET", "/", {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"})
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None


def test_behind_one_proxy_each_client_has_its_own_address_and_the_scheme_is_https(behind_one_proxy):
    limit = documented_booking_limit()
    from_client = {"X-Forwarded-For": f"{OTHER_CLIENT}, {CLIENT}", "X-Forwarded-Proto": "https"}
    statuses = [booking_attempt(behind_one_proxy, from_client) for _ in range(limit + 1)]
    assert statuses.count(429) == 1 and statuses[-1] == 429
    assert booking_attempt(behind_one_proxy, {"X-Forwarded-For": OTHER_CLIENT}) != 429
    response = send(behind_one_proxy, "GET", "/", from_client)
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
