"""The aggregates as tables, for CSV and XLSX (issue 16): the same figures as the JSON,
suppression and rounding already applied (:mod:`capacity.disclosure`), one row per group.

Each table starts with the total (``table`` and ``key`` ``all``), then every group of every
breakdown, in the JSON's order. What does not fit a row (the spread of the regional mean
waits) stays in the JSON.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.stats.schemas import (
    BedValueStats,
    CapacityGapStats,
    CaseCount,
    ForecastStats,
    OccupancyStats,
    TrendStats,
    WaitingStats,
)
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


class BedValueRow(BaseModel):
    as_of: dt.datetime
    complete: bool = Field(description="false: values may be missing or too low (see JSON)")
    placement_type: str
    region_id: str
    facility_id: str
    value: float


def bed_value_rows(stats: BedValueStats) -> list[BedValueRow]:
    """One row per group worth more than 0, most valuable first (as the JSON); whether the
    values are complete is on every row, the note and skipped facilities stay in the JSON."""
    return [
        BedValueRow(as_of=stats.as_of, complete=stats.complete, **g.model_dump())
        for g in stats.values
    ]


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


class TrendRow(BaseModel):
    period_start: dt.date
    period_end: dt.date
    table: str = Field(description="waiting, placed or occupancy")
    key: str = Field(description="all, a complexity class or a placement type")
    cases: CaseCount | None = Field(None, description="Waiting at the end, or placed in it.")
    mean_wait_days: int | None = None
    median_wait_days: int | None = None
    beds: int | None = None
    occupied: int | None = None
    occupancy: float | None = None


TREND_TABLES = ("waiting", "placed", "occupancy")


def trend_rows(stats: TrendStats, table: str | None = None) -> list[TrendRow]:
    """Per period: the waiting list by class, the cases placed and their waits by class,
    the occupancy by placement type (each with its total ``all`` first); one of the three
    tables when ``table`` is given."""
    rows: list[TrendRow] = []
    for p in stats.periods:
        span = {"period_start": p.start, "period_end": p.end}
        rows.append(TrendRow(**span, table="waiting", key=TOTAL, cases=p.waiting))
        rows += [
            TrendRow(**span, table="waiting", key=g.key, cases=g.waiting) for g in p.by_complexity
        ]
        rows.append(
            TrendRow(
                **span,
                table="placed",
                key=TOTAL,
                cases=p.placed,
                mean_wait_days=p.mean_wait_days,
                median_wait_days=p.median_wait_days,
            )
        )
        rows += [
            TrendRow(**span, table="placed", cases=g.placed, **g.model_dump(include=WAITS))
            for g in p.by_complexity
        ]
        national = {"beds": p.beds, "occupied": p.occupied, "occupancy": p.occupancy}
        rows.append(TrendRow(**span, table="occupancy", key=TOTAL, **national))
        rows += [
            TrendRow(**span, table="occupancy", **g.model_dump(include=SUPPLY))
            for g in p.by_placement_type
        ]
    return [r for r in rows if table is None or r.table == table]


WAITS = {"key", "mean_wait_days", "median_wait_days"}
SUPPLY = {"key", "beds", "occupied", "occupancy"}


class ForecastRow(BaseModel):
    day: dt.date
    window_from: dt.date
    window_to: dt.date
    window_days: int
    table: str = Field(description="complexity (the totals) or class")
    key: str = Field(description="The complexity class, or the profile class")
    merged: bool | None = Field(None, description="The row of a complexity's small classes")
    gender: str | None = None
    age: str | None = None
    needs: list[str] | None = None
    beds: int | None = None
    arrivals: CaseCount
    rate_per_day: float | None
    rate_per_month: float | None
    rate_per_year: float | None
    interval_per_day: list[float] | None
    expected_in_horizon: float | None
    horizon_interval: list[float] | None


def forecast_rows(stats: ForecastStats) -> list[ForecastRow]:
    """The totals per complexity class, then every profile class row (as the JSON)."""
    window = {
        "day": stats.day,
        "window_from": stats.window.from_,
        "window_to": stats.window.to,
        "window_days": stats.window.days,
    }
    rates = {"arrivals", *RATES}
    rows = [
        ForecastRow(**window, table="complexity", key=g.complexity, **g.model_dump(include=rates))
        for g in stats.by_complexity
    ]
    parts = {"merged", "gender", "age", "needs", "beds"}
    return rows + [
        ForecastRow(
            **window, table="class", key=c.profile_class, **c.model_dump(include=rates | parts)
        )
        for c in stats.classes
    ]


RATES = {
    "rate_per_day",
    "rate_per_month",
    "rate_per_year",
    "interval_per_day",
    "expected_in_horizon",
    "horizon_interval",
}
