"""The policymakers' trends page (issue 15): the waiting list, waits per complexity class
and occupancy per week or month from the live history, as tables and line charts, each
with its CSV (``/exports/trends-{table}.csv``) and the charts as PNG."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

import flows
from api.database import Database
from api.deps import DatabaseDep, NowDep, RulebookDep
from api.errors import FieldError
from api.stats.schemas import TrendStats
from api.stats.trends import trends
from api.web.cases_view import type_name
from api.web.pages import POLICYMAKERS, PageError, render
from api.web.trend_charts import CHARTS, trend_chart
from capacity import Rulebook

router = APIRouter()


def _day(name: str, raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise PageError(422, f"{name}: must be a date (YYYY-MM-DD)") from None


def _period(raw: str | None) -> flows.TrendPeriod:
    try:
        return flows.TrendPeriod(raw or flows.TrendPeriod.WEEK)
    except ValueError:
        raise PageError(422, "period: must be week or month") from None


def published_trends(
    db: Database,
    *,
    now: datetime,
    rulebook: Rulebook,
    since: str | None,
    until: str | None,
    period: str | None,
) -> TrendStats:
    """The API's trends for the page's query (a 422 page naming the field when wrong)."""
    try:
        return trends(
            db,
            now=now,
            rulebook=rulebook,
            since=_day("since", since),
            until=_day("until", until),
            period=_period(period),
        )
    except FieldError as exc:
        raise PageError(422, f"{exc.loc[-1]}: {exc.detail}") from None


def _query(stats: TrendStats) -> str:
    """The window as a query string, for the page's links to its files."""
    return urlencode(
        {"since": stats.since.isoformat(), "until": stats.until.isoformat(), "period": stats.period}
    )


async def _page_trends(
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    since: str | None = None,
    until: str | None = None,
    period: str | None = None,
) -> TrendStats:
    return await run_in_threadpool(
        published_trends, db, now=now, rulebook=rulebook, since=since, until=until, period=period
    )


PageTrends = Annotated[TrendStats, Depends(_page_trends)]
"""The trends of the window a page's query asks for (``since``, ``until``, ``period``)."""


@router.get("/trends", dependencies=POLICYMAKERS)
def trends_page(request: Request, stats: PageTrends) -> HTMLResponse:
    """Tables and charts of the trends, with the window's form."""
    types = sorted({g.key for p in stats.periods for g in p.by_placement_type})
    context = {
        "title": "Trends",
        "stats": stats,
        "query": _query(stats),
        "types": types,
        "type_name": type_name,
        "classes": [g.key for g in stats.periods[0].by_complexity] if stats.periods else [],
        "max_days": flows.MAX_WINDOW_DAYS,
    }
    return render(request, "trends.html", context)


@router.get("/trends/{chart}.png", dependencies=POLICYMAKERS)
def trends_chart(chart: str, stats: PageTrends) -> Response:
    """One chart of the page as a PNG, for the same window."""
    if chart not in CHARTS:
        raise PageError(404, f"There is no chart {chart[:40]!r}.")
    disposition = f'inline; filename="trends-{chart}.png"'
    return Response(
        trend_chart(stats, chart),
        media_type="image/png",
        headers={"Content-Disposition": disposition},
    )
