"""The policymakers' capacity overview: beds and occupancy by type and region, and a map.

The figures are the API's aggregates (:mod:`api.stats.service`): supply (facilities, beds,
occupied and free beds) as it is, counts of cases protected by :mod:`capacity.disclosure`
(rounded to 5, small and complementary cells suppressed). The map draws the 35 regions at
their centrumgemeente's coordinates; a region is marked *short of beds*
(``docs/glossary.md``; not a *capacity gap*, which is a case no facility is eligible for)
when the published count of cases signalled there exceeds the beds free there today.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from api.database import Database
from api.stats import service as stats
from api.stats.schemas import CapacityGapStats, CaseCount, OccupancyGroup, WaitingGroup
from capacity import REGIONS, Region, Rulebook, SupplySnapshot, sorted_regions
from capacity.aggregates import occupancy_by
from store import Repository

MAP_SCALE = 260.0  # pixels per degree of latitude
MAP_MARGIN = 30.0  # pixels around the outermost regions
MAP_LAT = 52.2  # degrees: longitudes are shrunk by cos(this) to keep the country's shape
MIN_RADIUS, MAX_RADIUS = 4.0, 18.0  # pixels of a region's circle
FULL, BUSY = 0.95, 0.80  # occupancy bands of the map


@dataclass(frozen=True, slots=True)
class RegionLine:
    """A region in the table and on the map."""

    region: Region
    occupancy: OccupancyGroup | None  # None: no facility in the region
    waiting: CaseCount
    short: bool
    x: float
    y: float
    radius: float
    band: str  # full, busy, room or none (no facilities)


@dataclass(frozen=True, slots=True)
class TypeRegionRow:
    """A region's beds by placement type (``None``: no facility of that type there)."""

    region: Region
    cells: list[OccupancyGroup | None]


@dataclass(frozen=True, slots=True)
class CapacityView:
    as_of: datetime
    by_type: list[OccupancyGroup]
    regions: list[RegionLine]
    types: list[str]  # the placement types with facilities: columns of by_type_region
    by_type_region: list[TypeRegionRow]  # the regions with facilities, by name
    gaps: CapacityGapStats
    width: float
    height: float


def _band(group: OccupancyGroup | None) -> str:
    if group is None:
        return "none"
    return "full" if group.occupancy >= FULL else "busy" if group.occupancy >= BUSY else "room"


def _radius(group: OccupancyGroup | None, most_beds: int) -> float:
    beds = group.beds if group is not None else 0
    share = math.sqrt(beds / most_beds) if most_beds else 0.0
    return round(MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * share, 1)


def _snapshot(db: Database, now: datetime) -> SupplySnapshot:
    with db.unit() as session:
        return Repository(session).supply_snapshot(as_of=now)


def _short_of_beds(published: CaseCount, group: OccupancyGroup | None) -> bool:
    """More cases signalled in the region wait (as published) than beds are free there."""
    free = group.free if group is not None else 0
    return published.value is not None and published.value > 0 and published.value > free


def _by_type_region(snapshot: SupplySnapshot, types: list[str]) -> list[TypeRegionRow]:
    """Beds, occupied and free per placement type in each region (supply: as it is)."""
    rows = occupancy_by(snapshot, lambda f: f"{f.region_id}|{f.placement_type.value}")
    groups = {g.key: g for g in stats.occupancy_groups(rows)}
    names = {r.id: r for r in REGIONS}
    present = {key.split("|")[0] for key in groups}
    regions = [r.id for r in sorted_regions() if r.id in present]
    return [TypeRegionRow(names[r], [groups.get(f"{r}|{t}") for t in types]) for r in regions]


def capacity_view(db: Database, *, now: datetime, rulebook: Rulebook) -> CapacityView:
    """The tables, the map and the capacity gaps as of now."""
    occupancy = stats.occupancy(db, now=now)
    waiting: dict[str, WaitingGroup] = {
        g.key: g for g in stats.waiting(db, now=now, rulebook=rulebook).by_region
    }
    by_region = {g.key: g for g in occupancy.by_region}
    snapshot = _snapshot(db, now)
    types = [g.key for g in occupancy.by_placement_type]
    most_beds = max((g.beds for g in by_region.values()), default=0)
    west = min(r.lon for r in REGIONS)
    north = max(r.lat for r in REGIONS)
    shrink = math.cos(math.radians(MAP_LAT))
    lines = []
    for region in sorted_regions():
        group = by_region.get(region.id)
        published = waiting[region.id].cases
        lines.append(
            RegionLine(
                region=region,
                occupancy=group,
                waiting=published,
                short=_short_of_beds(published, group),
                x=round(MAP_MARGIN + (region.lon - west) * shrink * MAP_SCALE, 1),
                y=round(MAP_MARGIN + (north - region.lat) * MAP_SCALE, 1),
                radius=_radius(group, most_beds),
                band=_band(group),
            )
        )
    east = max(r.lon for r in REGIONS)
    south = min(r.lat for r in REGIONS)
    return CapacityView(
        as_of=now,
        by_type=occupancy.by_placement_type,
        regions=lines,
        types=types,
        by_type_region=_by_type_region(snapshot, types),
        gaps=stats.capacity_gaps(db, now=now, rulebook=rulebook),
        width=round(2 * MAP_MARGIN + (east - west) * shrink * MAP_SCALE + 80, 1),
        height=round(2 * MAP_MARGIN + (north - south) * MAP_SCALE, 1),
    )
