"""The API's hot path on PostgreSQL: token look-ups and checked reports without threads.

Providers report free beds several times a day; the API must take at least 1,000 reports
a second on PostgreSQL with two worker processes and p99 latency under 100 ms (issue 10).
Through :func:`store.reporting.append_checked` it took about 100-150: each
report went to a worker thread, through the ORM (about 8 ms of CPU a report), and the
threads queued for the interpreter lock at each of the report's round trips to the
server (a pre-ping at each checkout, the lock, three reads, two inserts, the commit, and
the token look-up in a unit of work of its own); see ``benchmarks/README.md``. So the API
keeps a few asynchronous connections per process
(:class:`~store.pg_connections.PgConnections`) and writes a report on the
event loop in plain SQL, prepared once per connection:

1. ``BEGIN``; the facility row locked (``SELECT ... FOR UPDATE``); then, in a statement of
   its own that starts once the lock is held (so its snapshot sees the report of the last
   holder), the facility's facts and an id for the new report from the ledger's sequence;
2. the reporter's scope is checked; only then, when the report has a key, is the key
   looked up (a used key is no answer to an outsider);
3. the rules of :mod:`capacity.reporting_rules`; the report and its audit entry in one
   statement; ``COMMIT``.

The transaction, the lock, the checks and the rows are those of ``append_checked``: the
same rules (:mod:`capacity.reporting_rules`), the same column values
(:func:`~store.mapping.report_values`,
:func:`~store.audit.entry_values`) and the same durability
(``synchronous_commit`` stays as the server has it). One difference: the id is drawn
before the check, so a refused or replayed report leaves a gap in the ids (a sequence
never promised none; the order of a facility's reports is that of their locks, as
before). Errors of the database are raised as SQLAlchemy raises psycopg's
(``IntegrityError``, ``DataError``, ``OperationalError``, with the server's message), so
callers map both paths alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import asyncpg
import psycopg
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from capacity.availability import AvailabilityReport
from capacity.clock import local_date
from capacity.errors import UnknownReferenceError
from capacity.reporting_rules import FacilityFacts, ReporterScope, ReportRules
from store import audit
from store import mapping as m
from store.errors import IdempotencyConflictError
from store.ledger import StoredReport
from store.pg_connections import PgConnections, connect_arguments
from store.reporting import REPORT_ACTION, audit_detail
from store.service.users import StoredUser

T = TypeVar("T")

_LOCK = "SELECT id, provider_id, region_id, beds FROM facilities WHERE id = $1 FOR UPDATE"
_FACTS = (
    "SELECT (SELECT max(effective_at) FROM availability_reports WHERE facility_id = $1), "
    "(SELECT coalesce(sum(beds), 0) FROM placements WHERE facility_id = $1 "
    "AND start <= $2 AND (actual_end IS NULL OR actual_end > $2)), "
    "nextval(pg_get_serial_sequence('availability_reports', 'id'))"
)
_BY_KEY = (
    "SELECT id, facility_id, beds_free, as_of, reporter, recorded_at, beds_free_counted "
    "FROM availability_reports WHERE idempotency_key = $1"
)
_WRITE = (
    "WITH report AS (INSERT INTO availability_reports (id, facility_id, beds_free, as_of, "
    "reporter, idempotency_key, recorded_at, effective_at, beds_free_counted) VALUES ($1, $2, "
    "$3, $4, $5, $6, coalesce($7, CURRENT_TIMESTAMP), $8, $9) RETURNING recorded_at), "
    "entry AS (INSERT INTO audit_log (actor, action, record_type, record_id, detail) "
    "VALUES ($10, $11, $12, $13, $14)) SELECT recorded_at FROM report"
)
_USER = (
    "SELECT u.id, u.name, u.role, u.provider_id, u.region_id, u.active FROM api_tokens t "
    "JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
)
# what asyncpg raises (not OSError: a refused connection stays one, and so does a
# PermissionError of the caller's scope)
_FAILURES = (asyncpg.PostgresError, asyncpg.InterfaceError)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _as_sqlalchemy(error: BaseException) -> BaseException:
    """The error SQLAlchemy raises when psycopg meets the same failure (same SQLSTATE,
    same message), so that the API's one mapping of database errors applies."""
    sqlstate = getattr(error, "sqlstate", None)
    try:
        kind = psycopg.errors.lookup(sqlstate) if sqlstate else psycopg.OperationalError
    except KeyError:
        kind = psycopg.DatabaseError
    if isinstance(error, asyncpg.exceptions.DataError):  # a value asyncpg cannot send
        kind = psycopg.DataError
    return sa_exc.DBAPIError.instance(None, None, kind(str(error)), psycopg.Error)


class PgLedger:
    """Token look-ups and checked report appends on asynchronous connections.

    Parameters
    ----------
    connect_kwargs
        Keyword arguments of :func:`asyncpg.connect`.
    size
        Most connections this process opens for the hot path.
    """

    def __init__(self, connect_kwargs: dict[str, Any], *, size: int) -> None:
        self._connections = PgConnections(connect_kwargs, size=size)

    @classmethod
    def for_engine(cls, engine: Engine, *, size: int) -> PgLedger:
        """A ledger on the database of a PostgreSQL engine (same URL, same options)."""
        return cls(connect_arguments(engine.url), size=size)

    def serves_this_loop(self) -> bool:
        """Whether the running event loop may use this ledger (see :class:`PgConnections`);
        callers on another loop take the session path."""
        return self._connections.serves_this_loop()

    def close(self) -> None:
        """Close the idle connections (they reopen when used)."""
        self._connections.close()

    async def user_for_token(self, token_hash: str) -> StoredUser | None:
        """The active user holding an unrevoked token with this hash (``None``: nobody)."""

        async def look_up(conn: Any) -> StoredUser | None:
            row = await conn.fetchrow(_USER, token_hash)
            if row is None or not row[5]:
                return None
            return StoredUser(row[0], row[1], row[2], row[3], row[4], True)

        return await self._run(look_up)

    async def append_checked(
        self,
        reports: Sequence[AvailabilityReport],
        *,
        scope: ReporterScope,
        rules: ReportRules,
        actor: str,
    ) -> list[StoredReport]:
        """Append reports that meet ``scope`` and ``rules`` in one transaction, all or nothing.

        Same contract as :func:`store.reporting.append_checked`; call it
        only when :meth:`serves_this_loop`.

        Raises
        ------
        UnknownReferenceError, IdempotencyConflictError
            As :func:`~store.reporting.append_checked`.
        sqlalchemy.exc.DBAPIError
            An error of the database, as SQLAlchemy raises it.
        """

        async def append(conn: Any) -> list[StoredReport]:
            async with conn.transaction():
                return [
                    await _append_one(conn, r, scope, rules, actor, i)
                    for i, r in enumerate(reports)
                ]

        return await self._run(append)

    async def _run(self, work: Callable[[Any], Awaitable[T]]) -> T:
        async with self._connections.connection() as conn:
            try:
                return await work(conn)
            except _FAILURES as exc:
                raise _as_sqlalchemy(exc) from exc


async def _facts(conn: Any, report: AvailabilityReport) -> tuple[FacilityFacts, int]:
    """The facility's facts under its row lock, and an id for the new report."""
    fac = await conn.fetchrow(_LOCK, report.facility_id)
    if fac is None:
        raise UnknownReferenceError("facility", report.facility_id)
    today = local_date(report.received_at or report.as_of)
    last, occupied, new_id = await conn.fetchrow(_FACTS, report.facility_id, today)
    last = None if last is None else _utc(last)
    return FacilityFacts(fac[0], fac[1], fac[2], fac[3], last, int(occupied)), int(new_id)


async def _append_one(
    conn: Any,
    report: AvailabilityReport,
    scope: ReporterScope,
    rules: ReportRules,
    actor: str,
    index: int,
) -> StoredReport:
    facts, new_id = await _facts(conn, report)
    scope.check(facts)  # before the key: a used key is no answer to an outsider
    key = report.idempotency_key or None
    if key is not None and (earlier := await conn.fetchrow(_BY_KEY, key)) is not None:
        return _replayed(earlier, report, key)
    rules.check(report, facts, index=index)
    counted = facts.counted(report.beds_free)
    v = m.report_values(report, idempotency_key=key, beds_free_counted=counted)
    new = replace(report, as_of=_utc(report.as_of), idempotency_key=key)
    detail = audit_detail(StoredReport(new_id, new, _utc(report.as_of), True, counted))
    e = audit.entry_values(
        actor=actor,
        action=REPORT_ACTION,
        record_type="facility",
        record_id=report.facility_id,
        detail=detail,
    )
    recorded = _utc(
        await conn.fetchval(
            _WRITE,
            new_id,
            v["facility_id"],
            v["beds_free"],
            v["as_of"],
            v["reporter"],
            v["idempotency_key"],
            v.get("recorded_at"),
            v["effective_at"],
            v["beds_free_counted"],
            e["actor"],
            e["action"],
            e["record_type"],
            e["record_id"],
            e["detail"],
        )
    )
    return StoredReport(new_id, replace(new, received_at=recorded), recorded, True, counted)


def _replayed(row: Any, report: AvailabilityReport, key: str) -> StoredReport:
    row_id, facility_id, beds_free, as_of, reporter, recorded, counted = row
    received = _utc(recorded)
    stored = m.stored_report(
        int(row_id), facility_id, beds_free, _utc(as_of), reporter, key, received
    )
    if not m.same_report(stored, report):
        raise IdempotencyConflictError(key)
    return StoredReport(int(row_id), stored, received, False, int(counted))
