"""Brute force: rate limits per address and per account, and a lock-out that grows.

The rate limits count attempts before anything is checked: a refused attempt costs no hash.
"""
from datetime import timedelta

import pytest

from clinic.auth.lockout import FIRST_LOCKOUT, LONGEST_LOCKOUT, lockout_for
from clinic.extensions import db, limiter
from clinic.models import Role, User
from tests.conftest import PASSWORD, log_in
from tests.security.login_helpers import hash_checks  # noqa: F401 (a fixture)


@pytest.fixture
def limited(variant_app):
    """Return a client of an app with the production login limits switched on."""
    client = variant_app(RATELIMIT_ENABLED=True).test_client()
    limiter.reset()  # one Limiter object serves every app of the test session
    yield client
    limiter.reset()


@pytest.mark.parametrize(
    ("failures", "lockout"),
    [
        (4, None),
        # The fifth failure in a row locks for a minute; each further one doubles it ...
        (5, FIRST_LOCKOUT),
        (6, 2 * FIRST_LOCKOUT),
        (8, 8 * FIRST_LOCKOUT),
        # ... up to the cap, however many failures follow.
        (10, LONGEST_LOCKOUT),
        (10_000, LONGEST_LOCKOUT),
    ],
)
def test_lockout_grows_with_failures_in_a_row(failures, lockout):
    assert lockout_for(failures) == lockout


def test_the_11th_wrong_password_in_a_minute_is_refused_without_checking_it(limited, create_account, hash_checks):
    user = create_account(Role.FRONTDESK)
    statuses = [log_in(limited, user.email, f"wrong guess {n}").status_code for n in range(10)]
    assert statuses == [200] * 10
    checks_before = hash_checks.call_count
    refused = log_in(limited, user.email, PASSWORD)
    assert refused.status_code == 429
    assert hash_checks.call_count == checks_before
    assert limited.get("/frontdesk/").status_code == 302


def test_a_refused_attempt_shows_the_login_form_with_a_message(variant_app, create_account):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="1 per minute").test_client()
    limiter.reset()
    user = create_account(Role.FRONTDESK)
    log_in(client, user.email, "wrong")
    response = client.post("/login", data={"email": user.email, "password": "wrong"}, headers={"Accept-Language": "en"})
    limiter.reset()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "Too many attempts. Wait a minute and try again." in page
    assert 'name="password"' in page


def test_the_account_limit_holds_across_addresses_and_case(variant_app, create_account):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    limiter.reset()
    user = create_account(Role.FRONTDESK)
    statuses = [
        client.post(
            "/login", data={"email": email, "password": "wrong"}, environ_base={"REMOTE_ADDR": address}
        ).status_code
        for email, address in [(user.email, "192.0.2.1"), (user.email.upper(), "192.0.2.2"), (user.email, "192.0.2.3")]
    ]
    limiter.reset()
    assert statuses == [200, 200, 429]


def test_the_address_limit_holds_across_accounts(variant_app):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ADDRESS_RATE_LIMIT="3 per minute").test_client()
    limiter.reset()
    statuses = [log_in(client, f"guess{n}@movewell.test", "wrong").status_code for n in range(4)]
    limiter.reset()
    assert statuses == [200, 200, 200, 429]


def test_unknown_accounts_are_limited_like_real_ones(variant_app, create_account):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="2 per minute").test_client()
    limiter.reset()
    user = create_account(Role.FRONTDESK)
    real = [log_in(client, user.email, "wrong").status_code for _ in range(3)]
    unknown = [log_in(client, "nobody@movewell.test", "wrong").status_code for _ in range(3)]
    limiter.reset()
    assert real == unknown == [200, 200, 429]


def test_viewing_the_login_page_is_not_counted(variant_app):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ADDRESS_RATE_LIMIT="1 per minute").test_client()
    limiter.reset()
    statuses = [client.get("/login").status_code for _ in range(3)]
    limiter.reset()
    assert statuses == [200, 200, 200]


def failures(user) -> tuple[int, object]:
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    return fresh.failed_login_count, fresh.locked_until


def test_five_failures_lock_the_account_and_the_right_password_is_not_even_tried(
    client, create_account, clock, hash_checks
):
    user = create_account(Role.FRONTDESK)
    for _ in range(5):
        log_in(client, user.email, "wrong")
    assert failures(user) == (5, clock.now + FIRST_LOCKOUT)

    hash_checks.reset_mock()
    response = log_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert client.get("/frontdesk/").status_code == 302
    # Only the dummy hash was verified, not the account's own.
    assert hash_checks.call_count == 1
    assert hash_checks.call_args.args[1] != db.session.get(User, user.id).password_hash
    # Attempts during the lock neither count nor lengthen it.
    assert failures(user) == (5, clock.now + FIRST_LOCKOUT)


def test_the_lock_ends_by_itself_and_each_new_failure_locks_longer(client, create_account, clock):
    user = create_account(Role.FRONTDESK)
    for _ in range(5):
        log_in(client, user.email, "wrong")
    clock.advance(minutes=1, seconds=1)
    log_in(client, user.email, "wrong")
    assert failures(user) == (6, clock.now + 2 * FIRST_LOCKOUT)
    clock.advance(minutes=2, seconds=1)
    assert log_in(client, user.email).status_code == 302
    assert failures(user) == (0, None)


def test_a_lock_expires_on_schedule_not_before(client, create_account, clock):
    user = create_account(Role.FRONTDESK)
    for _ in range(5):
        log_in(client, user.email, "wrong")
    clock.advance(seconds=59)
    assert log_in(client, user.email).status_code == 200
    clock.advance(seconds=2)
    assert log_in(client, user.email).status_code == 302
    assert clock.now - timedelta(seconds=61) < db.session.get(User, user.id).last_login_at
