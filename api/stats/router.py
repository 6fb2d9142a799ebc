"""``/v1/stats``: aggregates for policymakers (and admins); small cells shown as "<5".

Each answers JSON, or with ``?format=csv|xlsx`` (or ``Accept: text/csv``) the same
figures as a table (:mod:`api.stats.tables`), suppression applied as in the JSON.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request

import flows
from api.auth.roles import Role
from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep, require
from api.downloads import (
    FormatQuery,
    TableFormat,
    flat_rows,
    table_response,
    table_responses,
    wanted_format,
)
from api.routing import domain_router
from api.stats import forecast, service, tables, trends
from api.stats.schemas import (
    BedValueStats,
    CapacityGapStats,
    ForecastStats,
    OccupancyStats,
    TrendStats,
    WaitingStats,
)

router = domain_router(prefix="/stats", tags=["stats"], dependencies=[require(Role.POLICYMAKER)])


@router.get("/waiting", response_model=WaitingStats, responses=table_responses(WaitingStats))
def waiting_stats(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    format: FormatQuery = None,
) -> Any:
    """Waiting-list size and days waited by complexity class and by region."""
    stats = service.waiting(db, now=now, rulebook=rulebook)
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.WaitingRow, tables.waiting_rows(stats))
    return table_response(fmt, *rows, name="waiting-stats")


@router.get("/occupancy", response_model=OccupancyStats, responses=table_responses(OccupancyStats))
def occupancy_stats(
    request: Request, db: DatabaseDep, now: NowDep, format: FormatQuery = None
) -> Any:
    """Beds and occupancy today by placement type and by region."""
    stats = service.occupancy(db, now=now)
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.OccupancyRow, tables.occupancy_rows(stats))
    return table_response(fmt, *rows, name="occupancy")


@router.get(
    "/capacity-gaps",
    response_model=CapacityGapStats,
    responses=table_responses(CapacityGapStats),
)
def capacity_gap_stats(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    format: FormatQuery = None,
) -> Any:
    """Waiting cases no facility in the country is eligible for, by the rules in the way."""
    stats = service.capacity_gaps(db, now=now, rulebook=rulebook)
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.GapRow, tables.gap_rows(stats))
    return table_response(fmt, *rows, name="capacity-gaps")


@router.get("/bed-values", response_model=BedValueStats, responses=table_responses(BedValueStats))
def bed_value_stats(
    request: Request,
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
    format: FormatQuery = None,
) -> Any:
    """The value of one more bed per placement type and region (LP of today's round)."""
    stats = service.bed_values(db, now=now, rulebook=rulebook, time_limit=time_limit)
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.BedValueRow, tables.bed_value_rows(stats))
    return table_response(fmt, *rows, name="bed-values")


@router.get("/trends", response_model=TrendStats, responses=table_responses(TrendStats))
def trend_stats(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    since: Annotated[
        dt.date | None,
        Query(description="First day (YYYY-MM-DD); default 26 weeks before until."),
    ] = None,
    until: Annotated[
        dt.date | None, Query(description="Last day (YYYY-MM-DD), not after today; default today.")
    ] = None,
    period: Annotated[
        flows.TrendPeriod, Query(description="week (Monday to Sunday) or month.")
    ] = flows.TrendPeriod.WEEK,
    format: FormatQuery = None,
) -> Any:
    """Waiting list, waits per complexity class and occupancy per week or month, from the
    live history; at most about three years."""
    stats = trends.trends(db, now=now, rulebook=rulebook, since=since, until=until, period=period)
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.TrendRow, tables.trend_rows(stats))
    return table_response(fmt, *rows, name="trends")


@router.get("/forecast", response_model=ForecastStats, responses=table_responses(ForecastStats))
def forecast_stats(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    settings: SettingsDep,
    window_days: Annotated[
        int | None,
        Query(
            ge=1,
            le=forecast.MAX_WINDOW_DAYS,
            description="Days of intake history before `day`; default "
            "OPVANG_ANTICIPATION_WINDOW_DAYS (365).",
        ),
    ] = None,
    day: Annotated[
        dt.date | None,
        Query(description="The day to forecast from (YYYY-MM-DD), not after today; default today."),
    ] = None,
    format: FormatQuery = None,
) -> Any:
    """Arrivals per profile class and per complexity class: the rate per day with its
    credible interval, and the arrivals expected over the planning horizon (issue 13)."""
    stats = forecast.forecast(
        db,
        now=now,
        rulebook=rulebook,
        window_days=window_days or settings.anticipation_window_days,
        day=day,
    )
    fmt = wanted_format(request, format)
    if fmt == TableFormat.JSON:
        return stats
    rows = flat_rows(tables.ForecastRow, tables.forecast_rows(stats))
    return table_response(fmt, *rows, name="forecast")
