"""What the clinic asks of its databases beyond plain SQLAlchemy.

- ``UTCDateTime``: one column type for every instant, identical on SQLite and PostgreSQL.
- SQLite set up as a real database: foreign keys on, WAL, a busy timeout, and write
  transactions that take the write lock up front (``BEGIN IMMEDIATE``), queued in the order
  they ask for it (``WriterQueue``).
- PostgreSQL's two roles: the owner migrates, the app's role gets only row rights (``grant_app_role``).
"""
from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable
from contextvars import ContextVar, Token
from datetime import datetime, timezone

from sqlalchemy import DateTime, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.types import TypeDecorator

from clinic.localtime import require_aware

IMMEDIATE = "clinic_sqlite_immediate"
HOLDS_WRITER_QUEUE = "clinic_holds_writer_queue"
# Set by ``write_next_transaction``: the next transaction this thread begins is a write transaction.
_next_transaction_writes: ContextVar[bool] = ContextVar("next_transaction_writes", default=False)
BUSY_TIMEOUT_SECONDS = 10


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


class WriterQueue:
    """Lets the write transactions on one SQLite file take the write lock one after another.

    SQLite's busy handler polls: a writer that finds the lock taken sleeps, up to 100 ms at a time,
    and the lock sits free while every waiter sleeps. Under a burst of bookings that made a booking
    wait 1.5 s (p99 in the benchmark) on an idle CPU. Here a writer first waits on locks the
    operating system hands over the moment they are free: a thread lock among the threads of a
    process and ``flock`` on a file beside the database among processes (web workers, the mail
    worker, the CLI). ``BEGIN IMMEDIATE`` and its busy timeout stay what guarantees one writer at a
    time; the queue only makes the waiting short.
    """

    def __init__(self, database_path: str | None):
        self._lock_path = f"{database_path}.writers" if database_path else None
        self._thread_lock = threading.Lock()
        self._lock_file: int | None = None

    def enter(self) -> bool:
        """Wait for this writer's turn; return False if it did not come within the busy timeout.

        A thread that already holds the queue through another connection would wait for itself:
        after the timeout it goes on, and ``BEGIN IMMEDIATE`` behaves as without the queue.
        """
        if not self._thread_lock.acquire(timeout=BUSY_TIMEOUT_SECONDS):
            return False
        if self._lock_path is not None:
            try:
                # Opened per turn: a file kept open would be shared by the processes a fork makes.
                self._lock_file = os.open(self._lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
                fcntl.flock(self._lock_file, fcntl.LOCK_EX)
            except BaseException:
                self._close_lock_file()
                self._thread_lock.release()
                raise
        return True

    def leave(self) -> None:
        self._close_lock_file()
        self._thread_lock.release()

    def _close_lock_file(self) -> None:
        # Closing the file releases the flock.
        if self._lock_file is not None:
            os.close(self._lock_file)
            self._lock_file = None


_writer_queues: dict[str, WriterQueue] = {}
_writer_queues_lock = threading.Lock()


def writer_queue_for(database_path: str) -> WriterQueue:
    """Return the process's one queue for the SQLite file at ``database_path``.

    One per file, not per engine: two engines on one file in one thread (a second app on the
    same database) then meet at the thread lock, which gives up after the busy timeout, instead
    of waiting for each other's ``flock`` for ever.
    """
    key = os.path.realpath(database_path)
    with _writer_queues_lock:
        return _writer_queues.setdefault(key, WriterQueue(database_path))


def create_owner_only(path: str | os.PathLike) -> None:
    """Create an empty file at ``path`` that only its owner may read and write, unless one is there already.

    A file holding patient data must not be readable by every account on the server, whatever the
    umask of the process that happens to create it.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def configure_engine(engine: Engine) -> None:
    """Attach the per-dialect connection settings the clinic relies on."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:" and os.path.isdir(os.path.dirname(os.path.abspath(database))):
            # SQLite gives the -wal and -shm files it makes the database file's permissions.
            create_owner_only(database)
        queue = writer_queue_for(database) if database and database != ":memory:" else WriterQueue(None)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", lambda connection: _sqlite_on_begin(connection, queue))
        event.listen(engine.pool, "checkin", lambda _dbapi, record: _leave_writer_queue(record.info, queue))


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling runs the availability check outside the write
    # transaction; switch it off and let the "begin" hook below issue BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(connection, queue: WriterQueue) -> None:
    # A deferred transaction that reads and then writes gets SQLITE_BUSY at once when another
    # writer got in between (busy_timeout does not apply); IMMEDIATE waits for the lock instead.
    intended = _next_transaction_writes.get()
    if intended:
        _next_transaction_writes.set(False)
    immediate = intended or connection.get_execution_options().get(IMMEDIATE, False)
    if immediate and not connection.info.get(HOLDS_WRITER_QUEUE):
        connection.info[HOLDS_WRITER_QUEUE] = queue.enter()
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _leave_writer_queue(connection_info: dict, queue: WriterQueue) -> None:
    # Back in the pool, the connection's transaction has ended: committed or rolled back.
    if connection_info.pop(HOLDS_WRITER_QUEUE, False):
        queue.leave()


def read_without_transaction(session: Session | scoped_session) -> None:
    """Let ``session`` read with every statement on its own on PostgreSQL (autocommit), for a read-only request.

    PostgreSQL's READ COMMITTED gives each statement its own snapshot even inside a transaction,
    so leaving BEGIN and ROLLBACK out changes nothing of what is read, and saves two of a cached
    availability answer's four round trips. SQLite keeps its transaction: that is what holds its
    reads to one snapshot, and it costs no round trip. A session that has already begun (a
    request with a bearer token has read the token) stays as it is.
    """
    own_session = session() if isinstance(session, scoped_session) else session
    if own_session.get_bind().dialect.name == "postgresql" and not own_session.in_transaction():
        own_session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def write_next_transaction() -> Token:
    """Make the next transaction begun in this thread (or context) a write transaction; return the undo token.

    Unlike ``begin_write`` nothing starts now: the transaction begins with its first statement. A
    request that writes thus holds SQLite's write lock from its first query to its commit, not
    while its body is parsed and checked. ``forget_write_intent(token)`` undoes it at the request's end.
    """
    return _next_transaction_writes.set(True)


def forget_write_intent(token: Token) -> None:
    _next_transaction_writes.reset(token)


def begin_write(session: Session) -> None:
    """Start ``session``'s transaction as a write transaction.

    Call it before the first statement of a unit of work that will write. On SQLite it takes
    the database's write lock at once; elsewhere it only starts the transaction.
    """
    session.connection(execution_options={IMMEDIATE: True})


def grant_app_role(connection, role: str, append_only_tables: Iterable[str]) -> None:
    """Give the PostgreSQL role the app connects as what it needs on the schema's tables, and no more.

    The tables belong to the role that runs the migrations; the app's role is not their owner, so
    it cannot alter or drop them, disable their triggers, or take TRUNCATE, REFERENCES or TRIGGER
    rights. It reads and writes rows: SELECT, INSERT, UPDATE, DELETE on every table, only SELECT and
    INSERT on the append-only ones, and the sequences behind the ids. All of it is granted anew in
    one transaction, so new tables are covered and nothing is left from before.
    """
    quote = connection.dialect.identifier_preparer.quote
    grantee = quote(role)
    schema = quote(connection.exec_driver_sql("SELECT current_schema()").scalar())
    existing = set(inspect(connection).get_table_names())
    append_only = ", ".join(quote(table) for table in sorted(set(append_only_tables) & existing))
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
    ]
    if "alembic_version" in existing:
        # Read (a backup reads every table), never written: migrations run as the owner.
        statements.append(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {grantee}")
    if append_only:
        statements.append(f"REVOKE UPDATE, DELETE ON {append_only} FROM {grantee}")
    for statement in statements:
        connection.exec_driver_sql(statement)


def append_only_tables(metadata) -> list[str]:
    """Return the tables whose rows are only ever inserted (``info={"append_only": True}`` on the model)."""
    return [table.name for table in metadata.sorted_tables if table.info.get("append_only")]
