"""Behind the reverse proxy of docs/deploy.md: each client keeps its own address, and no client can choose one.

The proxy connects from 127.0.0.1 and appends the address it got the request from to
X-Forwarded-For (nginx's ``$proxy_add_x_forwarded_for``), after whatever the client sent itself.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.extensions import db, limiter
from clinic.models import AccessLogEntry
from policy_world import world  # noqa: F401  (fixture)

PROXY = "127.0.0.1"
CLIENT, OTHER_CLIENT, FORGED = "198.51.100.7", "198.51.100.8", "203.0.113.9"


def through_proxy(client_address: str, sent_by_client: str = "") -> dict:
    """Return the test client's arguments for a request that reached the app through the proxy."""
    forwarded = f"{sent_by_client}, {client_address}" if sent_by_client else client_address
    return {"environ_base": {"REMOTE_ADDR": PROXY},
            "headers": {"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"}}


@pytest.fixture
def behind_proxy(variant_app):
    """Return a callable giving a test client of an app with rate limits on and ``hops`` trusted proxies."""

    def _behind_proxy(hops: int, **settings):
        client = variant_app(TRUSTED_PROXY_HOPS=hops, RATELIMIT_ENABLED=True, **settings).test_client()
        limiter.reset()  # one Limiter object serves every app of the test session
        return client

    yield _behind_proxy
    limiter.reset()


def wrong_password(client, address: str, sent_by_client: str = "") -> int:
    return client.post("/login", data={"email": "nobody@movewell.test", "password": "wrong"},
                       **through_proxy(address, sent_by_client)).status_code


def test_one_clients_wrong_passwords_do_not_lock_out_another_client(behind_proxy):
    client = behind_proxy(1, LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    attacker = [wrong_password(client, CLIENT) for _ in range(4)]
    assert attacker == [200, 200, 200, 429]
    assert wrong_password(client, OTHER_CLIENT) == 200


def test_a_forged_forwarded_address_does_not_change_the_clients_own(behind_proxy, attempts):
    client = behind_proxy(1, LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    # A new forged address each time: were any of them believed, every attempt would get a new budget.
    statuses = [wrong_password(client, CLIENT, sent_by_client=f"{FORGED}, 10.0.0.{n}") for n in range(4)]
    attempts.record("forged forwarding", len(statuses))
    assert statuses == [200, 200, 200, 429]
    # ... and were the first forged one believed, its real owner would now be locked out.
    assert wrong_password(client, FORGED) == 200


def logged_addresses(patient_id: int) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(AccessLogEntry.remote_address).where(AccessLogEntry.patient_id == patient_id)).all()


def test_the_access_log_records_the_client_not_the_proxy(behind_proxy, world):
    client = behind_proxy(1)
    response = client.get(f"/afspraak/beheer/{world.manage_token}", **through_proxy(CLIENT, sent_by_client=FORGED))
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert logged_addresses(world.own.id) == [CLIENT]


def test_without_trusted_proxies_the_forwarded_headers_are_ignored(behind_proxy, world):
    client = behind_proxy(0, LOGIN_ADDRESS_RATE_LIMIT="3 per minute")
    response = client.get(f"/afspraak/beheer/{world.manage_token}", **through_proxy(CLIENT))
    assert response.status_code == 200
    assert logged_addresses(world.own.id) == [PROXY]
    # Not told by a trusted proxy, X-Forwarded-Proto does not make the request HTTPS.
    assert "Strict-Transport-Security" not in response.headers
    statuses = [wrong_password(client, address) for address in (CLIENT, OTHER_CLIENT, FORGED, CLIENT)]
    assert statuses == [200, 200, 200, 429]


def test_a_negative_number_of_proxies_refuses_to_start(variant_app):
    from clinic import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXY_HOPS"):
        variant_app(TRUSTED_PROXY_HOPS=-1)
