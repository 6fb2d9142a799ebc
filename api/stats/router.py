"""``/v1/stats``: aggregates for policymakers (and admins); small cells shown as "<5"."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

import flows
from api.auth.roles import Role
from api.deps import DatabaseDep, NowDep, RulebookDep, require
from api.routing import domain_router
from api.stats import service
from api.stats.schemas import BedValueStats, CapacityGapStats, OccupancyStats, WaitingStats

router = domain_router(prefix="/stats", tags=["stats"], dependencies=[require(Role.POLICYMAKER)])


@router.get("/waiting")
def waiting_stats(db: DatabaseDep, now: NowDep, rulebook: RulebookDep) -> WaitingStats:
    """Waiting-list size and days waited by complexity class and by region."""
    return service.waiting(db, now=now, rulebook=rulebook)


@router.get("/occupancy")
def occupancy_stats(db: DatabaseDep, now: NowDep) -> OccupancyStats:
    """Beds and occupancy today by placement type and by region."""
    return service.occupancy(db, now=now)


@router.get("/capacity-gaps")
def capacity_gap_stats(db: DatabaseDep, now: NowDep, rulebook: RulebookDep) -> CapacityGapStats:
    """Waiting cases no facility in the country is eligible for, by the rules in the way."""
    return service.capacity_gaps(db, now=now, rulebook=rulebook)


@router.get("/bed-values")
def bed_value_stats(
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    time_limit: Annotated[
        float,
        Query(
            gt=0,
            le=flows.MAX_BED_VALUE_SECONDS,
            description="Wall-clock seconds for the LPs; what is not valued by then is named.",
        ),
    ] = flows.DEFAULT_BED_VALUE_SECONDS,
) -> BedValueStats:
    """The value of one more bed per placement type and region (LP of today's round)."""
    return service.bed_values(db, now=now, rulebook=rulebook, time_limit=time_limit)
