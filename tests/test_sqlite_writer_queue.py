"""SQLite's write transactions wait in line for the write lock (clinic.database.WriterQueue).

SQLite-only by nature: PostgreSQL has row locks and needs no queue. No app: the engine is set up
exactly as the app sets up its own.
"""
import fcntl
import os
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from clinic.database import begin_write, configure_engine, forget_write_intent, write_next_transaction


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'queue.db'}")
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    yield engine
    engine.dispose()


def another_process_could_write(engine) -> bool:
    """Tell whether a writer in another process would get its turn now (without waiting for it)."""
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        descriptor = os.open(f"{engine.url.database}.writers", os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.write(write, b"y")
        except BlockingIOError:
            os.write(write, b"n")
        os._exit(0)
    os.waitpid(child, 0)
    answer = os.read(read, 1)
    os.close(read)
    os.close(write)
    return answer == b"y"


def test_a_write_transaction_holds_the_queue_until_it_commits(engine):
    with Session(engine) as session:
        begin_write(session)
        session.execute(text("UPDATE counter SET value = value + 1"))
        assert not another_process_could_write(engine)
        session.commit()
        assert another_process_could_write(engine)


def test_a_rolled_back_or_failed_write_lets_the_next_writer_in(engine):
    with Session(engine) as session:
        begin_write(session)
        session.execute(text("UPDATE counter SET value = 5"))
        session.rollback()
    assert another_process_could_write(engine)
    with pytest.raises(ZeroDivisionError), Session(engine) as session:
        begin_write(session)
        session.execute(text("UPDATE counter SET value = 5"))
        1 / 0  # noqa: B018 - the request fails half-way
    assert another_process_could_write(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter")).scalar() == 0


def test_reads_do_not_wait_for_the_queue(engine):
    with Session(engine) as writer, Session(engine) as reader:
        begin_write(writer)
        writer.execute(text("UPDATE counter SET value = 7"))
        assert reader.execute(text("SELECT value FROM counter")).scalar() == 0
        writer.commit()


def test_concurrent_read_then_write_transactions_all_succeed_in_turn(engine):
    """Each thread reads the counter and writes it back plus one: a lost update would show."""
    failures = []

    def add_one(times: int) -> None:
        try:
            for _ in range(times):
                with Session(engine) as session:
                    begin_write(session)
                    value = session.execute(text("SELECT value FROM counter")).scalar()
                    session.execute(text("UPDATE counter SET value = :value"), {"value": value + 1})
                    session.commit()
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=add_one, args=(25,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM counter")).scalar() == 200


def test_a_write_intent_takes_the_lock_with_the_first_statement_and_only_for_that_transaction(engine):
    intent = write_next_transaction()
    try:
        with Session(engine) as session:
            assert another_process_could_write(engine)  # nothing has started yet
            value = session.execute(text("SELECT value FROM counter")).scalar()
            assert not another_process_could_write(engine)
            session.execute(text("UPDATE counter SET value = :value"), {"value": value + 1})
            session.commit()
            assert session.execute(text("SELECT value FROM counter")).scalar() == 1
            assert another_process_could_write(engine)  # the read after the commit is a plain read
    finally:
        forget_write_intent(intent)
    with Session(engine) as session:
        session.execute(text("SELECT value FROM counter"))
        assert another_process_could_write(engine)


def test_a_second_engine_on_the_same_file_gets_database_is_locked_after_the_timeout_not_a_hang(engine, monkeypatch):
    """Two apps on one database in one process (tests make such pairs) share the file's queue.

    While the first holds a write transaction, the second waits the busy timeout (shortened here)
    and then gets SQLite's own "database is locked", as it did before the queue existed.
    """
    monkeypatch.setattr("clinic.database.BUSY_TIMEOUT_SECONDS", 0.2)
    second = create_engine(engine.url)
    configure_engine(second)
    outcome = []

    def write_through_the_second_engine():
        with Session(second) as session:
            try:
                begin_write(session)
                outcome.append("got in")
            except OperationalError as error:
                outcome.append(str(error.orig))

    with Session(engine) as first_session:
        begin_write(first_session)
        first_session.execute(text("UPDATE counter SET value = 1"))
        writer = threading.Thread(target=write_through_the_second_engine, daemon=True)
        writer.start()
        writer.join(5)
        assert outcome == ["database is locked"]
        first_session.commit()
    second.dispose()
