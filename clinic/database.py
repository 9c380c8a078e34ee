"""What the clinic asks of its databases beyond plain SQLAlchemy.

- ``UTCDateTime``: one column type for every instant, identical on SQLite and PostgreSQL.
- SQLite set up as a real database: foreign keys on, WAL, a busy timeout, and write
  transactions that take the write lock up front (``BEGIN IMMEDIATE``).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from clinic.localtime import require_aware

IMMEDIATE = "clinic_sqlite_immediate"
# Row ids are INTEGER columns: PostgreSQL's end here, and a larger id from a URL must find nothing
# rather than overflow the driver.
MAX_ROW_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """An instant: refuses naive datetimes, stores UTC, reads back aware UTC.

    Plain ``DateTime(timezone=True)`` drops the offset on SQLite and stores local wall-clock
    digits, which breaks ordering; here SQLite always gets the same canonical UTC text, which
    also lets its triggers compare instants as strings.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"instant expected, got {type(value).__name__}")
        utc = require_aware(value).astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def configure_engine(engine: Engine) -> None:
    """Attach the per-dialect connection settings the clinic relies on."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling runs the availability check outside the write
    # transaction; switch it off and let the "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection) -> None:
    # A deferred transaction that reads and then writes gets SQLITE_BUSY at once when another
    # writer got in between (busy_timeout does not apply); IMMEDIATE waits for the lock instead.
    immediate = connection.get_execution_options().get(IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as a write transaction.

    Call it before the first statement of a unit of work that will write. On SQLite it takes
    the database's write lock at once; elsewhere it only starts the transaction.
    """
    session.connection(execution_options={IMMEDIATE: True})
