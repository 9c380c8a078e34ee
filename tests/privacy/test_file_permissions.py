"""Files with patient data are created readable by their owner only: backups, and SQLite's database files."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from clinic import backup, create_app
from clinic.extensions import db
from tests.conftest import config_for

OWNER_ONLY = 0o600


@pytest.fixture
def usual_umask():
    """Run under the umask most servers have (022), which gives a file created without care mode 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_is_readable_by_its_owner_only(app, usual_umask, tmp_path):
    path = tmp_path / "clinic.backup"
    result = app.test_cli_runner().invoke(args=["clinic", "backup", str(path)])
    assert result.exit_code == 0, result.output
    assert mode(path) == OWNER_ONLY


def test_a_new_sqlite_database_and_its_wal_and_shm_files_are_readable_by_their_owner_only(usual_umask, tmp_path):
    database = tmp_path / "clinic.db"
    app = create_app(config_for(f"sqlite:///{database}"))
    with app.app_context():
        db.session.execute(text("CREATE TABLE written (x)"))
        db.session.commit()
        # While a connection is open, SQLite keeps the write-ahead log and its shared-memory index.
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert {path.name: mode(path) for path in files} == {path.name: OWNER_ONLY for path in files}
        db.engine.dispose()


def test_a_sqlite_database_restored_into_a_new_file_is_readable_by_its_owner_only(usual_umask, tmp_path):
    original, copy = tmp_path / "clinic.db", tmp_path / "clinic.backup"
    app = create_app(config_for(f"sqlite:///{original}"))
    with app.app_context():
        db.session.execute(text("CREATE TABLE written (x)"))
        db.session.commit()
        db.engine.dispose()
    backup.backup(f"sqlite:///{original}", copy)
    restored = tmp_path / "restored.db"
    backup.restore(f"sqlite:///{restored}", copy)
    assert mode(restored) == OWNER_ONLY
