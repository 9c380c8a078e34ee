"""Which settings the app refuses to start with."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clinic import ConfigError, create_app
from config import DEV_RECORDS_KEY, ProductionConfig, database_url

ROOT = Path(__file__).resolve().parent.parent


def production_config(secret_key, records_key="r" * 48):
    return type("Prod", (ProductionConfig,), {
        "SECRET_KEY": secret_key, "RECORDS_KEY": records_key, "SQLALCHEMY_DATABASE_URI": "sqlite://",
    })


@pytest.mark.parametrize("secret_key", [None, "", "short", "development-only-not-secret"])
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(production_config(secret_key))


@pytest.mark.parametrize("records_key", [None, "", "short", DEV_RECORDS_KEY, "x" * 48],
                         ids=["unset", "empty", "short", "the development key", "the secret key"])
def test_production_refuses_to_start_without_its_own_records_key(records_key):
    with pytest.raises(ConfigError, match="RECORDS_KEY"):
        create_app(production_config("x" * 48, records_key))


def test_production_starts_with_a_real_secret_key_and_secure_cookies():
    app = create_app(production_config("x" * 48))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_wsgi_says_in_one_line_why_production_will_not_start():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "RECORDS_KEY", "CLINIC_CONFIG"}}
    env["DATABASE_URL"] = "sqlite://"
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("clinic: SECRET_KEY must be set")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, "sqlite:///default.db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_selects_the_psycopg_driver_for_postgresql(raw, expected):
    assert database_url(raw, "sqlite:///default.db") == expected


@pytest.fixture
def broken_rules_file(tmp_path, monkeypatch):
    """Point the app at a copy of the rules file in which one verdict is misspelt."""
    from clinic.readiness import rules_file

    original = rules_file.DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    broken = tmp_path / "rules.yaml"
    broken.write_text(original.replace("verdict: not_advised", "verdict: not_adviced", 1), encoding="utf-8")
    monkeypatch.setattr(rules_file, "DEFAULT_RULES_PATH", broken)
    rules_file.default_rules.cache_clear()
    yield broken
    rules_file.default_rules.cache_clear()


def test_a_malformed_rules_file_stops_the_app_naming_the_key(broken_rules_file):
    with pytest.raises(ConfigError) as refused:
        create_app(production_config("x" * 48))
    message = str(refused.value)
    assert str(broken_rules_file) in message
    assert ".verdict" in message and "not_adviced" in message
