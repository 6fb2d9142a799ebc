"""Facilities, their latest report and the availability ledger."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from fastapi import status
from starlette.concurrency import run_in_threadpool

from api.auth.roles import Role, may_report_for, reporter_scope
from api.database import Database
from api.errors import FieldError, ForbiddenError
from api.facilities.schemas import (
    AvailabilityBatch,
    AvailabilityCreate,
    AvailabilityReportPublic,
    AvailabilityReportsPublic,
    FacilitiesPublic,
    FacilityPublic,
)
from api.idempotency import Idempotency, remember, replay
from api.settings import ApiSettings
from capacity import (
    AvailabilityReport,
    Facility,
    InvalidReportError,
    OutOfScopeError,
    PlacementType,
    ReporterScope,
    ReportRules,
)
from store import (
    Repository,
    StoredReport,
    WriterBusyError,
    append_checked,
    check_scope,
    report_history,
)
from store.service import StoredAnswer, StoredUser


def capped_notice(stored: StoredReport) -> str | None:
    """Why a report counts for fewer beds than it said (``None``: it counts as said)."""
    if not stored.capped:
        return None
    return (
        f"{stored.report.beds_free} free beds were reported, but the placements recorded in "
        f"Opvang leave at most {stored.beds_free_counted} free, so {stored.beds_free_counted} "
        "are counted. If cases have left, record their discharge."
    )


def _public(
    fac: Facility, latest: StoredReport | None, *, now: datetime, stale_after: timedelta
) -> FacilityPublic:
    updated = latest.report.counts_from if latest is not None else None
    return FacilityPublic(
        id=fac.id,
        name=fac.name,
        provider_id=fac.provider_id,
        region_id=fac.region_id,
        placement_type=fac.placement_type,
        beds=fac.beds,
        beds_free=latest.report.beds_free if latest is not None else None,
        beds_free_counted=latest.beds_free_counted if latest is not None else None,
        notice=capped_notice(latest) if latest is not None else None,
        updated=updated,
        stale=updated is None or now - updated > stale_after,
        funding_stream_id=fac.funding_stream_id,
        specialisms=sorted(fac.specialisms),
        gender_policy=fac.gender_policy,
        min_age=fac.min_age,
        max_age=fac.max_age,
        max_children=fac.max_children,
        secret_address=fac.secret_address,
        languages=sorted(fac.languages),
        wheelchair_access=fac.wheelchair_access,
    )


def list_(
    db: Database,
    *,
    region: str | None,
    placement_type: PlacementType | None,
    now: datetime,
    settings: ApiSettings,
) -> FacilitiesPublic:
    """Facilities with beds, latest report and staleness, filtered by region and type."""
    with db.unit() as session:
        repo = Repository(session)
        facilities = repo.facilities()
        latest = repo.latest_stored_reports()
    stale_after = timedelta(hours=settings.stale_after_hours)
    data = [
        _public(f, latest.get(f.id), now=now, stale_after=stale_after)
        for f in facilities
        if (region is None or f.region_id == region)
        and (placement_type is None or f.placement_type == placement_type)
    ]
    return FacilitiesPublic(data=data, count=len(data))


def get(db: Database, *, facility_id: str, now: datetime, settings: ApiSettings) -> FacilityPublic:
    """One facility with its latest report."""
    with db.unit() as session:
        repo = Repository(session)
        facility = repo.facility(facility_id)
        latest = repo.latest_stored_reports().get(facility_id)
    stale_after = timedelta(hours=settings.stale_after_hours)
    return _public(facility, latest, now=now, stale_after=stale_after)


def report_public(stored: StoredReport) -> AvailabilityReportPublic:
    r = stored.report
    return AvailabilityReportPublic(
        id=stored.id,
        facility_id=r.facility_id,
        beds_free=r.beds_free,
        beds_free_counted=stored.beds_free_counted,
        notice=capped_notice(stored),
        as_of=r.as_of,
        reporter=r.reporter,
        recorded_at=stored.recorded_at,
    )


def history(
    db: Database, *, user: StoredUser, facility_id: str, limit: int, offset: int
) -> AvailabilityReportsPublic:
    """A facility's reports, newest first (a reporter: its own facilities only)."""
    with db.unit() as session:
        if user.role == Role.REGION_REPORTER:
            fac = Repository(session).facility(facility_id)
            if not may_report_for(user, provider_id=fac.provider_id, region_id=fac.region_id):
                raise ForbiddenError(f"{user.name} may not read the reports of {facility_id}")
        stored, total = report_history(session, facility_id, limit=limit, offset=offset)
    return AvailabilityReportsPublic(data=[report_public(s) for s in stored], count=total)


def _append_in_session(
    db: Database,
    reports: Sequence[AvailabilityReport],
    scope: ReporterScope,
    rules: ReportRules,
    actor: str,
) -> list[StoredReport]:
    with db.unit(immediate=True) as session:
        return append_checked(session, reports, scope=scope, rules=rules, actor=actor)


async def _append(
    db: Database,
    reports: Sequence[AvailabilityReport],
    scope: ReporterScope,
    rules: ReportRules,
    actor: str,
) -> list[StoredReport]:
    """Append all or nothing without leaving the event loop: on SQLite on the inline
    connection, on PostgreSQL on an asynchronous connection. Otherwise (when another
    process holds SQLite's write lock, or these ledgers are switched off) in a worker
    thread that waits its turn."""
    if db.inline is not None:
        try:
            return db.inline.append_checked(reports, scope=scope, rules=rules, actor=actor)
        except WriterBusyError:
            pass  # another process is writing: wait for it in a worker thread instead
    if (pg := db.pg_ledger()) is not None:
        return await pg.append_checked(reports, scope=scope, rules=rules, actor=actor)
    return await run_in_threadpool(_append_in_session, db, reports, scope, rules, actor)


def _rules(now: datetime, settings: ApiSettings) -> ReportRules:
    return ReportRules(now=now, skew=timedelta(seconds=settings.clock_skew_seconds))


@contextmanager
def _answers(locs: Sequence[list[str | int]]) -> Iterator[None]:
    """The domain's refusals as the API's: 403 outside the scope, 422 naming the field
    (``locs[i]`` says where report ``i`` sits in the request)."""
    try:
        yield
    except OutOfScopeError as exc:
        raise ForbiddenError(str(exc)) from None
    except InvalidReportError as exc:
        raise FieldError([*locs[exc.index or 0], exc.field], exc.reason) from None


async def report(
    db: Database,
    *,
    user: StoredUser,
    items: Sequence[tuple[str, AvailabilityCreate, list[str | int]]],
    key: str | None,
    now: datetime,
    settings: ApiSettings,
) -> list[StoredReport]:
    """Append reports (facility, body, where in the request) all or nothing.

    ``key`` is a single report's ``Idempotency-Key``: it is kept with the report in the
    ledger, scoped to the user (``{user id}:{key}``), so a retry replays (``created`` is
    False) at no cost besides the ledger's own look-up. A batch's key belongs to the whole
    request: see :func:`report_batch`.

    Raises
    ------
    ValueError
        When a key comes with more than one report.
    """
    if key is not None and len(items) != 1:
        raise ValueError("a key with several reports is a batch's: use report_batch")
    ledger_key = None if key is None else f"{user.id}:{key}"
    reports = [
        AvailabilityReport(
            facility_id, body.beds_free, body.as_of, user.name, ledger_key, received_at=now
        )
        for facility_id, body, _ in items
    ]
    with _answers([loc for _, _, loc in items]):
        return await _append(db, reports, reporter_scope(user), _rules(now, settings), user.name)


def reports_public(stored: Sequence[StoredReport]) -> AvailabilityReportsPublic:
    return AvailabilityReportsPublic(data=[report_public(s) for s in stored], count=len(stored))


def _append_batch_once(
    db: Database,
    reports: Sequence[AvailabilityReport],
    scope: ReporterScope,
    rules: ReportRules,
    actor: str,
    idem: Idempotency,
) -> AvailabilityReportsPublic | StoredAnswer:
    with db.unit(immediate=True) as session:
        check_scope(session, [r.facility_id for r in reports], scope)  # before the key
        if (answer := replay(session, idem)) is not None:
            return answer
        _each_facility_once(reports)
        stored = append_checked(session, reports, scope=scope, rules=rules, actor=actor)
        result = reports_public(stored)
        remember(session, idem, status.HTTP_201_CREATED, result)
        return result


def _each_facility_once(reports: Sequence[AvailabilityReport]) -> None:
    """422 when a batch names a facility twice: two counts of one facility at once cannot
    both be true (issue 10: both were stored with the same time). Checked after a batch's
    key (a retry replays; a key reused for another body is that error first)."""
    first: dict[str, int] = {}
    for index, item in enumerate(reports):
        earlier = first.setdefault(item.facility_id, index)
        if earlier != index:
            raise FieldError(
                ["body", "reports", index, "facility_id"],
                f"names {item.facility_id} again (first in reports[{earlier}]); a batch "
                "reports each facility at most once",
            )


async def report_batch(
    db: Database,
    *,
    user: StoredUser,
    batch: AvailabilityBatch,
    idem: Idempotency | None,
    now: datetime,
    settings: ApiSettings,
) -> AvailabilityReportsPublic | StoredAnswer:
    """Append a batch all or nothing; a retry with the same key gets the first answer.

    The key belongs to the whole request: its answer is stored (in the write's
    transaction) with the fingerprint of the whole body, so a retry replays the first
    answer and the same key with another body is refused. Its reports carry no ledger key,
    so a single report's key never meets a batch's.
    """
    reports = [
        AvailabilityReport(
            item.facility_id, item.beds_free, item.as_of, user.name, None, received_at=now
        )
        for item in batch.reports
    ]
    locs: list[list[str | int]] = [["body", "reports", i] for i in range(len(reports))]
    scope, rules = reporter_scope(user), _rules(now, settings)
    with _answers(locs):
        if idem is None:
            _each_facility_once(reports)
            return reports_public(await _append(db, reports, scope, rules, user.name))
        return await run_in_threadpool(
            _append_batch_once, db, reports, scope, rules, user.name, idem
        )
