"""A process's SQLite writers take their turns in the order they came (issue 10).

SQLite's own waiting lets a writer that arrives later take the lock before one that has
waited long; under steady load the one that waits can wait past the busy timeout (the
load test of ``tests/api/test_load_and_crash.py`` got a 503 on a busy machine).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

import store.engine
from capacity.reporting_rules import ReporterScope, ReportRules
from store import InlineLedger, WriterBusyError, ensure_database, session_scope
from store.write_queue import WriteQueue

WAIT_S = 10.0  # seconds a test waits for a thread to get somewhere (never on a good run)
HAMMERS = 3  # writers that queue again as soon as their turn is over
HOLD_S = 0.02  # seconds each of their units of work keeps the write lock
OVERTAKE_CAP_S = 5.0  # seconds they keep at it when the waiting writer never gets in


def _soon(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "a thread did not get there in time"
        time.sleep(0.001)


@contextmanager
def _a_turn_held(engine: Engine) -> Iterator[None]:
    """Another thread holds its turn (its first statement, BEGIN IMMEDIATE, not yet sent)
    for as long as the block runs."""
    holding, done = threading.Event(), threading.Event()

    def holder() -> None:
        with session_scope(engine, immediate=True):
            holding.set()
            done.wait(WAIT_S)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert holding.wait(WAIT_S)
        yield
    finally:
        done.set()
        thread.join(timeout=WAIT_S)


def _path(sqlite_url: str) -> Path:
    return Path(sqlite_url.removeprefix("sqlite:///"))


def test_waiting_threads_get_their_turns_in_the_order_they_came() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=0)
    order: list[int] = []

    def writer(n: int) -> None:
        assert queue.acquire(timeout=WAIT_S)
        order.append(n)
        queue.release()

    threads = []
    for n in range(4):
        threads.append(threading.Thread(target=writer, args=(n,)))
        threads[-1].start()
        _soon(lambda n=n: queue.waiting == n + 1)
    queue.release()
    for t in threads:
        t.join(timeout=WAIT_S)
    assert order == [0, 1, 2, 3]
    assert queue.acquire(timeout=0)  # free again


def test_a_thread_whose_turn_does_not_come_in_time_leaves_the_queue() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=0)
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(queue.acquire(timeout=0.05)))
    thread.start()
    thread.join(timeout=WAIT_S)
    assert got == [False]
    assert queue.waiting == 0
    queue.release()
    assert queue.acquire(timeout=0)


def test_the_thread_holding_its_turn_may_take_it_again() -> None:
    queue = WriteQueue()
    assert queue.acquire(timeout=0)
    assert queue.acquire(timeout=0)
    queue.release()
    got: list[bool] = []
    other = threading.Thread(target=lambda: got.append(queue.acquire(timeout=0)))
    other.start()
    other.join(timeout=WAIT_S)
    assert got == [False]  # still held: released once of twice
    queue.release()
    with pytest.raises(RuntimeError):
        queue.release()


def test_a_waiting_writer_is_not_overtaken_by_writers_that_keep_coming(sqlite_url: str) -> None:
    engine = ensure_database(sqlite_url)
    stop = threading.Event()
    turns: list[float] = []  # when each hammer's unit of work got the write lock

    def hammer() -> None:
        while not stop.is_set():
            with session_scope(engine, immediate=True) as session:
                session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the lock is ours
                turns.append(time.monotonic())
                time.sleep(HOLD_S)

    hammers = [threading.Thread(target=hammer) for _ in range(HAMMERS)]
    cap = threading.Timer(OVERTAKE_CAP_S, stop.set)  # in case the writer never gets in
    try:
        for t in hammers:
            t.start()
        _soon(lambda: len(turns) >= 3 * HAMMERS)  # they take turns
        cap.start()
        arrived = time.monotonic()
        with session_scope(engine, immediate=True) as session:
            session.execute(text("SELECT 1"))
            got_in = time.monotonic()
    finally:
        cap.cancel()
        stop.set()
        for t in hammers:
            t.join(timeout=WAIT_S)
        engine.dispose()
    overtaken = [t for t in turns if arrived < t < got_in]
    # in line behind at most the one writer holding the lock and the others waiting already
    assert len(overtaken) <= HAMMERS, f"overtaken {len(overtaken)} times in {got_in - arrived} s"


def test_a_writer_whose_turn_does_not_come_gets_database_is_locked(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ensure_database(sqlite_url)
    monkeypatch.setattr(store.engine, "SQLITE_BUSY_TIMEOUT_S", 0.1)
    with (
        _a_turn_held(engine),
        pytest.raises(OperationalError, match="database is locked"),
        session_scope(engine, immediate=True) as session,
    ):
        session.execute(text("SELECT 1"))
    engine.dispose()


def test_the_inline_ledger_does_not_overtake_a_writer_of_its_process(sqlite_url: str) -> None:
    engine = ensure_database(sqlite_url)
    ledger = InlineLedger(str(_path(sqlite_url)))
    scope = ReporterScope("admin", everything=True)
    rules = ReportRules(datetime.now(UTC), timedelta(0))
    with _a_turn_held(engine), pytest.raises(WriterBusyError):
        # the caller then waits its turn in a thread
        ledger.append_checked([], scope=scope, rules=rules, actor="admin")
    assert ledger.append_checked([], scope=scope, rules=rules, actor="admin") == []
    ledger.close()
    engine.dispose()
