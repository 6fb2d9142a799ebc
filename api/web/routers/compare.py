"""Comparing stored scenario and plan runs (issue 15): pick finished runs, see them side by
side with the statistics rules of one job's comparison, download each table and chart."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import DatabaseDep
from api.downloads import TableFormat, table_response
from api.web import run_compare
from api.web import scenario_report as report
from api.web.pages import POLICYMAKERS, PageError, render
from api.web.run_compare import CompareRefusedError, Comparison
from flows.spreadsheets import Cell

router = APIRouter()


def _job_ids(request: Request) -> list[int]:
    raw = request.query_params.getlist("jobs")
    if not all(v.isdigit() and len(v) <= 18 for v in raw):
        raise CompareRefusedError("jobs must be run numbers")
    return [int(v) for v in raw]


def _gather(request: Request, db: DatabaseDep) -> Comparison:
    """The comparison asked for; a page error (404 or 422) naming why not."""
    try:
        return run_compare.gather(db, _job_ids(request))
    except CompareRefusedError as exc:
        raise PageError(404 if exc.missing else 422, exc.reason) from None


def _query(ids: Sequence[int]) -> str:
    return "&".join(f"jobs={i}" for i in ids)


@router.get("/scenarios/compare", dependencies=POLICYMAKERS)
def compare(request: Request, db: DatabaseDep) -> HTMLResponse:
    """Finished runs to choose from; with ``?jobs=`` (2 or more), their comparison."""
    chosen: Comparison | None = None
    error, status = "", 200
    try:
        ids = _job_ids(request)
        if ids:
            chosen = run_compare.gather(db, ids)
    except CompareRefusedError as exc:
        error, status = exc.reason, 404 if exc.missing else 422
        ids = []
    context = {
        "title": "Compare scenario runs",
        "finished": run_compare.finished(db),
        "picked": set(ids),
        "error": error,
        "comparison": chosen,
        "query": _query([j.id for j in chosen.jobs]) if chosen else "",
        "rows": chosen.rows() if chosen else [],
        "paired": chosen.paired() if chosen else [],
        "charts": [(n, run_compare.CHARTS[n]) for n in chosen.charts()] if chosen else [],
    }
    return render(request, "scenario_compare.html", context, status_code=status)


@router.get("/scenarios/compare/tables/{name}", dependencies=POLICYMAKERS)
def compare_table(request: Request, name: str, db: DatabaseDep) -> Response:
    """A table of the comparison as CSV: ``kpis.csv`` or ``paired.csv``."""
    chosen = _gather(request, db)
    header: list[str]
    rows: Sequence[Sequence[Cell]]
    if name == "kpis.csv":
        header, rows = report.kpi_table(chosen.labels, chosen.rows())
    elif name == "paired.csv":
        header, rows = report.paired_table(chosen.paired())
    else:
        raise PageError(404, f"no table {name[:60]!r} in a comparison")
    runs = "-".join(str(j.id) for j in chosen.jobs)
    return table_response(TableFormat.CSV, header, rows, name=f"runs-{runs}-{name[:-4]}")


@router.get("/scenarios/compare/charts/{name}", dependencies=POLICYMAKERS)
def compare_chart(request: Request, name: str, db: DatabaseDep) -> Response:
    """A chart of the comparison (PNG), drawn from the stored results."""
    png = _gather(request, db).chart(name)
    if png is None:
        raise PageError(404, f"no chart {name[:60]!r} for these runs")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})
