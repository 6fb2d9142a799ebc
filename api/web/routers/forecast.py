"""The policymakers' demand forecast page (issue 13): the figures of
``GET /v1/stats/forecast`` for a window of intake history, as tables and an interval chart,
with their CSV/XLSX (``/exports/forecast.{csv,xlsx}``) and the chart as PNG."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from api.database import Database
from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep
from api.errors import FieldError
from api.stats import forecast
from api.stats.schemas import ForecastStats
from api.web.forecast_chart import forecast_chart
from api.web.forms import FieldErrors
from api.web.pages import POLICYMAKERS, PageError, render
from capacity import Rulebook

router = APIRouter()


def _window(raw: str | None, default: int, errors: FieldErrors) -> int:
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= forecast.MAX_WINDOW_DAYS:
        errors["window_days"] = (
            f"must be a whole number of days from 1 to {forecast.MAX_WINDOW_DAYS}"
        )
        return default
    return int(raw)


def _day(raw: str | None, errors: FieldErrors) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors["day"] = "must be a date (YYYY-MM-DD)"
        return None


def read_forecast(
    db: Database,
    *,
    now: datetime,
    rulebook: Rulebook,
    default_window: int,
    window_days: str | None,
    day: str | None,
) -> tuple[ForecastStats | None, FieldErrors]:
    """The API's forecast for the page's query, or what is wrong with each field."""
    errors: FieldErrors = {}
    days = _window(window_days, default_window, errors)
    first = _day(day, errors)
    if errors:
        return None, errors
    try:
        return forecast.forecast(db, now=now, rulebook=rulebook, window_days=days, day=first), {}
    except FieldError as exc:
        return None, {str(exc.loc[-1]): exc.detail}


async def _page_forecast(
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    settings: SettingsDep,
    window_days: str | None = None,
    day: str | None = None,
) -> tuple[ForecastStats | None, FieldErrors]:
    return await run_in_threadpool(
        read_forecast,
        db,
        now=now,
        rulebook=rulebook,
        default_window=settings.anticipation_window_days,
        window_days=window_days,
        day=day,
    )


async def _file_forecast(
    found: Annotated[tuple[ForecastStats | None, FieldErrors], Depends(_page_forecast)],
) -> ForecastStats:
    stats, errors = found
    if stats is None:
        name, reason = next(iter(errors.items()))
        raise PageError(422, f"{name}: {reason}")
    return stats


FileForecast = Annotated[ForecastStats, Depends(_file_forecast)]
"""The forecast a file's query asks for (``window_days``, ``day``); a 422 page when wrong."""


def query_of(stats: ForecastStats) -> str:
    """The window as a query string, for the page's links to its files."""
    return urlencode({"window_days": stats.window.days, "day": stats.day.isoformat()})


@router.get("/forecast", dependencies=POLICYMAKERS)
def forecast_page(
    request: Request,
    found: Annotated[tuple[ForecastStats | None, FieldErrors], Depends(_page_forecast)],
    settings: SettingsDep,
    window_days: str | None = None,
    day: str | None = None,
) -> HTMLResponse:
    """The forecast's tables and chart, with the window's form (a bad value beside its
    field, the page a 422 without figures)."""
    stats, errors = found
    context = {
        "title": "Demand forecast",
        "stats": stats,
        "errors": errors,
        "values": {
            "window_days": window_days or (stats.window.days if stats else ""),
            "day": day or (stats.day.isoformat() if stats else ""),
        },
        "default_window": settings.anticipation_window_days,
        "max_days": forecast.MAX_WINDOW_DAYS,
        "query": query_of(stats) if stats else "",
    }
    return render(request, "forecast.html", context, status_code=422 if errors else 200)


@router.get("/forecast/rates.png", dependencies=POLICYMAKERS)
def forecast_png(stats: FileForecast) -> Response:
    """The page's interval chart as a PNG, for the same window."""
    return Response(
        forecast_chart(stats),
        media_type="image/png",
        headers={"Content-Disposition": 'inline; filename="forecast-rates.png"'},
    )
