"""National aggregates: waiting, occupancy, capacity gaps (never a case record)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

import numpy as np

import flows
from api.database import Database
from api.stats.schemas import (
    BedValueGroup,
    BedValueStats,
    CapacityGapStats,
    CaseCount,
    GapRule,
    OccupancyGroup,
    OccupancyStats,
    RegionalSpread,
    WaitingGroup,
    WaitingStats,
)
from capacity import Case, ExploitationType, ResidenceStatus, Rulebook, SupplySnapshot
from capacity.aggregates import AGE_BANDS, OccupancyRow, age_band, occupancy_by
from capacity.clock import local_date
from capacity.disclosure import PublishedCount, mean_wait_days, protect_tables, publish
from capacity.regions import sorted_regions
from matching.quiet import silence_solver_banner
from store import Repository

MIN_REGIONS_FOR_SPREAD = 3  # regions with a published mean wait


def _waiting_list(db: Database) -> list[Case]:
    with db.unit() as session:
        return Repository(session).waiting_list()


def _snapshot(db: Database, now: datetime) -> SupplySnapshot:
    with db.unit() as session:
        return Repository(session).supply_snapshot(as_of=now)


def case_count(published: PublishedCount) -> CaseCount:
    return CaseCount(value=published.value, suppressed=published.suppressed)


def _groups(
    cells: Mapping[str, PublishedCount], days: Mapping[str, list[int]]
) -> list[WaitingGroup]:
    return [
        WaitingGroup(
            key=key,
            cases=case_count(cell),
            mean_days=mean_wait_days(days.get(key, []), published=cell),
        )
        for key, cell in cells.items()
    ]


def waiting(db: Database, *, now: datetime, rulebook: Rulebook) -> WaitingStats:
    """Waiting-list size and days waited by complexity class, region signalled,
    exploitation type, residence status and age band, protected as
    :mod:`capacity.disclosure` says (every table and their total together), and the
    spread of the published regional mean waits."""
    cases = _waiting_list(db)
    today = local_date(now)
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    group_of: dict[str, Callable[[Case], str]] = {
        "class": lambda c: rulebook.priority(c, today).complexity_class,
        "region": lambda c: c.region_signalled,
        "exploitation": lambda c: c.exploitation_type.value,
        "residence": lambda c: c.residence_status.value,
        "age": lambda c: age_band(c.age),
    }
    days: dict[str, dict[str, list[int]]] = {
        "class": {k: [] for k in classes},
        "region": {r.id: [] for r in sorted_regions()},
        "exploitation": {e.value: [] for e in ExploitationType},
        "residence": {r.value: [] for r in ResidenceStatus},
        "age": {name: [] for name, _, _ in AGE_BANDS},
    }
    for case in cases:
        for table, key in group_of.items():
            days[table].setdefault(key(case), []).append(case.days_waited(today))
    counts = {t: {k: len(v) for k, v in groups.items()} for t, groups in days.items()}
    total, tables = protect_tables(len(cases), counts)
    groups = {t: _groups(tables[t], days[t]) for t in days}
    return WaitingStats(
        as_of=now,
        rulebook_version=rulebook.version,
        cases=case_count(total),
        by_complexity=groups["class"],
        by_region=groups["region"],
        by_exploitation_type=groups["exploitation"],
        by_residence_status=groups["residence"],
        by_age_band=groups["age"],
        regional_spread=_spread(groups["region"]),
    )


def _spread(regions: list[WaitingGroup]) -> RegionalSpread:
    """p90 and p10 of the regional mean waits that are published (whole weeks, groups of
    10 cases or more): nothing that is not shown already goes into it."""
    means = [g.mean_days for g in regions if g.mean_days is not None]
    if len(means) < MIN_REGIONS_FOR_SPREAD:
        return RegionalSpread(regions=len(means), p90_days=None, p10_days=None, ratio=None)
    p90, p10 = (float(x) for x in np.percentile(means, [90, 10]))
    return RegionalSpread(
        regions=len(means),
        p90_days=round(p90, 1),
        p10_days=round(p10, 1),
        ratio=round(p90 / p10, 2) if p10 > 0 else None,
    )


def occupancy_groups(rows: Sequence[OccupancyRow]) -> list[OccupancyGroup]:
    """Groups of occupancy rows as the API shows them: supply, never suppressed."""
    return [
        OccupancyGroup(
            key=row.key,
            facilities=row.facilities,
            beds=row.beds,
            occupied=row.occupied,
            free=row.free,
            occupancy=round(row.occupancy, 4),
        )
        for row in rows
    ]


def occupancy(db: Database, *, now: datetime) -> OccupancyStats:
    """Beds, occupied and free today by placement type and by region."""
    snapshot = _snapshot(db, now)
    return OccupancyStats(
        as_of=now,
        by_placement_type=occupancy_groups(
            occupancy_by(snapshot, lambda f: f.placement_type.value)
        ),
        by_region=occupancy_groups(occupancy_by(snapshot, lambda f: f.region_id)),
    )


def capacity_gaps(db: Database, *, now: datetime, rulebook: Rulebook) -> CapacityGapStats:
    """Waiting cases without any eligible facility, by the rule families in the way.

    For each such case the rules counted are those failing at its closest facilities (the
    ones with the fewest failed rules): what would have to change to give it a place.
    """
    with db.unit() as session:
        built = flows.prepare_round(session, as_of=now, rulebook=rulebook).build()
    per_rule: Counter[str] = Counter()
    for verdicts in built.gaps.values():
        fewest = min((len(v.failed) for v in verdicts), default=0)
        rules = {r.rule for v in verdicts if len(v.failed) == fewest for r in v.failed}
        per_rule.update(rules)
    return CapacityGapStats(
        as_of=now,
        rulebook_version=rulebook.version,
        cases=case_count(publish(len(built.gaps))),
        by_rule=[
            GapRule(rule=r, cases=case_count(publish(n))) for r, n in sorted(per_rule.items())
        ],
    )


def bed_values(
    db: Database, *, now: datetime, rulebook: Rulebook, time_limit: float
) -> BedValueStats:
    """The value of one more bed per placement type and region, from the LP, within
    ``time_limit`` seconds (the round is read first; no transaction is held while solving)."""
    with db.unit() as session:
        inputs = flows.prepare_round(session, as_of=now, rulebook=rulebook)
    silence_solver_banner()
    report = flows.extra_bed_values(inputs.build(), time_limit=time_limit)
    return BedValueStats(
        as_of=report.as_of,
        rulebook_version=report.rulebook_version,
        horizon_days=report.horizon_days,
        time_limit_seconds=report.time_limit,
        complete=report.complete,
        note=report.note,
        skipped_facilities=list(report.skipped),
        values=[
            BedValueGroup(
                placement_type=v.placement_type,
                region_id=v.region_id,
                facility_id=v.facility_id,
                value=round(v.value, 2),
            )
            for v in report.values
        ],
    )
