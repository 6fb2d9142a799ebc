"""The repository: frozen value objects in, frozen value objects out.

A :class:`Repository` works inside one :class:`~sqlalchemy.orm.Session`; it never
commits. The caller owns the transaction (see :func:`store.session_scope`)
so that a unit of work, its audit entries included, is kept or dropped as a whole.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from capacity.availability import AvailabilityReport, Placement
from capacity.cases import Case, CaseStatus
from capacity.clock import local_date
from capacity.dataset import Dataset
from capacity.errors import InvalidSupplyError, UnknownReferenceError
from capacity.facilities import Facility, Provider
from capacity.funding import FundingStream
from capacity.lifecycle import WAITING_LIST, CaseEvent, next_status
from capacity.regions import REGIONS, Region
from capacity.snapshot import DEFAULT_HORIZON_DAYS, SupplySnapshot, build_snapshot
from store import audit as audit_log
from store import ledger
from store import mapping as m
from store.audit import AuditEntry
from store.case_search import status_in
from store.errors import DuplicateRecordError
from store.ledger import StoredReport
from store.models import (
    Base,
    CaseRow,
    FacilityRow,
    FundingStreamRow,
    PlacementRow,
    ProviderRow,
    RegionRow,
)
from store.organisations import OrganisationRepository
from store.queries import ids_with_prefix, insert_missing


class Repository:
    """Reads and writes the national picture in one session.

    Parameters
    ----------
    session
        The unit of work; the repository flushes but never commits.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    # -- regions and supply -------------------------------------------------------------

    def ensure_regions(self) -> int:
        """Store the 35 regions of :data:`capacity.regions.REGIONS` that are missing.

        Returns
        -------
        int
            Number of regions added.
        """
        return self._insert_new(RegionRow, [m.region_values(r) for r in REGIONS])

    def regions(self) -> list[Region]:
        """All stored regions, by id."""
        return [
            m.to_region(r) for r in self._session.scalars(select(RegionRow).order_by(RegionRow.id))
        ]

    def providers(self) -> list[Provider]:
        """All providers, by id."""
        rows = self._session.scalars(select(ProviderRow).order_by(ProviderRow.id))
        return [m.to_provider(r) for r in rows]

    def funding_streams(self) -> list[FundingStream]:
        """All funding streams, by id."""
        rows = self._session.scalars(select(FundingStreamRow).order_by(FundingStreamRow.id))
        return [m.to_funding_stream(r) for r in rows]

    def facilities(self, ids: Collection[str] | None = None) -> list[Facility]:
        """All facilities (or those of ``ids``), by id.

        Raises
        ------
        StoredRecordError
            When a facility breaks a rule made after it was stored
            (:func:`store.facilities_or_broken` reads such rows too).
        """
        query = select(FacilityRow).order_by(FacilityRow.id)
        if ids is not None:
            query = query.where(FacilityRow.id.in_(sorted(ids)))
        return [m.to_facility(r) for r in self._session.scalars(query)]

    def facility(self, facility_id: str) -> Facility:
        """One facility.

        Raises
        ------
        UnknownReferenceError
            When no facility has that id.
        StoredRecordError
            When it breaks a rule made after it was stored.
        """
        return m.to_facility(self._get(FacilityRow, "facility", facility_id))

    # -- cases --------------------------------------------------------------------------

    def cases(self, status: CaseStatus | None = None) -> list[Case]:
        """Cases in intake order (oldest first), optionally only those with one status."""
        query = select(CaseRow).order_by(CaseRow.intake_date, CaseRow.id)
        if status is not None:
            query = query.where(status_in([status]))
        return [m.to_case(r) for r in self._session.scalars(query)]

    def waiting_list(self) -> list[Case]:
        """The national waiting list (:data:`capacity.WAITING_LIST`), in intake order.

        Raises
        ------
        StoredRecordError
            When a case on it, or one whose status this version does not know
            (:func:`~store.case_search.status_in`), breaks a rule.
        """
        query = select(CaseRow).where(status_in(WAITING_LIST))
        return [
            m.to_case(r)
            for r in self._session.scalars(query.order_by(CaseRow.intake_date, CaseRow.id))
        ]

    def case(self, case_id: str) -> Case:
        """One case.

        Raises
        ------
        UnknownReferenceError
            When no case has that id.
        """
        return m.to_case(self._get(CaseRow, "case", case_id))

    def next_case_id(self, year: int) -> str:
        """The next free case id of a year: ``C-2026-0042`` after ``C-2026-0041``."""
        prefix = f"C-{year}-"
        numbers = [
            int(i[len(prefix) :])
            for i in ids_with_prefix(self._session, CaseRow, prefix)
            if i[len(prefix) :].isdigit()
        ]
        return f"{prefix}{max(numbers, default=0) + 1:04d}"

    def add_case(self, case: Case) -> Case:
        """Register a new case.

        Returns
        -------
        Case
            The case as stored.

        Raises
        ------
        DuplicateRecordError
            When a case with that id exists.
        """
        if self._session.get(CaseRow, case.id) is not None:
            raise DuplicateRecordError("case", case.id)
        self._session.add(CaseRow(**m.case_values(case)))
        self._session.flush()
        return case

    def move_case(self, case_id: str, event: CaseEvent) -> Case:
        """Apply a lifecycle event to a case (:func:`capacity.next_status`) and store it.

        Raises
        ------
        UnknownReferenceError
            When no case has that id.
        InvalidTransitionError
            When the lifecycle does not allow the event in the case's status.
        StoredRecordError
            When the stored case breaks a rule made after it was stored (a status code
            that is no longer known).
        """
        current = m.to_case(self._get(CaseRow, "case", case_id)).status
        return self.set_case_status(case_id, status=next_status(case_id, current, event))

    def set_case_status(self, case_id: str, *, status: CaseStatus) -> Case:
        """Move a case to another status.

        Returns
        -------
        Case
            The case with its new status.

        Raises
        ------
        UnknownReferenceError
            When no case has that id.
        """
        row = self._get(CaseRow, "case", case_id)
        row.status = CaseStatus(status).value
        row.updated_at = datetime.now(UTC)
        self._session.flush()
        return m.to_case(row)

    # -- placements ---------------------------------------------------------------------

    def placements(self, active_on: date | None = None) -> list[Placement]:
        """Placements by start day, optionally only those holding beds on one day."""
        query = select(PlacementRow).order_by(PlacementRow.start, PlacementRow.id)
        if active_on is not None:
            query = query.where(
                PlacementRow.start <= active_on,
                or_(PlacementRow.actual_end.is_(None), PlacementRow.actual_end > active_on),
            )
        return [m.to_placement(r) for r in self._session.scalars(query)]

    def add_placement(self, placement: Placement) -> Placement:
        """Record a new placement.

        A placement without ``recorded_at`` is stamped with the current time: it is being
        recorded now, and the supply snapshot needs to know it came after earlier
        availability reports.

        Returns
        -------
        Placement
            The placement as stored.

        Raises
        ------
        DuplicateRecordError
            When a placement with that id exists.
        UnknownReferenceError
            When its case or facility does not exist.
        """
        if self._session.get(PlacementRow, placement.id) is not None:
            raise DuplicateRecordError("placement", placement.id)
        self._get(CaseRow, "case", placement.case_id)
        self._get(FacilityRow, "facility", placement.facility_id)
        if placement.recorded_at is None:
            placement = replace(placement, recorded_at=datetime.now(UTC))
        self._session.add(PlacementRow(**m.placement_values(placement)))
        self._session.flush()
        return placement

    def end_placement(self, placement_id: str, *, day: date) -> Placement:
        """Record a discharge: the beds are free again from ``day``.

        Returns
        -------
        Placement
            The ended placement.

        Raises
        ------
        UnknownReferenceError
            When no placement has that id.
        InvalidSupplyError
            When it has already ended, or ``day`` is before its start.
        """
        row = self._get(PlacementRow, "placement", placement_id)
        if row.actual_end is not None:
            raise InvalidSupplyError("placement.actual_end", f"already ended on {row.actual_end}")
        ended = replace(m.to_placement(row), actual_end=day)  # validates the day
        row.actual_end = day
        self._session.flush()
        return ended

    # -- availability -------------------------------------------------------------------

    def reports(self, facility_id: str | None = None) -> list[AvailabilityReport]:
        """The availability ledger in time order, optionally for one facility."""
        return ledger.reports(self._session, facility_id)

    def latest_reports(self, *, as_of: datetime | None = None) -> dict[str, AvailabilityReport]:
        """The current view: per facility, its latest report (at or before ``as_of``).

        See :func:`store.ledger.latest`.
        """
        return ledger.latest(self._session, as_of=as_of)

    def latest_stored_reports(self) -> dict[str, StoredReport]:
        """Per facility, its latest report as stored (with what it counted for)."""
        return ledger.latest_stored(self._session)

    def add_report(self, report: AvailabilityReport) -> StoredReport:
        """Append an availability report to the ledger; a retry is a no-op.

        Returns
        -------
        StoredReport
            The stored report; ``created`` is False when the idempotency key was already
            used for the same report (the earlier one is returned).

        Raises
        ------
        UnknownReferenceError
            When the facility does not exist.
        IdempotencyConflictError
            When the key was already used for a different report.
        """
        return ledger.append(self._session, report)

    # -- the whole picture --------------------------------------------------------------

    def supply_snapshot(
        self, *, as_of: datetime, horizon_days: int = DEFAULT_HORIZON_DAYS
    ) -> SupplySnapshot:
        """Free beds per facility per day, from what is stored (see :func:`build_snapshot`).

        Loads only what the snapshot can use: the latest report per facility at or before
        ``as_of``, and the placements that still hold beds, ended after the oldest of those
        reports, or started this calendar year (budgets).

        Returns
        -------
        SupplySnapshot

        Raises
        ------
        InvalidSupplyError
            When ``as_of`` has no timezone or ``horizon_days`` is not positive.
        """
        if as_of.tzinfo is None:
            raise InvalidSupplyError("as_of", "must carry a timezone")
        latest = self.latest_reports(as_of=as_of)
        placements = self._snapshot_placements(as_of, latest.values())
        return build_snapshot(
            as_of=as_of,
            facilities=self.facilities(),
            funding_streams=self.funding_streams(),
            reports=latest.values(),
            placements=placements,
            horizon_days=horizon_days,
        )

    def snapshot_placements(self, *, as_of: datetime) -> list[Placement]:
        """The placements a supply snapshot at ``as_of`` counts (see :meth:`supply_snapshot`):
        a retention run must not erase them (issue 16)."""
        return self._snapshot_placements(as_of, self.latest_reports(as_of=as_of).values())

    def _snapshot_placements(
        self, as_of: datetime, latest: Iterable[AvailabilityReport]
    ) -> list[Placement]:
        day0 = local_date(as_of)
        cutoff = min([day0, *(local_date(r.counts_from) for r in latest)])
        p = PlacementRow
        query = select(p).where(
            or_(p.actual_end.is_(None), p.actual_end > cutoff, p.start >= date(day0.year, 1, 1))
        )
        return [m.to_placement(r) for r in self._session.scalars(query.order_by(p.id))]

    def load_dataset(self, as_of: datetime) -> Dataset:
        """Everything stored, as one :class:`~capacity.dataset.Dataset`.

        The tables hold the current state (statuses, discharges), not a history, so
        ``as_of`` labels the dataset and filters nothing.

        Returns
        -------
        Dataset
        """
        return Dataset(
            as_of=as_of,
            providers=tuple(self.providers()),
            funding_streams=tuple(self.funding_streams()),
            facilities=tuple(self.facilities()),
            cases=tuple(self.cases()),
            placements=tuple(self.placements()),
            reports=tuple(self.reports()),
        )

    def save_dataset(self, dataset: Dataset) -> dict[str, int]:
        """Store a dataset; what is stored already is left as it is.

        Rows are matched by id, and reports by idempotency key; a report without a key is
        given one derived from facility, moment and beds free
        (:func:`~store.mapping.derived_idempotency_key`). Saving the same
        dataset twice therefore adds nothing the second time. Missing regions are added.

        Returns
        -------
        dict
            Rows added per kind: ``providers``, ``funding_streams``, ``facilities``,
            ``cases``, ``placements``, ``reports``, ``organisations``.
        """
        self.ensure_regions()
        added = {
            "providers": self._insert_new(ProviderRow, map(m.provider_values, dataset.providers)),
            "funding_streams": self._insert_new(
                FundingStreamRow, map(m.funding_stream_values, dataset.funding_streams)
            ),
            "facilities": self._insert_new(FacilityRow, map(m.facility_values, dataset.facilities)),
            "cases": self._insert_new(CaseRow, map(m.case_values, dataset.cases)),
            "placements": self._insert_new(
                PlacementRow, map(m.placement_values, dataset.placements)
            ),
        }
        added["reports"] = ledger.append_missing(self._session, dataset.reports)
        # the organisations holding the dataset's cases go on the managed list (issue 14)
        added["organisations"] = OrganisationRepository(self._session).ensure(
            c.responsible_organisation for c in dataset.cases
        )
        self._session.flush()
        return added

    # -- audit --------------------------------------------------------------------------

    def audit_entries(
        self,
        *,
        record_type: str | None = None,
        record_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Read the audit log (see :func:`store.audit.entries`)."""
        return audit_log.entries(
            self._session,
            record_type=record_type,
            record_id=record_id,
            actor=actor,
            since=since,
            limit=limit,
        )

    # -- helpers ------------------------------------------------------------------------

    def _get(self, model: type[Any], kind: str, identifier: str) -> Any:
        row = self._session.get(model, identifier)
        if row is None:
            raise UnknownReferenceError(kind, identifier)
        return row

    def _insert_new(self, model: type[Base], rows: Iterable[Mapping[str, Any]]) -> int:
        return insert_missing(self._session, model, rows)
