"""Entry point for ``flask --app wsgi`` and ``gunicorn wsgi:app``.

CLINIC_CONFIG chooses the settings (development, testing, production); production is the default.
"""
import os

from clinic import ConfigError, create_app

try:
    app = create_app(os.environ.get("CLINIC_CONFIG", "production"))
except ConfigError as error:
    raise SystemExit(f"clinic: {error}") from None
