"""Checked availability reports: the API's write path into the ledger.

A report from a provider's system is appended only after the rules of
:mod:`capacity.reporting_rules` (who may report for the facility, the bed count within
range, no older than the last report), checked *inside* the write transaction on the
facility's current facts, so that two reports arriving at once cannot both pass a check
that only one of them should. Each new
report is audited in the same transaction; a retry (same idempotency key, same content)
returns the report stored the first time and writes nothing. Who may report for the
facility is checked first, before the key is looked up: a key says nothing to a reporter
about a facility outside its scope (a 403, never a 422 for a used key).

Three implementations share these rules: :func:`append_checked` on a SQLAlchemy session
(PostgreSQL, with the facility row locked), and :class:`store.inline.InlineLedger`
(SQLite, one connection used without leaving the event loop; see there why) and
:mod:`store.pg_ledger` (PostgreSQL on the event loop).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from capacity.availability import AvailabilityReport
from capacity.clock import local_date
from capacity.errors import OutOfScopeError, UnknownReferenceError
from capacity.reporting_rules import FacilityFacts, ReporterScope, ReportRules
from store import audit, ledger
from store import mapping as m
from store.errors import IdempotencyConflictError
from store.ledger import StoredReport
from store.models import AvailabilityReportRow, FacilityRow, PlacementRow

REPORT_ACTION = "availability.report"  # audit action of a new report


def audit_detail(stored: StoredReport) -> dict[str, object]:
    """The audit detail of a new report: its ledger id and counts (no free text)."""
    detail: dict[str, object] = {"report_id": stored.id, "beds_free": stored.report.beds_free}
    if stored.capped:
        detail["beds_free_counted"] = stored.beds_free_counted
    return detail


def append_checked(
    session: Session,
    reports: Sequence[AvailabilityReport],
    *,
    scope: ReporterScope,
    rules: ReportRules,
    actor: str,
) -> list[StoredReport]:
    """Append reports that meet the rules (:mod:`capacity.reporting_rules`); all or
    nothing (the caller owns the transaction).

    Each report should carry ``received_at`` (the server's clock): it bounds the moment
    the report counts from and is stored as ``recorded_at``.

    On PostgreSQL the facility row is locked (``SELECT ... FOR UPDATE``) before its latest
    report is read, so concurrent reports for one facility are checked one after another.
    On SQLite, open the session with ``session_scope(engine, immediate=True)``.

    Parameters
    ----------
    session
        The unit of work.
    reports
        The reports, in order; a later one is checked against an earlier one of the batch.
    scope
        The facilities the reporter may report for; checked for every report, a retry
        included, before its idempotency key is looked up.
    rules
        The rules a new report must meet (its clock and the tolerated skew).
    actor
        Who reports, for the audit log.

    Returns
    -------
    list of StoredReport
        One per report; ``created`` is False for a retry.

    Raises
    ------
    UnknownReferenceError
        When a facility does not exist.
    OutOfScopeError
        When a facility is outside the reporter's scope.
    InvalidReportError
        When a new report breaks a rule (naming the field and the report's index).
    IdempotencyConflictError
        When a key was already used for a different report.
    """
    out = []
    for index, report in enumerate(reports):
        facts = _facts(session, report.facility_id, local_date(report.received_at or report.as_of))
        scope.check(facts)  # before the key: a used key is no answer to an outsider
        earlier = _replay(session, report)
        if earlier is not None:
            out.append(earlier)
            continue
        rules.check(report, facts, index=index)
        row = AvailabilityReportRow(
            **m.report_values(
                report,
                idempotency_key=report.idempotency_key or None,
                beds_free_counted=facts.counted(report.beds_free),
            )
        )
        session.add(row)
        session.flush()
        stored = ledger.stored(row, created=True)
        audit.record(
            session,
            actor=actor,
            action=REPORT_ACTION,
            record_type="facility",
            record_id=report.facility_id,
            detail=audit_detail(stored),
        )
        out.append(stored)
    return out


def check_scope(session: Session, facility_ids: Sequence[str], scope: ReporterScope) -> None:
    """Check the reporter's scope on each of these facilities, in order (no lock, no report
    read): for a caller that must refuse an outsider before it looks anything else up (a
    batch's stored answer, say); :func:`append_checked` checks the scope itself.

    Raises
    ------
    UnknownReferenceError
        When a facility does not exist.
    OutOfScopeError
        When a facility is outside the scope.
    """
    wanted = list(dict.fromkeys(facility_ids))
    f = FacilityRow
    query = select(f.id, f.provider_id, f.region_id).where(f.id.in_(wanted))
    found = {row.id: (row.provider_id, row.region_id) for row in session.execute(query)}
    for facility_id in wanted:
        if facility_id not in found:
            raise UnknownReferenceError("facility", facility_id)
        provider_id, region_id = found[facility_id]
        if not scope.covers(provider_id, region_id):
            raise OutOfScopeError(scope.reporter, facility_id)


def _replay(session: Session, report: AvailabilityReport) -> StoredReport | None:
    if not report.idempotency_key:
        return None
    r = AvailabilityReportRow
    row = session.scalars(select(r).where(r.idempotency_key == report.idempotency_key)).first()
    if row is None:
        return None
    if not m.same_report(m.to_report(row), report):
        raise IdempotencyConflictError(report.idempotency_key)
    return ledger.stored(row, created=False)


def _facts(session: Session, facility_id: str, today: date) -> FacilityFacts:
    query = select(FacilityRow).where(FacilityRow.id == facility_id).with_for_update()
    fac = session.scalars(query).first()
    if fac is None:
        raise UnknownReferenceError("facility", facility_id)
    r, p = AvailabilityReportRow, PlacementRow
    last = session.scalar(select(func.max(r.effective_at)).where(r.facility_id == facility_id))
    active = (
        p.facility_id == facility_id,
        p.start <= today,
        or_(p.actual_end.is_(None), p.actual_end > today),
    )
    occupied = session.scalar(select(func.coalesce(func.sum(p.beds), 0)).where(*active))
    return FacilityFacts(fac.id, fac.provider_id, fac.region_id, fac.beds, last, int(occupied or 0))


def report_history(
    session: Session, facility_id: str, *, limit: int, offset: int = 0
) -> tuple[list[StoredReport], int]:
    """A facility's reports, newest first, and how many there are.

    Raises
    ------
    UnknownReferenceError
        When the facility does not exist.
    """
    if session.get(FacilityRow, facility_id) is None:
        raise UnknownReferenceError("facility", facility_id)
    r = AvailabilityReportRow
    where = r.facility_id == facility_id
    total = session.scalar(select(func.count()).select_from(r).where(where)) or 0
    query = (
        select(r)
        .where(where)
        .order_by(r.effective_at.desc(), r.id.desc())
        .limit(limit)
        .offset(offset)
    )
    rows = session.scalars(query)
    return [ledger.stored(x, created=True) for x in rows], total
