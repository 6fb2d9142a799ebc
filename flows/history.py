"""The live history as value objects: each case's time on the waiting list, and the supply
as it stood at a past moment (issue 15, trends over time).

The tables hold today's state; what happened when is pieced together from the dates they
keep: a case's intake date, the start of its first residential placement (a bridge bed
is not one: the case waits on, :mod:`capacity.bridging`), the moment it was withdrawn
(:func:`store.left_waiting_list_at`), and the availability reports and placements that
:func:`capacity.snapshot.build_snapshot` turns into free beds on any day. Facilities' beds
are today's: the database keeps no history of bed counts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from capacity import AvailabilityReport, Case, CaseStatus, Facility, Placement
from capacity.aggregates import OccupancyRow, occupancy_by
from capacity.bridging import is_bridge
from capacity.clock import local_date
from capacity.snapshot import build_snapshot


@dataclass(frozen=True, slots=True)
class CaseSpell:
    """A case's time on the waiting list: from its intake day until it left.

    ``left_on`` is the first day it was no longer waiting (the start of its placement, or
    the day it was withdrawn); ``None`` while it waits. ``placed_on`` is that placement's
    start (``None`` for a withdrawn or waiting case).
    """

    case: Case
    left_on: date | None = None
    placed_on: date | None = None

    def waiting_on(self, day: date) -> bool:
        """Whether the case was on the waiting list at the end of ``day``."""
        return self.case.intake_date <= day and (self.left_on is None or day < self.left_on)

    @property
    def wait_days(self) -> int | None:
        """Days from intake to placement, as ``/v1/stats/waiting`` counts days waited."""
        return None if self.placed_on is None else self.case.days_waited(self.placed_on)


def case_spells(
    cases: Iterable[Case],
    placements: Iterable[Placement],
    facilities: Iterable[Facility],
    left_at: Mapping[str, datetime],
) -> list[CaseSpell]:
    """Each case's spell on the waiting list, from what is stored.

    A case on the waiting list today has not left it (an accepted placement that starts
    later leaves it on that day). A placed or discharged case left on its first
    residential placement's start; a withdrawn one on the day of ``left_at`` (as does a
    placed case whose placement is no longer stored).
    """
    bridge = {f.id for f in facilities if is_bridge(f.placement_type)}
    first: dict[str, date] = {}
    for p in placements:
        if p.facility_id not in bridge and (p.case_id not in first or p.start < first[p.case_id]):
            first[p.case_id] = p.start
    spells = []
    for case in cases:
        placed_on = first.get(case.id) if case.status is not CaseStatus.WITHDRAWN else None
        moment = left_at.get(case.id)
        left_on = placed_on or (local_date(moment) if moment is not None else None)
        spells.append(CaseSpell(case, left_on=left_on, placed_on=placed_on))
    return spells


class SupplyHistory:
    """Beds and free beds at any past moment, by the snapshot's own rules.

    Parameters
    ----------
    facilities, reports, placements
        Everything stored; reports in the ledger's order (ties: the later one counts).
    """

    def __init__(
        self,
        facilities: Sequence[Facility],
        reports: Iterable[AvailabilityReport],
        placements: Sequence[Placement],
    ) -> None:
        self._facilities = tuple(facilities)
        self._placements = tuple(placements)
        by_facility: dict[str, list[AvailabilityReport]] = {}
        for r in reports:
            by_facility.setdefault(r.facility_id, []).append(r)
        self._reports = {
            k: sorted(v, key=lambda r: r.counts_from) for k, v in by_facility.items()
        }  # a stable sort: of reports counting from the same moment the later stays last
        self._moments = {k: [r.counts_from for r in v] for k, v in self._reports.items()}

    def _latest(self, as_of: datetime) -> list[AvailabilityReport]:
        latest = []
        for facility_id, moments in self._moments.items():
            i = bisect_right(moments, as_of)
            if i:
                latest.append(self._reports[facility_id][i - 1])
        return latest

    def occupancy_at(self, as_of: datetime) -> list[OccupancyRow]:
        """Beds and free beds per placement type at ``as_of`` (timezone-aware), as the
        supply snapshot of that moment counts them (:func:`capacity.occupancy_by`)."""
        latest = self._latest(as_of)
        day0 = local_date(as_of)
        cutoff = min([day0, *(local_date(r.counts_from) for r in latest)])
        snapshot = build_snapshot(
            as_of=as_of,
            facilities=self._facilities,
            funding_streams=(),
            reports=latest,
            placements=[p for p in self._placements if _counts(p, day0, cutoff)],
            horizon_days=1,
        )
        return occupancy_by(snapshot, lambda f: f.placement_type.value)


def _counts(p: Placement, day0: date, cutoff: date) -> bool:
    """Whether a placement can change day 0's free beds: begun by then and not ended
    before the oldest report counted (as :meth:`store.Repository.supply_snapshot` loads
    them; later starts touch later days only, and there is one day)."""
    return p.start <= day0 and (p.actual_end is None or p.actual_end > cutoff)
