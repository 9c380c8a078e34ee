"""Simultaneous login attempts on one account: every failure counts, and a code opens one session.

Each attempt is a real request on its own thread, with its own app context, session and database
connection. On PostgreSQL the attempts are held together at the worst moment: every thread has
read the account and checked its password or code before any of them writes, which is where a
read-then-write loses updates. SQLite lets the write requests through one after another (each
takes the write lock with its first read), so there the same attempts meet one at a time.
"""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from clinic.auth import second_factor
from clinic.auth.lockout import LOCKOUT_THRESHOLD
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Role, User
from clinic.services import accounts
from tests.conftest import PASSWORD
from tests.security.login_helpers import code_at, enrol

BARRIER_TIMEOUT_SECONDS = 60


def on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def run_together(attempts: list) -> list:
    """Run each attempt on its own thread, released together; return their results in order."""
    start = threading.Barrier(len(attempts), timeout=BARRIER_TIMEOUT_SECONDS)
    results = [None] * len(attempts)

    def worker(index, attempt):
        start.wait()
        results[index] = attempt()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def hold_together_after(monkeypatch, owner, name: str, parties: int) -> None:
    """On PostgreSQL, make ``owner.name`` wait after its work until all ``parties`` threads have done it."""
    if not on_postgres():
        return
    real = getattr(owner, name)
    together = threading.Barrier(parties, timeout=BARRIER_TIMEOUT_SECONDS)

    def held(*args, **kwargs):
        result = real(*args, **kwargs)
        together.wait()
        return result

    monkeypatch.setattr(owner, name, held)


def browser(app) -> FlaskClient:
    # The plain client: each request on a thread of its own gets an app context of its own.
    return FlaskClient(app, app.response_class, use_cookies=True)


def fresh(user: User) -> User:
    db.session.rollback()  # a new snapshot: the threads committed after this session last read
    return db.session.get(User, user.id)


WRONG_PASSWORDS = 8


def test_simultaneous_wrong_passwords_all_count_and_lock_the_account(app, create_account, monkeypatch):
    user = create_account(Role.FRONTDESK)
    email = user.email
    hold_together_after(monkeypatch, accounts, "verify_password", WRONG_PASSWORDS)

    def wrong_password(n):
        return lambda: browser(app).post("/login", data={"email": email, "password": f"guess {n}"}).status_code

    statuses = run_together([wrong_password(n) for n in range(WRONG_PASSWORDS)])

    assert statuses == [200] * WRONG_PASSWORDS
    # Together, every password was checked before the account was locked; one after another,
    # the lock from the fifth failure on keeps the rest from being checked (or counted).
    expected = WRONG_PASSWORDS if on_postgres() else LOCKOUT_THRESHOLD
    account = fresh(user)
    assert account.failed_login_count == expected
    assert account.locked_until is not None and account.locked_until > utcnow()


PENDING_LOGINS = 6


def test_one_code_sent_by_simultaneous_pending_logins_opens_one_session(app, create_account, monkeypatch):
    admin = create_account(Role.ADMIN)
    enrol(admin, utcnow() - timedelta(minutes=2))
    code, email = code_at(admin, utcnow()), admin.email
    clients = [browser(app) for _ in range(PENDING_LOGINS)]
    password_steps = run_together([
        lambda client=client: client.post("/login", data={"email": email, "password": PASSWORD}).status_code
        for client in clients
    ])
    assert password_steps == [302] * PENDING_LOGINS
    hold_together_after(monkeypatch, second_factor, "accepted_step", PENDING_LOGINS)

    code_steps = run_together([
        lambda client=client: client.post("/login/code", data={"code": code}).status_code for client in clients
    ])

    assert sorted(code_steps) == [200] * (PENDING_LOGINS - 1) + [302]
    logged_in = run_together([lambda client=client: client.get("/frontdesk/").status_code for client in clients])
    assert logged_in.count(200) == 1
