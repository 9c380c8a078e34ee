"""Backing up and restoring the clinic's database, while the application keeps running.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  page by page through SQLite's own locking, so a write in progress is either wholly in the copy
  or not at all. Copying the file with ``cp`` can tear a database in WAL mode.
- PostgreSQL: ``pg_dump`` in custom format (one consistent snapshot) and ``pg_restore`` in a
  single transaction, so a failed restore changes nothing. The client tools must be of the
  server's major version (GitLab lost six hours of data in 2017 to a silent version mismatch);
  they are looked for in ``/usr/lib/postgresql/<major>/bin`` first, then on the PATH.

Backups and restored SQLite databases are created readable and writable by their owner only (0600).

A restore replaces the database. Into a database that already has tables it refuses, unless the
caller says ``force``.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from clinic.database import create_owner_only


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


class RestoreRefused(BackupError):
    """The target database is not empty and the caller did not say ``force``."""


def backup(url: str | URL, path: Path) -> None:
    """Write a backup of the database at ``url`` to ``path`` (which must not exist yet)."""
    url = make_url(url)
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name (a backup never overwrites one).")
    partial = path.with_name(path.name + ".partial")
    try:
        # One left behind by an interrupted backup may have other permissions than a new one gets.
        partial.unlink(missing_ok=True)
        _create_owner_only(partial)
        if url.get_backend_name() == "sqlite":
            _sqlite_backup(sqlite_path(url), partial)
        else:
            _run(_pg_tool("pg_dump", url), "--format=custom", "--no-owner", f"--file={partial}",
                 f"--dbname={_libpq_url(url)}", env=_pg_env(url))
        check_backup_file(url, partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def restore(url: str | URL, path: Path, *, force: bool = False) -> None:
    """Replace the database at ``url`` with the backup in ``path``.

    :raises RestoreRefused: the database has tables and ``force`` is not set.
    """
    url = make_url(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    check_backup_file(url, path)
    if url.get_backend_name() == "sqlite":
        # Before anything opens it: SQLite would create a missing file with the umask's permissions.
        _create_owner_only(sqlite_path(url))
    tables = table_count(url)
    if tables and not force:
        raise RestoreRefused(
            f"The database already has {tables} table(s); restoring would overwrite everything in it. "
            "Run again with --force to replace it."
        )
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(path, sqlite_path(url))
    else:
        clean = ("--clean", "--if-exists") if tables else ()
        _run(_pg_tool("pg_restore", url), "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl",
             *clean, f"--dbname={_libpq_url(url)}", str(path), env=_pg_env(url))


def check_backup_file(url: URL, path: Path) -> None:
    """Refuse a backup file that is empty, damaged, or not of the database's kind."""
    if not path.is_file() or path.stat().st_size == 0:
        raise BackupError(f"{path} is missing or empty.")
    if url.get_backend_name() == "sqlite":
        try:
            with closing(sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)) as backup_file:
                result = backup_file.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{path} is not a SQLite database: {error}") from None
        if result != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check: {result}")
    else:
        _run(_pg_tool("pg_restore", url), "--list", str(path))


def table_count(url: URL) -> int:
    """Return how many tables the database has (0 = empty, safe to restore into)."""
    engine = sa.create_engine(url)
    try:
        return len(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _create_owner_only(path: Path) -> None:
    try:
        create_owner_only(path)
    except OSError as error:
        raise BackupError(f"{path} cannot be created: {error.strerror}.") from None


def _sqlite_backup(database: Path, destination: Path) -> None:
    if not database.is_file():
        raise BackupError(f"There is no database at {database}.")
    _sqlite_copy(database, destination)
    with closing(sqlite3.connect(destination)) as copy:
        # One self-contained file: no -wal or -shm file to carry along.
        copy.execute("PRAGMA journal_mode=DELETE")


def _sqlite_copy(source_path: Path, target_path: Path) -> None:
    """Copy one SQLite database over another through the online backup API."""
    try:
        with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(target_path)) as target:
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"Copying {source_path} to {target_path} failed: {error}") from None


def _libpq_url(url: URL) -> str:
    """Return the URL the PostgreSQL tools understand, without the password (that goes in PGPASSWORD)."""
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _pg_env(url: URL) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _server_major(url: URL) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
    finally:
        engine.dispose()


def _pg_tool(name: str, url: URL) -> str:
    """Return the path of ``name`` (pg_dump, pg_restore) of the server's major version."""
    major = _server_major(url)
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin/{name}"), shutil.which(name)]
    for candidate in filter(None, candidates):
        found = re.search(r"\(PostgreSQL\) (\d+)", _run(str(candidate), "--version"))
        if found and int(found.group(1)) == major:
            return str(candidate)
    raise BackupError(
        f"No {name} of PostgreSQL {major} (the server's version) was found on the PATH or in "
        f"/usr/lib/postgresql/{major}/bin; install the PostgreSQL {major} client tools."
    )


def _run(*command: str, env: dict[str, str] | None = None) -> str:
    try:
        finished = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    except OSError as error:
        raise BackupError(f"{command[0]} could not be started: {error}") from None
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip()}")
    return finished.stdout
