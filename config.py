"""Settings for each way the clinic app runs, read from the environment."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEV_SECRET_KEY = "development-only-not-secret"
DEV_RECORDS_KEY = "development-only-not-secret-records-key"


def database_url(raw: str | None, default: str) -> str:
    """Return a SQLAlchemy URL, mapping plain ``postgres(ql)://`` to the psycopg 3 driver."""
    url = raw or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    CLINIC_ENV = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # Seals the access log, signed notes and amendments (clinic.sealing); kept out of the database.
    RECORDS_KEY = os.environ.get("RECORDS_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{INSTANCE_DIR / 'clinic.db'}"
    )
    # PostgreSQL: the role the app connects as, when migrations run as the tables' owner (docs/deploy.md).
    # `db upgrade` and `clinic restore` then grant it only what the app needs.
    DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE") or None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    # Staff share desk computers: no remember-me cookie is ever issued.
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)
    MAX_CONTENT_LENGTH = 1024 * 1024
    # How many reverse proxies of our own stand in front of the app (docs/deploy.md: 1). Their
    # X-Forwarded-For / X-Forwarded-Proto entries give the client's address and scheme; with 0
    # the headers are ignored. Never more than the real number: the client writes the entries before.
    TRUSTED_PROXY_HOPS = int(os.environ.get("TRUSTED_PROXY_HOPS", 0))

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")

    # Online booking (patients) and its abuse limits.
    ONLINE_GRID_MINUTES = int(os.environ.get("ONLINE_GRID_MINUTES", 15))
    ONLINE_MIN_NOTICE_HOURS = float(os.environ.get("ONLINE_MIN_NOTICE_HOURS", 2))
    ONLINE_HORIZON_WEEKS = float(os.environ.get("ONLINE_HORIZON_WEEKS", 8))
    ONLINE_MAX_OPEN_BOOKINGS = int(os.environ.get("ONLINE_MAX_OPEN_BOOKINGS", 3))
    CANCELLATION_DEADLINE_HOURS = float(os.environ.get("CANCELLATION_DEADLINE_HOURS", 24))
    # The front desk may check a patient in from this long before the start (on the appointment's day only).
    CHECK_IN_OPENS_MINUTES_BEFORE = float(os.environ.get("CHECK_IN_OPENS_MINUTES_BEFORE", 60))
    CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "035 - 621 00 00")
    CLINIC_ADDRESS = os.environ.get("CLINIC_ADDRESS", "MoveWell Chiropractie, Hilversum")
    # How to get there, on the home page and the booking confirmation, in each language.
    CLINIC_DIRECTIONS_NL = os.environ.get(
        "CLINIC_DIRECTIONS_NL", "Op tien minuten lopen van station Hilversum; betaald parkeren voor de deur.")
    CLINIC_DIRECTIONS_EN = os.environ.get(
        "CLINIC_DIRECTIONS_EN", "A ten-minute walk from Hilversum station; paid parking in front of the door.")
    # Where patients open the links in e-mails: the mail worker writes them outside any request.
    CLINIC_BASE_URL = os.environ.get("CLINIC_BASE_URL")
    # Reminder e-mails go this long before an appointment's start (in real hours, across clock changes).
    REMINDER_HOURS_BEFORE = float(os.environ.get("REMINDER_HOURS_BEFORE", 24))
    # The check-in after a treatment with known after-effects goes this long after the visit ends.
    AFTER_VISIT_HOURS = float(os.environ.get("AFTER_VISIT_HOURS", 24))
    # Before a booked visit of an open care episode the patient gets a link to the outcome measures this long ahead.
    OUTCOME_LINK_HOURS_BEFORE = float(os.environ.get("OUTCOME_LINK_HOURS_BEFORE", 48))
    # A free time offered to the waitlist can be claimed this long after the e-mail is written.
    WAITLIST_OFFER_HOURS = float(os.environ.get("WAITLIST_OFFER_HOURS", 2))
    # A patient's full screening (red flags, contraindications) is due again this many months after it.
    SCREENING_VALID_MONTHS = int(os.environ.get("SCREENING_VALID_MONTHS", 6))
    # A care episode is "not on track" when after this many visits no outcome improved by its minimal
    # clinically important change (clinic.outcomes.progress).
    OUTCOME_REVIEW_AFTER_VISITS = int(os.environ.get("OUTCOME_REVIEW_AFTER_VISITS", 4))
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Free slots the availability API keeps per worker, valid until the schedule changes; 0 keeps none.
    AVAILABILITY_CACHE_SIZE = int(os.environ.get("AVAILABILITY_CACHE_SIZE", 512))
    # Keeps the counters of two deployments (or test runs) that share one Redis apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    RATELIMIT_HEADERS_ENABLED = True
    BOOKING_PAGE_RATE_LIMIT = os.environ.get("BOOKING_PAGE_RATE_LIMIT", "120 per minute")
    BOOKING_SUBMIT_RATE_LIMIT = os.environ.get("BOOKING_SUBMIT_RATE_LIMIT", "10 per hour")
    # Asking for a portal login link, per address: enough for typos, too few to probe birth dates.
    PORTAL_LOGIN_RATE_LIMIT = os.environ.get("PORTAL_LOGIN_RATE_LIMIT", "5 per 10 minutes; 20 per day")
    # Login attempts (password and second-factor code), counted before anything is checked. Per
    # address generous enough for a front desk whose staff share one address; per account the 11th
    # attempt within a minute is refused.
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "30 per minute;200 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute;50 per hour")

    # A browser session (staff, and patients too) ends after this long without a request. API
    # bearer tokens are not sessions and are not affected.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", 30)))
    # ... and this long after logging in, however busy it is (ASVS 4.0.3 V3.3.2: 12 hours).
    SESSION_ABSOLUTE_LIFETIME = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_LIFETIME_HOURS", 12)))
    # An admin without two-factor login can only set it up (which also guards the access log).
    ADMIN_SECOND_FACTOR_REQUIRED = True
    # Between a right password and the second-factor code.
    SECOND_FACTOR_TIMEOUT = timedelta(minutes=5)

    # E-mail: "log" writes messages to the log (development), "smtp" sends them.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "smtp")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "MoveWell Chiropractie <afspraken@movewell.nl>")

    # RFC 9106 low-memory profile (argon2-cffi's defaults): t=3, m=64 MiB, p=4.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 64 * 1024
    ARGON2_PARALLELISM = 4


class DevelopmentConfig(Config):
    CLINIC_ENV = "development"
    # The demo clinic's admin (`clinic demo`) logs in with a password alone on a developer's machine;
    # production (and the base config) require the second factor.
    ADMIN_SECOND_FACTOR_REQUIRED = False
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "log")
    CLINIC_BASE_URL = os.environ.get("CLINIC_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', 5000)}")
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    RECORDS_KEY = os.environ.get("RECORDS_KEY") or DEV_RECORDS_KEY


class TestingConfig(Config):
    CLINIC_ENV = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    RECORDS_KEY = "testing-only-not-secret-records-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_TRANSPORT = "log"
    CLINIC_BASE_URL = "http://localhost"
    RATELIMIT_ENABLED = False
    # Most tests log admins in with a password alone; tests/security/test_login_second_factor.py
    # turns this on and checks the production value.
    ADMIN_SECOND_FACTOR_REQUIRED = False
    # Cheap hashes keep the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
