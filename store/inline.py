"""One SQLite connection for the API's hot path, used without leaving the event loop.

Providers report free beds several times a day from their own systems; the API must take
at least 1,000 reports a second on the embedded SQLite database with p99 latency under
50 ms (issue 4). Measured on this kind of machine, the obvious designs miss that: with a
pool of connections SQLite writers back off on each other's locks (p99 840 ms at 32
connections); a thread hop per request costs more than the write itself. So the API keeps
one dedicated connection and runs each report's short write transaction inline:

- ``BEGIN IMMEDIATE`` takes the write lock at the start, so the checks made inside the
  transaction (last report, idempotency key) hold when the row is written;
- the busy timeout is 0: when another connection holds the write lock, or another writer
  of this process has or awaits its turn (:mod:`store.write_queue`: the report does not
  overtake it), the call raises :class:`WriterBusyError` at once instead of stalling the
  event loop, and the caller falls back to :func:`store.reporting.append_checked` in a
  worker thread, which waits its turn as usual;
- statements are prepared once (sqlite3's statement cache) and run as plain SQL;
- the connection never checkpoints the WAL itself (a checkpoint syncs the file and would
  stall the loop every few hundred reports): a background thread with its own connection
  runs passive checkpoints, which never block writers.

It writes exactly the rows :func:`~store.reporting.append_checked` writes
(ledger row and audit entry), in the same formats, and applies the same check.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from capacity.availability import AvailabilityReport
from capacity.clock import local_date
from capacity.errors import InvalidFieldError, UnknownReferenceError
from capacity.reporting_rules import FacilityFacts, ReporterScope, ReportRules
from store import mapping as m
from store.errors import IdempotencyConflictError, PersistenceError
from store.ledger import StoredReport
from store.models import KEY_LENGTH, NAME_LENGTH
from store.reporting import REPORT_ACTION, audit_detail
from store.service.users import StoredUser
from store.write_queue import for_file

CHECKPOINT_EVERY_S = 0.5  # seconds between background WAL checkpoints
SQLITE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite

_BY_KEY = (
    "SELECT id, facility_id, beds_free, as_of, reporter, recorded_at, beds_free_counted "
    "FROM availability_reports WHERE idempotency_key = ?"
)
_FACILITY = "SELECT id, provider_id, region_id, beds FROM facilities WHERE id = ?"
_LAST = "SELECT max(effective_at) FROM availability_reports WHERE facility_id = ?"
_OCCUPIED = (
    "SELECT coalesce(sum(beds), 0) FROM placements WHERE facility_id = ? AND start <= ? "
    "AND (actual_end IS NULL OR actual_end > ?)"
)
_INSERT = (
    "INSERT INTO availability_reports (facility_id, beds_free, as_of, reporter, idempotency_key,"
    " recorded_at, effective_at, beds_free_counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)
_AUDIT = (
    "INSERT INTO audit_log (actor, action, record_type, record_id, detail) "
    "VALUES (?, ?, 'facility', ?, ?)"
)
_USER = (
    "SELECT u.id, u.name, u.role, u.provider_id, u.region_id, u.active FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)


class WriterBusyError(PersistenceError):
    """Another connection holds SQLite's write lock; retry on a connection that may wait."""


def _checkpoint_until(path: str, stop: threading.Event) -> None:
    """Passive WAL checkpoints every :data:`CHECKPOINT_EVERY_S` until ``stop`` is set."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        while not stop.wait(CHECKPOINT_EVERY_S):
            with contextlib.suppress(sqlite3.OperationalError):  # busy: next time
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        with contextlib.suppress(sqlite3.OperationalError):
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()


def _to_db(moment: datetime) -> str:
    """The text SQLAlchemy stores for a UTC moment in SQLite (``SQLITE_TIME_FORMAT``)."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _from_db(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class InlineLedger:
    """The dedicated connection: token look-ups and checked report appends.

    Parameters
    ----------
    path
        The SQLite database file (migrated already).
    synchronous
        SQLite ``synchronous`` level for this connection: ``NORMAL`` (in WAL mode, a
        commit survives a crash of the process, the last commits may be lost on a power
        cut) or ``FULL`` (every commit is synced to disk).
    """

    def __init__(self, path: str, *, synchronous: str = "NORMAL") -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self._conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, cached_statements=32
        )
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=0"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute("PRAGMA wal_autocheckpoint=0")
        self._queue = for_file(path)
        self._stop = threading.Event()
        self._checkpointer = threading.Thread(
            target=_checkpoint_until, args=(path, self._stop), name="opvang-wal-checkpoint"
        )
        self._checkpointer.daemon = True
        self._checkpointer.start()

    def close(self) -> None:
        """Stop the checkpoints and close the connection."""
        self._stop.set()
        self._checkpointer.join()
        self._conn.close()

    def user_for_token(self, token_hash: str) -> StoredUser | None:
        """The active user holding an unrevoked token with this hash (``None``: nobody)."""
        row = self._conn.execute(_USER, (token_hash,)).fetchone()
        if row is None or not row[5]:
            return None
        return StoredUser(row[0], row[1], row[2], row[3], row[4], True)

    def append_checked(
        self,
        reports: Sequence[AvailabilityReport],
        *,
        scope: ReporterScope,
        rules: ReportRules,
        actor: str,
    ) -> list[StoredReport]:
        """Append reports that meet ``scope`` and ``rules`` in one transaction, all or nothing.

        Same contract as :func:`store.reporting.append_checked`.

        Raises
        ------
        WriterBusyError
            When another connection holds the write lock, or another writer of this
            process has or awaits its turn (nothing was written).
        UnknownReferenceError, IdempotencyConflictError
            As :func:`~store.reporting.append_checked`.
        """
        if not self._queue.acquire(timeout=0):
            raise WriterBusyError("another writer of this process has or awaits the write lock")
        try:
            return self._append_all(reports, scope, rules, actor)
        finally:
            self._queue.release()

    def _append_all(
        self,
        reports: Sequence[AvailabilityReport],
        scope: ReporterScope,
        rules: ReportRules,
        actor: str,
    ) -> list[StoredReport]:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise WriterBusyError(str(exc)) from exc
        try:
            out = [
                self._append_one(report, scope, rules, actor, index)
                for index, report in enumerate(reports)
            ]
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        return out

    def _append_one(
        self,
        report: AvailabilityReport,
        scope: ReporterScope,
        rules: ReportRules,
        actor: str,
        index: int,
    ) -> StoredReport:
        key = report.idempotency_key or None
        conn = self._conn
        fac = conn.execute(_FACILITY, (report.facility_id,)).fetchone()
        if fac is None:
            raise UnknownReferenceError("facility", report.facility_id)
        last = conn.execute(_LAST, (report.facility_id,)).fetchone()[0]
        received = report.received_at or datetime.now(UTC)
        today = local_date(received).isoformat()
        occupied = conn.execute(_OCCUPIED, (report.facility_id, today, today)).fetchone()[0]
        facts = FacilityFacts(
            fac[0], fac[1], fac[2], fac[3], last and _from_db(last), int(occupied)
        )
        scope.check(facts)  # before the key: a used key is no answer to an outsider
        if key is not None and (earlier := conn.execute(_BY_KEY, (key,)).fetchone()) is not None:
            return _replayed(earlier, report, key)
        rules.check(report, facts, index=index)
        _check_lengths(report.reporter, key)
        new = AvailabilityReport(
            report.facility_id,
            report.beds_free,
            report.as_of.astimezone(UTC),
            report.reporter,
            key,
            received.astimezone(UTC),
        )
        counted = facts.counted(report.beds_free)
        (row_id,) = conn.execute(
            _INSERT,
            (
                new.facility_id,
                new.beds_free,
                _to_db(new.as_of),
                new.reporter,
                key,
                _to_db(received),
                _to_db(new.counts_from),
                counted,
            ),
        ).fetchone()
        stored = StoredReport(row_id, new, received.astimezone(UTC), True, counted)
        detail = json.dumps(audit_detail(stored), sort_keys=True)
        conn.execute(_AUDIT, (actor, REPORT_ACTION, report.facility_id, detail))
        return stored


def _check_lengths(reporter: str, key: str | None) -> None:
    # what mapping.checked() does for these two columns, without its per-call reflection
    if len(reporter) > NAME_LENGTH:
        raise InvalidFieldError(
            "availability_reports.reporter", f"at most {NAME_LENGTH} characters"
        )
    if key is not None and len(key) > KEY_LENGTH:
        raise InvalidFieldError(
            "availability_reports.idempotency_key", f"at most {KEY_LENGTH} characters"
        )


def _replayed(row: tuple[object, ...], report: AvailabilityReport, key: str) -> StoredReport:
    row_id, facility_id, beds_free, as_of, reporter, recorded, counted = row
    received = _from_db(str(recorded))
    stored = m.stored_report(
        int(str(row_id)),
        str(facility_id),
        int(str(beds_free)),
        _from_db(str(as_of)),
        str(reporter),
        key,
        received,
    )
    if not m.same_report(stored, report):
        raise IdempotencyConflictError(key)
    return StoredReport(int(str(row_id)), stored, received, False, int(str(counted)))
