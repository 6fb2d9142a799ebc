"""The supply snapshot: free beds per facility per day over a planning horizon."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from capacity.availability import AvailabilityReport, Placement
from capacity.clock import local_date
from capacity.errors import InvalidSupplyError, UnknownReferenceError
from capacity.facilities import Facility
from capacity.funding import FundingStream

DEFAULT_HORIZON_DAYS = 60  # days, the design's planning horizon


@dataclass(frozen=True, slots=True)
class SupplySnapshot:
    """Free beds per facility per day, and what is left of each budget.

    Parameters
    ----------
    as_of
        The moment the snapshot describes; day 0 is its date.
    facilities
        All facilities, in a fixed order (row order of :attr:`free_beds`).
    free_beds
        Read-only integer array of shape ``(len(facilities), horizon_days)``: beds free on
        each day before any new placement.
    funding_streams
        All funding streams.
    budget_remaining
        Euros left this period per capped stream (uncapped streams are absent).
    last_reported
        Per facility id, when its latest availability report was taken (absent: never).
    """

    as_of: datetime
    facilities: tuple[Facility, ...]
    free_beds: npt.NDArray[np.int32]
    funding_streams: tuple[FundingStream, ...]
    budget_remaining: Mapping[str, float]
    last_reported: Mapping[str, datetime]
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.free_beds.shape[0] != len(self.facilities):
            raise InvalidSupplyError("free_beds", "needs one row per facility")
        index = {f.id: i for i, f in enumerate(self.facilities)}
        if len(index) != len(self.facilities):
            raise InvalidSupplyError("facilities", "facility ids must be unique")
        object.__setattr__(self, "_index", MappingProxyType(index))

    @property
    def horizon_days(self) -> int:
        """Days in the planning horizon."""
        return int(self.free_beds.shape[1])

    @property
    def day0(self) -> date:
        """Day 0 of the horizon: the Dutch calendar day of :attr:`as_of`."""
        return local_date(self.as_of)

    def index_of(self, facility_id: str) -> int:
        """Row of a facility in :attr:`free_beds`."""
        try:
            return self._index[facility_id]
        except KeyError:
            raise UnknownReferenceError("facility", facility_id) from None

    def facility(self, facility_id: str) -> Facility:
        """The facility with this id."""
        return self.facilities[self.index_of(facility_id)]

    def free(self, facility_id: str) -> npt.NDArray[np.int32]:
        """Free beds of one facility for each day of the horizon."""
        row: npt.NDArray[np.int32] = self.free_beds[self.index_of(facility_id)]
        return row

    def stream(self, stream_id: str) -> FundingStream:
        """The funding stream with this id; :class:`UnknownReferenceError` when none has it."""
        for s in self.funding_streams:
            if s.id == stream_id:
                return s
        raise UnknownReferenceError("funding stream", stream_id)


def build_snapshot(
    *,
    as_of: datetime,
    facilities: Iterable[Facility],
    funding_streams: Iterable[FundingStream],
    reports: Iterable[AvailabilityReport],
    placements: Iterable[Placement],
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> SupplySnapshot:
    """Combine reports and placements into free beds per facility per day.

    Days are Dutch calendar days (Europe/Amsterdam). Day 0 comes from the latest report at
    or before ``as_of``, corrected for placements recorded and discharges made after that
    report; without a report it is the beds minus the placements the system knows of. A
    report counts from :attr:`~capacity.availability.AvailabilityReport.counts_from` (its
    ``as_of``, never later than its receipt), and day 0 never has more free beds than
    the beds minus the placements active that day: a report of more is not taken at face
    value (issue 10). Later days add the beds of current placements whose expected
    discharge falls on or before that day, and take the beds of placements that start
    later (accepted for a future day) from their start to their expected end. Placements
    past their expected end are assumed to stay (nobody knows when they leave). Every
    value is clipped to ``0 .. beds``.

    Parameters
    ----------
    as_of
        Timezone-aware moment of the snapshot.
    facilities, funding_streams, reports, placements
        The supply as stored.
    horizon_days
        Number of days to plan (day 0 included).

    Returns
    -------
    SupplySnapshot

    Raises
    ------
    InvalidSupplyError
        When ``horizon_days`` is not positive or ``as_of`` has no timezone.
    """
    if horizon_days < 1:
        raise InvalidSupplyError("horizon_days", "must be at least 1")
    if as_of.tzinfo is None:
        raise InvalidSupplyError("as_of", "must carry a timezone")
    facs = tuple(facilities)
    streams = tuple(funding_streams)
    day0 = local_date(as_of)
    latest = _latest_reports(reports, as_of)
    by_facility: dict[str, list[Placement]] = {f.id: [] for f in facs}
    for p in placements:
        by_facility.setdefault(p.facility_id, []).append(p)

    free = np.zeros((len(facs), horizon_days), dtype=np.int32)
    for row, fac in enumerate(facs):
        stays = by_facility[fac.id]
        free[row] = _free_row(fac, stays, latest.get(fac.id), day0, horizon_days)
    free.setflags(write=False)

    remaining = _budget_remaining(streams, facs, placements_by_facility=by_facility, day0=day0)
    return SupplySnapshot(
        as_of=as_of,
        facilities=facs,
        free_beds=free,
        funding_streams=streams,
        budget_remaining=MappingProxyType(remaining),
        last_reported=MappingProxyType({k: r.counts_from for k, r in latest.items()}),
    )


def _latest_reports(
    reports: Iterable[AvailabilityReport], as_of: datetime
) -> dict[str, AvailabilityReport]:
    latest: dict[str, AvailabilityReport] = {}
    for r in reports:
        if r.counts_from > as_of:
            continue
        old = latest.get(r.facility_id)
        if old is None or r.counts_from >= old.counts_from:
            latest[r.facility_id] = r
    return latest


def _after_report(p: Placement, report: AvailabilityReport) -> bool:
    """Whether a placement was made after the report's count (so it is not in it)."""
    if p.recorded_at is not None:
        return p.recorded_at > report.counts_from
    return p.start > local_date(report.counts_from)


def occupied_beds(stays: Iterable[Placement], day: date) -> int:
    """Beds that placements hold on ``day``.

    The most a facility's free beds can be is its beds minus these.
    """
    return sum(p.beds for p in stays if p.active_on(day))


def _free_row(
    fac: Facility,
    stays: list[Placement],
    report: AvailabilityReport | None,
    day0: date,
    horizon_days: int,
) -> npt.NDArray[np.int32]:
    active = [p for p in stays if p.active_on(day0)]
    most = fac.beds - occupied_beds(active, day0)
    if report is None:
        free0 = most
    else:
        report_day = local_date(report.counts_from)
        taken_since = sum(p.beds for p in active if _after_report(p, report))
        freed_since = sum(
            p.beds
            for p in stays
            if p.actual_end is not None
            and p.actual_end > report_day
            and p.actual_end <= day0
            and not _after_report(p, report)
        )
        free0 = min(report.beds_free - taken_since + freed_since, most)
    row = np.full(horizon_days, free0, dtype=np.int64)
    for p in active:
        offset = (p.expected_end - day0).days
        if 0 < offset < horizon_days:
            row[offset:] += p.beds
    for p in stays:  # accepted for a later day: no report counts them yet (issue 4)
        if p.start > day0 and p.actual_end is None:
            first = (p.start - day0).days
            row[first : max(first, (p.expected_end - day0).days)] -= p.beds
    return np.clip(row, 0, fac.beds).astype(np.int32)


def _budget_remaining(
    streams: tuple[FundingStream, ...],
    facilities: tuple[Facility, ...],
    *,
    placements_by_facility: Mapping[str, list[Placement]],
    day0: date,
) -> dict[str, float]:
    """Budget minus the expected cost of placements that started this calendar year."""
    year_start = date(day0.year, 1, 1)
    committed: dict[str, float] = {}
    for fac in facilities:
        for p in placements_by_facility.get(fac.id, ()):
            if p.start < year_start:
                continue
            end = p.actual_end or p.expected_end
            cost = fac.cost_per_bed_day * p.beds * (end - p.start).days
            committed[fac.funding_stream_id] = committed.get(fac.funding_stream_id, 0.0) + cost
    return {
        s.id: s.budget_per_period - committed.get(s.id, 0.0)
        for s in streams
        if s.budget_per_period is not None
    }


def horizon_dates(snapshot: SupplySnapshot) -> list[date]:
    """The calendar date of each day of the horizon."""
    return [snapshot.day0 + timedelta(days=d) for d in range(snapshot.horizon_days)]
