"""The asynchronous PostgreSQL ledger writes what ``append_checked`` writes (issue 10).

The same reports go to twin facilities (same beds, same placements), one through
:func:`store.append_checked` in a session, one through
:class:`store.PgLedger`: the same answers (new, replayed, refused, a key
used for another report), the same ledger rows and the same audit entries. Then two
writers report on one facility at once: the second is checked only after the first
committed, so a check only one of them should pass is passed by one. And the ledger's
connections: handed to waiters in turn, a spoiled one closed, one event loop served.
PostgreSQL only (``TEST_DATABASE_URL``); the options parser runs everywhere.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from capacity import (
    AvailabilityReport,
    Dataset,
    FacilityFacts,
    InvalidReportError,
    OutOfScopeError,
    ReporterScope,
    ReportRules,
    UnknownReferenceError,
)
from store import (
    IdempotencyConflictError,
    PgLedger,
    Repository,
    StoredReport,
    append_checked,
    session_scope,
)
from store.pg_connections import PgConnections, connect_arguments
from store.service import UserRepository

ON_POSTGRES = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
pytestmark = pytest.mark.postgres

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
FACILITY = "cosm-leeuwarden"  # 6 beds in small_dataset, 2 taken from 30 April
TWIN = "cosm-leeuwarden-twin"
Outcome = tuple[str, Any]


RULES = ReportRules(now=T0 + timedelta(days=1), skew=timedelta(minutes=5))
anyone = ReporterScope("hvo", everything=True)
nobody = ReporterScope("hvo")


class HoldingRules(ReportRules):
    """The domain's rules, with a step before them: a test holds a writer inside its
    check (while it holds the facility's lock) or sees the facts it was checked on."""

    def __init__(self, before: Callable[[FacilityFacts], None]) -> None:
        super().__init__(now=RULES.now, skew=RULES.skew)
        object.__setattr__(self, "_before", before)

    def check(self, report: AvailabilityReport, facts: FacilityFacts, *, index: int) -> None:
        self._before(facts)
        super().check(report, facts, index=index)


@pytest.fixture
def twins(engine: Engine, small_dataset: Dataset) -> Engine:
    """``small_dataset`` without reports, plus a twin of cosm-leeuwarden with the same
    beds and a copy of each of its placements (so the same beds are taken)."""
    base = next(f for f in small_dataset.facilities if f.id == FACILITY)
    copies = [
        replace(p, id=f"{p.id}-twin", facility_id=TWIN)
        for p in small_dataset.placements
        if p.facility_id == FACILITY
    ]
    dataset = replace(
        small_dataset,
        reports=(),
        facilities=(*small_dataset.facilities, replace(base, id=TWIN)),
        placements=(*small_dataset.placements, *copies),
    )
    with session_scope(engine) as session:
        Repository(session).save_dataset(dataset)
    return engine


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def report(
    facility: str, beds: int, minutes: float, key: str | None, *, received: float | None = None
) -> AvailabilityReport:
    arrival = at(minutes + 1 if received is None else received)
    return AvailabilityReport(facility, beds, at(minutes), "hvo", key, received_at=arrival)


def scenario(facility: str) -> list[tuple[list[AvailabilityReport], ReporterScope]]:
    """Steps (reports, scope): new and capped, retry, key reused, no key, older,
    ahead of its receipt, a batch, a batch whose second report is older, an outsider
    with a used key, an unknown facility."""
    k = f"{facility}:"
    return [
        ([report(facility, 6, 0, k + "1")], anyone),
        ([report(facility, 6, 0, k + "1", received=30)], anyone),
        ([report(facility, 5, 0, k + "1")], anyone),
        ([report(facility, 3, 10, None)], anyone),
        ([report(facility, 2, 5, k + "older")], anyone),
        ([report(facility, 4, 20, k + "ahead", received=18)], anyone),
        ([report(facility, 5, 30, k + "b1"), report(facility, 6, 40, k + "b2")], anyone),
        ([report(facility, 6, 50, k + "b3"), report(facility, 5, 45, k + "b4")], anyone),
        ([report(facility, 5, 0, k + "1")], nobody),
        ([report("nowhere", 1, 60, k + "x")], anyone),
    ]


REFUSALS = (InvalidReportError, IdempotencyConflictError, OutOfScopeError, UnknownReferenceError)


def outcome(call: Callable[[], Sequence[StoredReport]]) -> Outcome:
    try:
        return "stored", list(call())
    except REFUSALS as e:
        return "refused", type(e).__name__


def through_sessions(engine: Engine) -> list[Outcome]:
    def step(reports: list[AvailabilityReport], scope: ReporterScope) -> Outcome:
        def call() -> list[StoredReport]:
            with session_scope(engine, immediate=True) as session:
                return append_checked(session, reports, scope=scope, rules=RULES, actor="hvo")

        return outcome(call)

    return [step(reports, scope) for reports, scope in scenario(FACILITY)]


def through_ledger(engine: Engine) -> list[Outcome]:
    async def run() -> list[Outcome]:
        ledger = PgLedger.for_engine(engine, size=2)
        out = []
        try:
            for reports, scope in scenario(TWIN):
                try:
                    stored = await ledger.append_checked(
                        reports, scope=scope, rules=RULES, actor="hvo"
                    )
                    out.append(("stored", stored))
                except REFUSALS as e:
                    out.append(("refused", type(e).__name__))
        finally:
            ledger.close()
        return out

    return asyncio.run(run())


def comparable(outcomes: list[Outcome], ids: dict[int, int]) -> list[Any]:
    """Outcomes with the row ids replaced by their rank and the keys without the
    facility's prefix."""

    def plain(stored: StoredReport) -> tuple[Any, ...]:
        r = stored.report
        key = None if r.idempotency_key is None else r.idempotency_key.split(":", 1)[1]
        return (ids[stored.id], r.beds_free, r.as_of, r.reporter, key, r.received_at,
                stored.recorded_at, stored.created, stored.beds_free_counted)  # fmt: skip

    return [
        (kind, [plain(s) for s in value] if kind == "stored" else value) for kind, value in outcomes
    ]


def rows(engine: Engine, facility: str) -> tuple[list[Any], list[Any], dict[int, int]]:
    """The facility's ledger rows and audit entries; the map from report id to rank."""
    with engine.connect() as conn:
        reports = conn.execute(
            text(
                "SELECT id, beds_free, as_of, reporter, idempotency_key, recorded_at, "
                "effective_at, beds_free_counted FROM availability_reports "
                "WHERE facility_id = :f ORDER BY id"
            ),
            {"f": facility},
        ).all()
        entries = conn.execute(
            text(
                "SELECT actor, action, record_type, detail FROM audit_log "
                "WHERE record_id = :f ORDER BY id"
            ),
            {"f": facility},
        ).all()
    ids = {row[0]: rank for rank, row in enumerate(reports)}
    ledger = [(*row[1:4], row[4] and row[4].split(":", 1)[1], *row[5:]) for row in reports]
    audit = [
        (*entry[:3], _ranked(entry[3], reports)) for entry in entries
    ]  # the detail names the report's id
    return ledger, audit, ids


def _ranked(detail: str, reports: Sequence[Any]) -> str:
    for rank, row in enumerate(reports):
        detail = detail.replace(f'"report_id": {row[0]}', f'"report_id": #{rank}')
    return detail


@ON_POSTGRES
def test_the_ledger_writes_and_answers_what_append_checked_does(database_url, twins):
    by_session = through_sessions(twins)
    by_ledger = through_ledger(twins)
    session_rows, session_audit, session_ids = rows(twins, FACILITY)
    ledger_rows, ledger_audit, ledger_ids = rows(twins, TWIN)
    assert [kind for kind, _ in by_session] == [
        "stored", "stored", "refused", "stored", "refused",
        "stored", "stored", "refused", "refused", "refused",
    ]  # fmt: skip
    assert comparable(by_ledger, ledger_ids) == comparable(by_session, session_ids)
    assert ledger_rows == session_rows
    assert ledger_audit == session_audit
    assert len(session_rows) == 5  # new, no key, ahead, and the batch of two
    first = by_ledger[0][1][0]
    assert first.beds_free_counted < first.report.beds_free  # capped by the placements
    replayed = by_ledger[1][1][0]
    assert replayed.created is False
    assert replayed.id == first.id


@ON_POSTGRES
def test_tokens_are_looked_up_as_the_repository_does(database_url, engine):
    with session_scope(engine) as session:
        users = UserRepository(session)
        active = users.add_user(name="active", role="admin")
        users.add_token(user_id=active.id, token_hash="a" * 64)
        gone = users.add_user(name="gone", role="admin")
        users.add_token(user_id=gone.id, token_hash="g" * 64)
        users.set_active(user_id=gone.id, active=False)

    async def look_up(hashes: list[str]) -> list[Any]:
        ledger = PgLedger.for_engine(engine, size=1)
        try:
            return [await ledger.user_for_token(h) for h in hashes]
        finally:
            ledger.close()

    hashes = ["a" * 64, "g" * 64, "n" * 64]
    with session_scope(engine) as session:
        expected = [UserRepository(session).user_for_token(h) for h in hashes]
    assert asyncio.run(look_up(hashes)) == expected
    assert expected[0] is not None
    assert expected[1:] == [None, None]


def _write_in_thread(
    engine: Engine, writer: str, item: AvailabilityReport, checker: ReportRules
) -> tuple[threading.Thread, list[Any]]:
    """Append one report on its own connection in a thread; the outcome lands in a list."""
    result: list[Any] = []

    def run() -> None:
        try:
            if writer == "session":
                with session_scope(engine, immediate=True) as session:
                    result.append(
                        append_checked(session, [item], scope=anyone, rules=checker, actor="x")
                    )
                return

            async def go() -> list[StoredReport]:
                ledger = PgLedger.for_engine(engine, size=1)
                try:
                    return await ledger.append_checked(
                        [item], scope=anyone, rules=checker, actor="x"
                    )
                finally:
                    ledger.close()

            result.append(asyncio.run(go()))
        except Exception as exc:
            result.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@ON_POSTGRES
@pytest.mark.parametrize("second", ["ledger", "session"])
def test_two_reports_for_one_facility_are_checked_one_after_the_other(database_url, twins, second):
    """The first holds the facility's lock in its check; the second, dated earlier,
    waits and is then checked against the first: refused as older. Without the lock
    both would pass, each seeing an empty ledger."""
    inside, release = threading.Event(), threading.Event()
    seen: list[FacilityFacts] = []

    def hold(_: FacilityFacts) -> None:
        inside.set()
        assert release.wait(10)

    later, earlier = report(FACILITY, 3, 10, "later"), report(FACILITY, 2, 5, "earlier")
    first, first_result = _write_in_thread(twins, "ledger", later, HoldingRules(hold))
    assert inside.wait(10)
    second_thread, second_result = _write_in_thread(
        twins, second, earlier, HoldingRules(seen.append)
    )
    second_thread.join(0.5)
    assert seen == []  # still waiting for the lock
    release.set()
    first.join(10)
    second_thread.join(10)
    assert [s.report.beds_free for s in first_result[0]] == [3]
    assert isinstance(second_result[0], InvalidReportError)
    assert second_result[0].field == "as_of"  # older than the first
    assert [f.last_counts_from for f in seen] == [later.counts_from]


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        ("-csearch_path=opvang_t_1", {"search_path": "opvang_t_1"}),
        (
            "-c search_path=a -c statement-timeout=5s",
            {"search_path": "a", "statement_timeout": "5s"},
        ),
        ("--lock_timeout=1s", {"lock_timeout": "1s"}),
    ],
)
def test_libpq_options_become_server_settings(options, settings):
    url = make_url("postgresql+psycopg://root@127.0.0.1:5432/test").update_query_dict(
        {"options": options, "application_name": "opvang"}
    )
    arguments = connect_arguments(url)
    assert arguments["server_settings"] == settings
    assert arguments["dsn"] == "postgresql://root@127.0.0.1:5432/test?application_name=opvang"


def test_options_other_than_settings_are_refused():
    url = make_url("postgresql+psycopg://root@localhost/test?options=-v")
    with pytest.raises(ValueError, match="name=value"):
        connect_arguments(url)


@ON_POSTGRES
def test_connections_go_to_waiters_in_turn_and_a_spoiled_one_is_replaced(database_url, engine):
    """One connection, three users at once: served in the order they asked; a connection
    given back inside a transaction is closed, not handed on."""
    connections = PgConnections(connect_arguments(engine.url), size=1)
    order: list[int] = []

    async def use(n: int, leave_open: bool = False) -> int:
        async with connections.connection() as conn:
            order.append(n)
            if leave_open:
                await conn.execute("BEGIN")
            await asyncio.sleep(0.01)
            pid: int = conn.get_server_pid()
            return pid

    async def run() -> list[int]:
        try:
            first = asyncio.create_task(use(1, leave_open=True))
            await asyncio.sleep(0)
            rest = [asyncio.create_task(use(n)) for n in (2, 3)]
            return [await first, *[await task for task in rest]]
        finally:
            connections.close()

    pids = asyncio.run(run())
    assert order == [1, 2, 3]
    assert pids[0] != pids[1]  # the first was left in a transaction: closed
    assert pids[1] == pids[2]  # the second was handed on


@ON_POSTGRES
def test_connections_serve_only_the_loop_that_took_them(database_url, engine):
    connections = PgConnections(connect_arguments(engine.url), size=1)

    async def serves() -> bool:
        return connections.serves_this_loop()

    assert asyncio.run(serves()) is True
    assert asyncio.run(serves()) is False  # another loop: the caller takes its other path
    connections.close()
    assert asyncio.run(serves()) is True
