"""Policymakers' planning pages: the value of one more bed (issue 15)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

import flows
from api.deps import DatabaseDep, NowDep, RulebookDep
from api.stats import service as stats
from api.web.cases_view import region_name, type_name
from api.web.pages import POLICYMAKERS, PageError, render

router = APIRouter()


def _seconds(raw: str | None) -> float:
    """The page's time limit: a whole number of seconds, 1 to the API's most."""
    if raw is None or raw == "":
        return flows.DEFAULT_BED_VALUE_SECONDS
    most = int(flows.MAX_BED_VALUE_SECONDS)
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise PageError(422, f"time_limit: must be a whole number of seconds from 1 to {most}")
    return float(raw)


@router.get("/bed-values", dependencies=POLICYMAKERS)
def bed_values(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    time_limit: str | None = None,
) -> HTMLResponse:
    """The value of one more bed per placement type and region (the API's figures)."""
    seconds = _seconds(time_limit)
    context = {
        "title": "Bed values",
        "stats": stats.bed_values(db, now=now, rulebook=rulebook, time_limit=seconds),
        "max_seconds": flows.MAX_BED_VALUE_SECONDS,
        "type_name": type_name,
        "region_name": region_name,
    }
    return render(request, "bed_values.html", context)
