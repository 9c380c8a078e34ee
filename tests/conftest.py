"""Fixtures shared by the suite.

Every test that takes ``app`` runs twice: on SQLite and on PostgreSQL (``TEST_DATABASE_URL``).
Each backend's schema is built once per run with the real migrations; tests then start from an
empty, migrated database (a fresh copy of the SQLite file; truncated tables on PostgreSQL).

On PostgreSQL the two roles of docs/deploy.md: the schema is migrated and reset as the
``TEST_DATABASE_URL`` user, its owner, and the app under test connects as a role of its own with
only the rights the migrations grant it (``DATABASE_APP_ROLE``), which is made here if missing.
Tests that need the owner (a restore, tampering past the triggers) take ``owner_settings``.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import redis
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade

from clinic import create_app
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Chiropractor, Patient, Role, User
from clinic.services.accounts import create_user, issue_api_token
from config import TestingConfig
from tests import clock as clock_module
from tests.app_start import CompiledTemplates, share_url_builders
from tests.mail_server import start_smtp_server
from tests.security.login_helpers import enrol

IN_CI = os.environ.get("CI") == "true"
# Under pytest-xdist (``make test`` runs two workers) each worker has its own PostgreSQL database
# and Redis database, so that one worker's truncation or rate-limit counters never meet the other's.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKER_NUMBER = int(XDIST_WORKER.removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - WORKER_NUMBER}")
PASSWORD = "correct horse battery staple"


def pytest_configure(config):
    clock_module.start()


def pytest_report_header(config):
    moved = clock_module.moved_to()
    return f"clock: moved to {moved.isoformat()} ({clock_module.ENVIRONMENT_VARIABLE})" if moved else "clock: real"


def postgres_url() -> str | None:
    """Return this worker's test PostgreSQL URL if one is configured and reachable; fail under CI if not.

    Without xdist that is ``TEST_DATABASE_URL``; an xdist worker gets a database of its own next to
    it (``test_gw0``, ``test_gw1``), made here if missing.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    reason = None
    if not url:
        reason = "TEST_DATABASE_URL is not set"
    else:
        try:
            url = worker_database(url)
        except sa.exc.OperationalError as error:
            reason = f"PostgreSQL at TEST_DATABASE_URL is unreachable: {str(error.orig).splitlines()[0]}"
    if reason is None:
        return url
    if IN_CI:
        pytest.fail(f"CI=true needs the PostgreSQL half of the suite, but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def worker_database(url: str) -> str:
    """Return the URL of this xdist worker's own database beside ``url``, creating it if missing."""
    name = f"{sa.make_url(url).database}_{XDIST_WORKER}" if XDIST_WORKER else None
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            if name is None:
                return url
            if connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": name}).first() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return sa.make_url(url).set(database=name).render_as_string(hide_password=False)


def emptied_database(url: str) -> str:
    """Return ``url`` with its PostgreSQL database made if missing, else emptied; for tests that need an empty one.

    Emptied by dropping and making again its one schema, not the database: DROP DATABASE waits for a
    checkpoint of the whole server, which under the suite's writes took 5–40 s each (six minutes
    once). The database stays between runs, like the workers' own ones; its name is the caller's
    (beside this worker's database, so that workers do not share it).
    """
    url = sa.make_url(url)
    server = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            if connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": url.database}).first() is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
                return url.render_as_string(hide_password=False)
            # Whatever a servers or test left connected would hold locks the DROP SCHEMA waits for.
            connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                       " WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": url.database})
    finally:
        server.dispose()
    database = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with database.connect() as connection:
            # As a new database has it (PostgreSQL 15): owned by the database owner, usable by all.
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
            connection.exec_driver_sql("GRANT USAGE ON SCHEMA public TO PUBLIC")
    finally:
        database.dispose()
    return url.render_as_string(hide_password=False)


def require_redis() -> str:
    """Return the test Redis's URL if it answers; skip the test without it (fail under CI)."""
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        if IN_CI:
            pytest.fail(f"CI=true needs Redis, but nothing answers at {REDIS_URL}", pytrace=False)
        pytest.skip(f"Redis test skipped: nothing answers at {REDIS_URL}")
    return REDIS_URL


COMPILED_TEMPLATES = CompiledTemplates()
share_url_builders()


def config_for(url: str, **settings) -> type[TestingConfig]:
    return type("BoundTestingConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings})


def migrate_to_head(url: str, **settings) -> None:
    app = create_app(config_for(url, **settings))
    with app.app_context():
        upgrade()
        db.engine.dispose()


APP_ROLE_PASSWORD = "the-test-app-role"


def make_app_role(owner_url: str) -> str:
    """Make (once per cluster) the login role the app under test connects as; return its name."""
    role = f"{sa.engine.make_url(owner_url).database}_app"
    engine = sa.create_engine(owner_url)
    with engine.begin() as connection:
        if connection.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first() is None:
            connection.exec_driver_sql(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{APP_ROLE_PASSWORD}'")
    engine.dispose()
    return role


@dataclass
class Backend:
    """A migrated database the tests of one backend share."""

    name: str
    template_url: str  # as the owner
    tmp_path_factory: pytest.TempPathFactory | None = None
    app_role: str | None = None
    _emptying: str | None = None  # the statements ``reset`` runs, made on its first call

    def fresh_url(self) -> str:
        """Return the URL of an empty, migrated database for one test, as the app connects to it."""
        if self.name == "sqlite":
            template = self.template_url.removeprefix("sqlite:///")
            copy = self.tmp_path_factory.mktemp("db") / "clinic.db"
            shutil.copyfile(template, copy)
            return f"sqlite:///{copy}"
        app_url = sa.engine.make_url(self.template_url).set(username=self.app_role, password=APP_ROLE_PASSWORD)
        return app_url.render_as_string(hide_password=False)

    def owner_settings(self, app_url: str) -> dict:
        """Return the settings of an app on the same database connected as its owner."""
        if self.name == "sqlite":
            return {"SQLALCHEMY_DATABASE_URI": app_url}
        return {"SQLALCHEMY_DATABASE_URI": self.template_url, "DATABASE_APP_ROLE": self.app_role}

    def reset(self) -> None:
        """Empty every table and restart every sequence after a test (PostgreSQL; SQLite tests get a fresh file).

        DELETE with the triggers off (the append-only tables refuse it otherwise), not TRUNCATE:
        TRUNCATE gives each of the forty tables and their indexes new files, 200 ms a test, where
        deleting the few rows a test leaves takes 8.
        """
        if self.name != "postgresql":
            return
        engine = sa.create_engine(self.template_url)
        with engine.begin() as connection:
            if self._emptying is None:
                sequences = connection.exec_driver_sql(
                    "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
                    " WHERE schemaname = 'public'"
                ).scalars()
                self._emptying = "".join([
                    "SET LOCAL session_replication_role = replica;",
                    *(f"DELETE FROM {table.name};" for table in db.metadata.sorted_tables),
                    *(f"ALTER SEQUENCE {sequence} RESTART;" for sequence in sequences),
                    # The one row the migrations put in, as a freshly migrated database has it.
                    "INSERT INTO schedule_revisions (id, value) VALUES (1, 0);",
                ])
            connection.exec_driver_sql(self._emptying)
        engine.dispose()


def reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory) -> Backend:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("template") / "clinic.db"
        url = f"sqlite:///{path}"
        migrate_to_head(url)
        return Backend("sqlite", url, tmp_path_factory)
    url = postgres_url()
    reset_postgres_schema(url)
    role = make_app_role(url)
    migrate_to_head(url, DATABASE_APP_ROLE=role)
    return Backend("postgresql", url, app_role=role)


def start_like_a_new_app_context() -> None:
    """End the test code's transaction and forget per-context state (``g``).

    The tests keep an app context pushed, which requests and CLI commands then share; without
    this, a request would inherit the test's open transaction, Flask-Login's cached user and
    Flask-Babel's cached locale, none of which a real request has.
    """
    db.session.commit()
    for name in list(g):
        g.pop(name)


class ClinicTestClient(FlaskClient):
    def open(self, *args, **kwargs):
        start_like_a_new_app_context()
        return super().open(*args, **kwargs)


class ClinicCliRunner(FlaskCliRunner):
    def invoke(self, *args, **kwargs):
        start_like_a_new_app_context()
        return super().invoke(*args, **kwargs)


@pytest.fixture
def app(backend):
    app = create_app(config_for(backend.fresh_url()))
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.test_client_class = ClinicTestClient
    app.test_cli_runner_class = ClinicCliRunner
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    backend.reset()


@pytest.fixture
def owner_settings(app, backend) -> dict:
    """Settings (for ``variant_app``) that connect to the test's database as its owner, as migrations and restores do."""
    return backend.owner_settings(app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def variant_app(app):
    """Return a callable making another app on the test's database with some settings changed.

    Each variant's connections are closed after the test, so none is left for the garbage
    collector to complain about.
    """
    made = []

    def _variant_app(**settings):
        base = config_for(app.config["SQLALCHEMY_DATABASE_URI"])
        variant = create_app(type("VariantConfig", (base,), settings))
        variant.jinja_env.bytecode_cache = COMPILED_TEMPLATES
        variant.test_client_class = ClinicTestClient
        made.append(variant)
        return variant

    yield _variant_app
    for variant in made:
        with variant.app_context():
            db.engine.dispose()


@pytest.fixture
def clock(time_machine) -> clock_module.Clock:
    """Stop the clock at the present (moved) instant; ``clock.set(instant)`` and ``clock.advance(minutes=5)`` move it."""
    return clock_module.Clock(time_machine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def create_account(app):
    """Return a callable that creates an account with ``PASSWORD``; override any field."""

    def _create_account(role: Role = Role.FRONTDESK, email: str | None = None, chiropractor=None,
                        name: str | None = None):
        email = email or f"{role.value}-{os.urandom(3).hex()}@movewell.test"
        if role is Role.CHIROPRACTOR and chiropractor is None:
            chiropractor = Chiropractor(name="Test Chiropractor", slug=f"test-{os.urandom(3).hex()}")
            db.session.add(chiropractor)
        user = create_user(db.session, email, PASSWORD, role, chiropractor, name=name)
        db.session.commit()
        return user

    return _create_account


@pytest.fixture
def create_patient(app):
    """Return a callable that creates a patient; override any field."""

    def _create_patient(**fields):
        fields.setdefault("first_name", "Sanne")
        fields.setdefault("last_name", "de Vries")
        fields.setdefault("date_of_birth", date(1990, 5, 17))
        fields.setdefault("created_source", "frontdesk")
        patient = Patient(**fields)
        db.session.add(patient)
        db.session.commit()
        return patient

    return _create_patient


def api_token_for(user: User) -> str:
    """Issue an API token for ``user`` and commit; an admin account first gets two-factor login, as it must."""
    if user.role == Role.ADMIN.value and not user.has_second_factor:
        enrol(user, utcnow() - timedelta(minutes=1))
    token = issue_api_token(db.session, user)
    db.session.commit()
    return token


def log_in(client, email: str, password: str = PASSWORD):
    """Log ``client`` in through the login form and return the response."""
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client, create_account):
    """Return a callable that creates an account of ``role`` and logs the client in as it."""

    def _login_as(role: Role, **fields):
        user = create_account(role, **fields)
        response = log_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login_as


@pytest.fixture
def smtp_inbox(app):
    """A real SMTP server for the test; the app's mail worker sends to it. Yields its inbox."""
    controller, inbox = start_smtp_server()
    app.config.update(MAIL_TRANSPORT="smtp", MAIL_SERVER=controller.hostname, MAIL_PORT=controller.port)
    yield inbox
    controller.stop()
