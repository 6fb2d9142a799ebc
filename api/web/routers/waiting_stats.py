"""The policymakers' waiting statistics (issue 15, equity): the figures of
``GET /v1/stats/waiting`` as tables, each with its CSV/XLSX
(``/exports/waiting-stats-{table}.csv``), and the spread of the regional mean waits."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import DatabaseDep, NowDep, RulebookDep
from api.stats import service as stats
from api.web.cases_view import region_name
from api.web.pages import POLICYMAKERS, render

router = APIRouter()

TABLES = (
    ("complexity", "by_complexity", "Complexity class"),
    ("region", "by_region", "Region signalled"),
    ("exploitation_type", "by_exploitation_type", "Exploitation type"),
    ("residence_status", "by_residence_status", "Residence status"),
    ("age_band", "by_age_band", "Age band"),
)
"""Each breakdown: its ``table`` in the CSV, its field of ``WaitingStats``, its heading."""


@router.get("/waiting-stats", dependencies=POLICYMAKERS)
def waiting_stats(
    request: Request, db: DatabaseDep, now: NowDep, rulebook: RulebookDep
) -> HTMLResponse:
    """Cases waiting and their mean wait by class, region, exploitation type, residence
    status and age band, as published."""
    found = stats.waiting(db, now=now, rulebook=rulebook)
    tables = [(table, heading, getattr(found, field)) for table, field, heading in TABLES]
    context = {
        "title": "Waiting statistics",
        "stats": found,
        "tables": tables,
        "region_name": region_name,
    }
    return render(request, "waiting_stats.html", context)
