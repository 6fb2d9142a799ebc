"""The availability ledger: append-only reports of free beds, and the current view.

Reports are idempotent on their key: a retried report (same key, same content) is a
no-op, the same key with other content is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from capacity.availability import AvailabilityReport
from capacity.errors import UnknownReferenceError
from store import mapping as m
from store.errors import IdempotencyConflictError
from store.models import AvailabilityReportRow, FacilityRow
from store.queries import insert_missing


@dataclass(frozen=True, slots=True)
class StoredReport:
    """An availability report as the ledger holds it.

    Parameters
    ----------
    id
        Position in the ledger.
    report
        The report (``as_of`` in UTC).
    recorded_at
        When the server received it (UTC).
    created
        False when the report was a retry of one already stored (same idempotency key).
    beds_free_counted
        The free beds the report counts for: its ``beds_free``, at most the facility's beds
        minus the placements active when it arrived (issue 10).
    """

    id: int
    report: AvailabilityReport
    recorded_at: datetime
    created: bool
    beds_free_counted: int

    @property
    def capped(self) -> bool:
        """Whether the report said more beds were free than the placements allow."""
        return self.beds_free_counted < self.report.beds_free


def stored(row: AvailabilityReportRow, *, created: bool) -> StoredReport:
    """The stored report of a ledger row."""
    return StoredReport(row.id, m.to_report(row), row.recorded_at, created, row.beds_free_counted)


def reports(session: Session, facility_id: str | None = None) -> list[AvailabilityReport]:
    """The ledger in the order the counts hold (ties in order of arrival), optionally for
    one facility.

    Parameters
    ----------
    session
        Where to read.
    facility_id
        Only this facility's reports.

    Returns
    -------
    list of AvailabilityReport
    """
    r = AvailabilityReportRow
    query = select(r).order_by(r.effective_at, r.id)
    if facility_id is not None:
        query = query.where(r.facility_id == facility_id)
    return [m.to_report(row) for row in session.scalars(query)]


def latest(session: Session, *, as_of: datetime | None = None) -> dict[str, AvailabilityReport]:
    """Per facility, its latest report (see :func:`latest_stored`)."""
    return {k: v.report for k, v in latest_stored(session, as_of=as_of).items()}


def latest_stored(session: Session, *, as_of: datetime | None = None) -> dict[str, StoredReport]:
    """Per facility, its latest report counting from ``as_of`` or before (of equal times, the
    last in); see :attr:`~capacity.availability.AvailabilityReport.counts_from`.

    Parameters
    ----------
    session
        Where to read.
    as_of
        Ignore reports taken after this moment; ``None``: take all.

    Returns
    -------
    dict
        Facility id to stored report, for facilities that have reported, by facility id.
    """
    r = AvailabilityReportRow
    rank = func.row_number().over(
        partition_by=r.facility_id, order_by=(r.effective_at.desc(), r.id.desc())
    )
    inner = select(r.id, rank.label("rank"))
    if as_of is not None:
        inner = inner.where(r.effective_at <= as_of)
    ranked = inner.subquery()
    query = select(r).join(ranked, ranked.c.id == r.id).where(ranked.c.rank == 1)
    rows = session.scalars(query.order_by(r.facility_id))
    return {row.facility_id: stored(row, created=True) for row in rows}


def append(session: Session, report: AvailabilityReport) -> StoredReport:
    """Append one report; a retry with the same key and content is a no-op.

    Parameters
    ----------
    session
        The unit of work.
    report
        The report.

    Returns
    -------
    StoredReport
        The stored report; for a retry the earlier one with ``created=False``.

    Raises
    ------
    UnknownReferenceError
        When the facility does not exist.
    IdempotencyConflictError
        When the key was already used for a different report.
    """
    if session.get(FacilityRow, report.facility_id) is None:
        raise UnknownReferenceError("facility", report.facility_id)
    key = report.idempotency_key or None  # an empty key is no key (as in append_missing)
    if key is not None and (earlier := _by_key(session, key)) is not None:
        return _replayed(earlier, report)
    row = AvailabilityReportRow(**m.report_values(report, idempotency_key=key))
    try:
        with session.begin_nested():  # a concurrent retry may take the key first
            session.add(row)
    except IntegrityError:
        earlier = _by_key(session, key) if key is not None else None
        if earlier is None:
            raise
        return _replayed(earlier, report)
    return stored(row, created=True)


def append_missing(session: Session, items: Iterable[AvailabilityReport]) -> int:
    """Append the reports whose key is not stored yet (an import; no checks per report).

    A report without a key gets :func:`~store.mapping.derived_idempotency_key`.

    Parameters
    ----------
    session
        The unit of work.
    items
        The reports.

    Returns
    -------
    int
        Number of reports appended.
    """
    rows = (
        m.report_values(
            item, idempotency_key=item.idempotency_key or m.derived_idempotency_key(item)
        )
        for item in items
    )
    return insert_missing(session, AvailabilityReportRow, rows, key="idempotency_key")


def _by_key(session: Session, key: str) -> AvailabilityReportRow | None:
    query = select(AvailabilityReportRow).where(AvailabilityReportRow.idempotency_key == key)
    return session.scalars(query).one_or_none()


def _replayed(earlier: AvailabilityReportRow, report: AvailabilityReport) -> StoredReport:
    if not m.same_report(m.to_report(earlier), report):
        raise IdempotencyConflictError(earlier.idempotency_key or "")
    return stored(earlier, created=False)


def free_beds_reported_since(session: Session, since: datetime | None) -> StoredReport | None:
    """The newest report of free beds (counted above zero) received after ``since``.

    What a round after availability reports waits for (issue 14): ``None`` when no
    report of free beds arrived since (``since`` ``None``: ever).
    """
    r = AvailabilityReportRow
    query = select(r).where(r.beds_free_counted > 0)
    if since is not None:
        query = query.where(r.recorded_at > since)
    row = session.scalars(query.order_by(r.id.desc()).limit(1)).first()
    return None if row is None else stored(row, created=False)
