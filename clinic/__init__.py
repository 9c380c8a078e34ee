"""MoveWell Chiropractie Hilversum: the practice-management application."""
from __future__ import annotations

from flask import Flask, current_app

from config import CONFIGS, DEV_RECORDS_KEY, DEV_SECRET_KEY, Config


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def create_app(config: str | type[Config] = "production") -> Flask:
    """Create and configure the clinic application."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    app.config.from_object(CONFIGS[config] if isinstance(config, str) else config)
    check_config(app)
    check_readiness_rules()
    register_extensions(app)
    register_session_hooks()
    register_blueprints(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_cli(app)
    register_middleware(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start with settings that are unsafe outside development and tests."""
    if app.config["TRUSTED_PROXY_HOPS"] < 0:
        raise ConfigError("TRUSTED_PROXY_HOPS must be 0 (no proxy) or the number of proxies in front of the app")
    if app.config["CLINIC_ENV"] != "production":
        return
    secret = app.config.get("SECRET_KEY") or ""
    if len(secret) < 32 or secret == DEV_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
            "for local development set CLINIC_CONFIG=development"
        )
    records_key = app.config.get("RECORDS_KEY") or ""
    if len(records_key) < 32 or records_key in (DEV_RECORDS_KEY, secret):
        raise ConfigError(
            "RECORDS_KEY must be set to a random value of at least 32 characters in production, other than "
            "SECRET_KEY, and never changed: it seals the medical records and the access log (README, "
            "'Sealed records'); e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )


def check_readiness_rules() -> None:
    """Load the readiness rules now, so a broken rules file stops the start instead of a later request."""
    from clinic.readiness import rules_file

    try:
        rules_file.default_rules()
    except rules_file.RulesFileError as error:
        raise ConfigError(f"the readiness rules file {rules_file.DEFAULT_RULES_PATH} is invalid at {error}") from None


def register_extensions(app: Flask) -> None:
    from clinic.auth.login import init_login
    from clinic.database import configure_engine
    from clinic.extensions import babel, csrf, db, limiter, migrate
    from clinic.i18n import select_locale
    from clinic.templating import init_templating

    # A pooled network connection may have been cut (a database restart, a firewall) and is
    # tested before each use; a SQLite file cannot be, and the test cost 6 % of a cached answer.
    is_sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": not is_sqlite, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)
    init_templating(app)


def register_session_hooks() -> None:
    """Write the recorded accesses as a unit of work commits; seal the append-only records as they are flushed."""
    from sqlalchemy import event

    from clinic.extensions import db
    from clinic.services.access_log import add_recorded_entries

    # db.session serves every app of the process: each listener once, taking the key of the app in use.
    for name, listener in (("before_commit", add_recorded_entries), ("before_flush", seal_with_the_app_key)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


def seal_with_the_app_key(session, _flush_context, _instances) -> None:
    from clinic.services.record_seals import seal_new_records

    seal_new_records(session, current_app.config["RECORDS_KEY"])


def register_blueprints(app: Flask) -> None:
    from clinic.admin import bp as admin_bp
    from clinic.api import init_api
    from clinic.auth.routes import bp as auth_bp
    from clinic.booking.routes import bp as booking_bp
    from clinic.clinical import episodes  # noqa: F401 (adds the care episode pages to the clinical blueprint)
    from clinic.clinical import alerts  # noqa: F401 (adds the alert pages to the clinical blueprint)
    from clinic.clinical.routes import bp as clinical_bp
    from clinic.frontdesk import patient_file  # noqa: F401 (adds the patient pages to the front desk's blueprint)
    from clinic.frontdesk import series  # noqa: F401 (adds the treatment-series pages to the front desk's blueprint)
    from clinic.frontdesk import waitlist  # noqa: F401 (adds the waitlist pages to the front desk's blueprint)
    from clinic.frontdesk.routes import bp as frontdesk_bp
    from clinic.portal.routes import bp as portal_bp
    from clinic.public.routes import bp as public_bp
    from clinic.web import RowIdConverter

    # Before any route is added: each <int:...> in a URL is read with it.
    app.url_map.converters["int"] = RowIdConverter
    for blueprint in (public_bp, auth_bp, frontdesk_bp, admin_bp, clinical_bp):
        app.register_blueprint(blueprint)
    init_api(app)
    # The public booking pages and the patient portal exist once per language, each on its own URLs.
    app.register_blueprint(booking_bp, name="booking_nl", url_prefix="/afspraak", language="nl")
    app.register_blueprint(booking_bp, name="booking_en", url_prefix="/en/book", language="en")
    app.register_blueprint(portal_bp, name="portal_nl", url_prefix="/portaal", language="nl")
    app.register_blueprint(portal_bp, name="portal_en", url_prefix="/en/portal", language="en")


def register_error_handlers(app: Flask) -> None:
    from clinic.errors import init_error_handlers

    init_error_handlers(app)


def register_request_hooks(app: Flask) -> None:
    from clinic.access import init_access
    from clinic.web import init_request_hooks

    init_request_hooks(app)
    # After the write-transaction hook: the policy check is the first read of a request.
    init_access(app)


def register_middleware(app: Flask) -> None:
    from clinic.web import trust_proxy_hops

    trust_proxy_hops(app)


def register_cli(app: Flask) -> None:
    from clinic.cli import clinic_cli, users_cli

    app.cli.add_command(clinic_cli)
    app.cli.add_command(users_cli)
