"""Downloads from the dashboard (issue 16): the waiting list and the placements for
coordinators, the aggregates for policymakers, as CSV or XLSX.

Each is the file of the matching ``/v1`` route (``?format=csv|xlsx``), made by the same
service and the same table (so audited and suppressed alike); the pages cannot use
``/v1`` themselves, which takes a bearer token, not the session cookie.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from starlette.concurrency import run_in_threadpool

import flows
from api.cases import service as cases
from api.cases.schemas import CaseListItem
from api.deps import DatabaseDep, NowDep, RulebookDep
from api.downloads import EXPORT_LIMIT, TableFormat, flat_rows, table_response
from api.placements import service as placements
from api.placements.schemas import PlacementPublic
from api.stats import service as stats
from api.stats import tables
from api.stats.schemas import BedValueGroup
from api.web import capacity_files as files
from api.web.capacity_view import capacity_view
from api.web.pages import POLICYMAKERS, Coordinator, PageError
from api.web.routers.forecast import FileForecast
from api.web.routers.trends import PageTrends
from api.web.routers.waiting_stats import TABLES as WAITING_TABLES
from capacity import WAITING_LIST

router = APIRouter()


def _format(fmt: str) -> TableFormat:
    if fmt not in ("csv", "xlsx"):
        raise PageError(404, "Files are CSV or XLSX.")
    return TableFormat(fmt)


@router.get("/exports/waiting-list.{fmt}")
async def waiting_list(
    fmt: str, user: Coordinator, db: DatabaseDep, now: NowDep, rulebook: RulebookDep
) -> Response:
    """The national waiting list as on ``GET /v1/cases?status=waiting&format=``."""
    kind = _format(fmt)
    page = await run_in_threadpool(
        cases.list_,
        db,
        status=None,
        statuses=WAITING_LIST,
        region=None,
        complexity=None,
        limit=EXPORT_LIMIT,
        offset=0,
        user=user,
        now=now,
        rulebook=rulebook,
    )
    return table_response(kind, *flat_rows(CaseListItem, page.data), name="waiting-list")


@router.get("/exports/placements.{fmt}")
async def placement_list(fmt: str, user: Coordinator, db: DatabaseDep, now: NowDep) -> Response:
    """Every placement as on ``GET /v1/placements?format=``."""
    kind = _format(fmt)
    page = await run_in_threadpool(
        placements.list_,
        db,
        active=None,
        facility_id=None,
        limit=EXPORT_LIMIT,
        offset=0,
        user=user,
        now=now,
    )
    return table_response(kind, *flat_rows(PlacementPublic, page.data), name="placements")


@router.get("/exports/trends-{table}.{fmt}", dependencies=POLICYMAKERS)
def trend_table(table: str, fmt: str, stats: PageTrends) -> Response:
    """One table of the trends page (or ``all``), as ``GET /v1/stats/trends?format=`` gives
    its rows, for the page's window."""
    kind = _format(fmt)
    if table not in (*tables.TREND_TABLES, "all"):
        raise PageError(404, "There is no such download.")
    rows = tables.trend_rows(stats, None if table == "all" else table)
    return table_response(kind, *flat_rows(tables.TrendRow, rows), name=f"trends-{table}")


@router.get("/exports/forecast.{fmt}", dependencies=POLICYMAKERS)
def forecast_table(fmt: str, stats: FileForecast) -> Response:
    """The demand forecast page's figures, as ``GET /v1/stats/forecast?format=`` gives them,
    for the page's window."""
    kind = _format(fmt)
    rows = flat_rows(tables.ForecastRow, tables.forecast_rows(stats))
    return table_response(kind, *rows, name="forecast")


@router.get("/exports/waiting-stats-{table}.{fmt}", dependencies=POLICYMAKERS)
async def waiting_table(
    table: str, fmt: str, db: DatabaseDep, now: NowDep, rulebook: RulebookDep
) -> Response:
    """One table of the waiting statistics page: its rows of ``waiting-stats``."""
    kind = _format(fmt)
    if table not in {name for name, _, _ in WAITING_TABLES}:
        raise PageError(404, "There is no such download.")
    found = await run_in_threadpool(stats.waiting, db, now=now, rulebook=rulebook)
    rows = [r for r in tables.waiting_rows(found) if r.table == table]
    return table_response(kind, *flat_rows(tables.WaitingRow, rows), name=f"waiting-stats-{table}")


@router.get("/exports/{name}.{fmt}", dependencies=POLICYMAKERS)
async def aggregates(
    name: str, fmt: str, db: DatabaseDep, now: NowDep, rulebook: RulebookDep
) -> Response:
    """The aggregates as on ``GET /v1/stats/{waiting,occupancy,capacity-gaps}?format=``,
    and the other tables of the capacity and bed-value pages (regions, placement type by
    region, bed values: the pages' own figures)."""
    kind = _format(fmt)
    if name == "waiting-stats":
        found = await run_in_threadpool(stats.waiting, db, now=now, rulebook=rulebook)
        rows = flat_rows(tables.WaitingRow, tables.waiting_rows(found))
    elif name == "occupancy":
        occupancy = await run_in_threadpool(stats.occupancy, db, now=now)
        rows = flat_rows(tables.OccupancyRow, tables.occupancy_rows(occupancy))
    elif name == "capacity-gaps":
        gaps = await run_in_threadpool(stats.capacity_gaps, db, now=now, rulebook=rulebook)
        rows = flat_rows(tables.GapRow, tables.gap_rows(gaps))
    elif name in ("capacity-regions", "occupancy-type-region"):
        view = await run_in_threadpool(capacity_view, db, now=now, rulebook=rulebook)
        rows = (
            flat_rows(files.RegionRow, files.region_rows(view))
            if name == "capacity-regions"
            else flat_rows(files.TypeRegionRow, files.type_region_rows(view))
        )
    elif name == "bed-values":
        values = await run_in_threadpool(
            stats.bed_values,
            db,
            now=now,
            rulebook=rulebook,
            time_limit=flows.DEFAULT_BED_VALUE_SECONDS,
        )
        rows = flat_rows(BedValueGroup, values.values)
    else:
        raise PageError(404, "There is no such download.")
    return table_response(kind, *rows, name=name)
