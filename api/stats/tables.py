"""The aggregates as tables, for CSV and XLSX (issue 16): the same figures as the JSON,
suppression and rounding already applied (:mod:`capacity.disclosure`), one row per group.

Each table starts with the total (``table`` and ``key`` ``all``), then every group of every
breakdown, in the JSON's order. What does not fit a row (the spread of the regional mean
waits) stays in the JSON.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.stats.schemas import CapacityGapStats, CaseCount, OccupancyStats, WaitingStats
from capacity import Rule

TOTAL = "all"


class WaitingRow(BaseModel):
    as_of: dt.datetime
    table: str = Field(description="all, complexity, region, exploitation_type, ...")
    key: str
    cases: CaseCount
    mean_days: int | None


class OccupancyRow(BaseModel):
    as_of: dt.datetime
    table: str = Field(description="placement_type or region")
    key: str
    facilities: int
    beds: int
    occupied: int
    free: int
    occupancy: float


class GapRow(BaseModel):
    as_of: dt.datetime
    rule: Rule | str = Field(description="all, or the rule family in the way")
    cases: CaseCount


def waiting_rows(stats: WaitingStats) -> list[WaitingRow]:
    """The waiting-list aggregates, one row per group."""
    rows = [
        WaitingRow(as_of=stats.as_of, table=TOTAL, key=TOTAL, cases=stats.cases, mean_days=None)
    ]
    for table, groups in (
        ("complexity", stats.by_complexity),
        ("region", stats.by_region),
        ("exploitation_type", stats.by_exploitation_type),
        ("residence_status", stats.by_residence_status),
        ("age_band", stats.by_age_band),
    ):
        rows += [
            WaitingRow(
                as_of=stats.as_of, table=table, key=g.key, cases=g.cases, mean_days=g.mean_days
            )
            for g in groups
        ]
    return rows


def occupancy_rows(stats: OccupancyStats) -> list[OccupancyRow]:
    """Beds and occupancy, one row per placement type and per region."""
    return [
        OccupancyRow(as_of=stats.as_of, table=table, **g.model_dump())
        for table, groups in (
            ("placement_type", stats.by_placement_type),
            ("region", stats.by_region),
        )
        for g in groups
    ]


def gap_rows(stats: CapacityGapStats) -> list[GapRow]:
    """Capacity gaps: the total, then one row per rule family in the way."""
    rows = [GapRow(as_of=stats.as_of, rule=TOTAL, cases=stats.cases)]
    return rows + [GapRow(as_of=stats.as_of, rule=g.rule, cases=g.cases) for g in stats.by_rule]
