"""National aggregates: waiting, occupancy, capacity gaps (never a case record)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from api.database import Database
from api.stats.schemas import (
    CapacityGapStats,
    GapRule,
    OccupancyGroup,
    OccupancyStats,
    WaitingGroup,
    WaitingStats,
)
from capacity import Case, CaseStatus, Rulebook, SupplySnapshot
from capacity.aggregates import (
    SMALL_CELL,
    OccupancyRow,
    WaitingRow,
    occupancy_by,
    suppress_small,
    waiting_by,
    waiting_by_complexity,
)
from capacity.clock import local_date
from capacity.persistence import Repository
from matching import build_problem


def _waiting_list(db: Database) -> list[Case]:
    with db.unit() as session:
        repo = Repository(session)
        return repo.cases(status=CaseStatus.WAITING) + repo.cases(status=CaseStatus.PROPOSED)


def _snapshot(db: Database, now: datetime) -> SupplySnapshot:
    with db.unit() as session:
        return Repository(session).supply_snapshot(as_of=now)


def _waiting_group(row: WaitingRow) -> WaitingGroup:
    shown = row.cases >= SMALL_CELL
    return WaitingGroup(
        key=row.key,
        cases=suppress_small(row.cases),
        mean_days=round(row.mean_days, 1) if shown else None,
        max_days=row.max_days if shown else None,
    )


def waiting(db: Database, *, now: datetime, rulebook: Rulebook) -> WaitingStats:
    """Waiting-list size and days waited by complexity class and by region."""
    cases = _waiting_list(db)
    today = local_date(now)
    by_class = waiting_by_complexity(cases, rulebook, today)
    by_region = sorted(waiting_by(cases, lambda c: c.region_signalled, today), key=lambda r: r.key)
    return WaitingStats(
        as_of=now,
        rulebook_version=rulebook.version,
        cases=suppress_small(len(cases)),
        by_complexity=[_waiting_group(r) for r in by_class],
        by_region=[_waiting_group(r) for r in by_region],
    )


def occupancy_groups(rows: Sequence[OccupancyRow]) -> list[OccupancyGroup]:
    """Groups of occupancy rows as the API shows them: counts under 5 as "<5", no share then."""
    out = []
    for row in rows:
        shown = row.occupied >= SMALL_CELL  # a share reveals the occupied count, with the beds
        out.append(
            OccupancyGroup(
                key=row.key,
                facilities=suppress_small(row.facilities),
                beds=suppress_small(row.beds),
                occupied=suppress_small(row.occupied),
                free=suppress_small(row.free),
                occupancy=round(row.occupancy, 4) if shown else None,
            )
        )
    return out


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
    built = build_problem(_snapshot(db, now), _waiting_list(db), rulebook)
    per_rule: Counter[str] = Counter()
    for verdicts in built.gaps.values():
        fewest = min((len(v.failed) for v in verdicts), default=0)
        rules = {r.rule for v in verdicts if len(v.failed) == fewest for r in v.failed}
        per_rule.update(rules)
    return CapacityGapStats(
        as_of=now,
        rulebook_version=rulebook.version,
        cases=suppress_small(len(built.gaps)),
        by_rule=[GapRule(rule=r, cases=suppress_small(n)) for r, n in sorted(per_rule.items())],
    )
