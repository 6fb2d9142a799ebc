"""Policymakers' pages: the capacity overview and scenario runs (aggregates only)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep
from api.downloads import TableFormat, table_response
from api.web import job_forms, variant_form, variant_jobs
from api.web import scenario_jobs as jobs
from api.web import scenario_report as report
from api.web.capacity_view import capacity_view
from api.web.cases_view import type_name
from api.web.csrf import Form
from api.web.forms import FieldErrors, text
from api.web.pages import POLICYMAKERS, PageError, Policymaker, record_number, render
from api.web.plan_view import plan_table, plan_view
from api.web.routers.login import web_settings
from api.web.variant_jobs import DEFAULT_BASE
from flows.spreadsheets import Cell
from scenarios import InvalidScenarioError, InvalidVariantError
from scenarios.report import warnings
from scenarios.variant import MAX_HORIZON_DAYS
from store.service import JobStatus, ScenarioSource

router = APIRouter()


@router.get("/capacity", dependencies=POLICYMAKERS)
def capacity(request: Request, db: DatabaseDep, now: NowDep, rulebook: RulebookDep) -> HTMLResponse:
    """Beds and occupancy by placement type and region, the map and the capacity gaps."""
    context = {
        "title": "Capacity",
        "view": capacity_view(db, now=now, rulebook=rulebook),
        "type_name": type_name,
    }
    return render(request, "capacity.html", context)


def _scenarios_page(
    request: Request,
    db: DatabaseDep,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
    change: dict[str, str] | None = None,
    change_errors: FieldErrors | None = None,
) -> HTMLResponse:
    context = {
        "title": "Scenarios",
        "examples": jobs.example_descriptions(),
        "jobs": jobs.recent(db),
        "values": values
        or {
            "example": jobs.DEFAULT_EXAMPLE,
            "compare_with": jobs.DEFAULT_COMPARE,
            "replications": "3",
        },
        "errors": errors or {},
        "max_replications": web_settings(request).scenario_max_replications,
        "change": change or variant_form.values(None),
        "change_errors": change_errors or {},
        "max_horizon_days": MAX_HORIZON_DAYS,
        **variant_form.context((change or {}).get("change_base") or DEFAULT_BASE),
    }
    return render(request, "scenarios.html", context, status_code=status)


@router.get("/scenarios", dependencies=POLICYMAKERS)
def scenarios(request: Request, db: DatabaseDep) -> HTMLResponse:
    """Start a scenario run; the recent runs."""
    return _scenarios_page(request, db)


async def _sources(form: Form, limit: int, errors: FieldErrors) -> list[ScenarioSource]:
    """The chosen example (or the uploaded file), then the one to compare with."""
    sources: list[ScenarioSource] = []
    upload = form.get("upload")
    try:
        if isinstance(upload, UploadFile) and upload.filename:
            data = await upload.read(limit + 1)
            sources.append(jobs.uploaded(upload.filename, data, limit=limit))
        elif text(form, "example"):
            sources.append(jobs.example(text(form, "example")))
        else:
            errors["example"] = "choose an example or upload a scenario file"
    except InvalidScenarioError as exc:
        errors["upload" if upload else "example"] = str(exc)
    if text(form, "compare_with"):
        try:
            sources.append(jobs.example(text(form, "compare_with")))
        except InvalidScenarioError as exc:
            errors["compare_with"] = str(exc)
    return sources


@router.post("/scenarios")
async def start_scenario(
    request: Request,
    form: Form,
    user: Policymaker,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Validate the files, store the job and start it; then its page."""
    web = web_settings(request)
    errors: FieldErrors = {}
    sources = await _sources(form, web.scenario_upload_bytes, errors)
    replications = job_forms.replications(form, "replications", web, errors)
    if not errors and replications is not None:
        n = replications
        try:
            started = await job_forms.store_and_launch(
                lambda: jobs.create(
                    db, user=user, sources=sources, replications=n, settings=web, now=now
                ),
                db=db,
                database_url=settings.database_url,
                web=web,
                errors=errors,
            )
        except InvalidScenarioError as exc:
            field = "upload" if sources and sources[0].name not in jobs.EXAMPLES else "example"
            errors[field] = str(exc)
        else:
            if started is not None:
                return started
    values = {k: text(form, k) for k in ("example", "compare_with", "replications")}
    page = await run_in_threadpool(
        _scenarios_page,
        request,
        db,
        values=values,
        errors=errors,
        status=job_forms.status_of(errors),
    )
    return job_forms.refused(page, errors)


@router.post("/scenarios/changes")
async def start_changed_scenario(
    request: Request,
    form: Form,
    user: Policymaker,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Build the changed scenario and its base from the form, store the job and start it."""
    web = web_settings(request)
    errors: FieldErrors = {}
    read = variant_form.read(form, errors)
    replications = job_forms.replications(form, "change_replications", web, errors)
    if not errors and replications is not None:
        n, base = replications, text(form, "change_base")
        try:
            started = await job_forms.store_and_launch(
                lambda: variant_jobs.create(
                    db,
                    user=user,
                    base=base,
                    variant=read.variant,
                    replications=n,
                    settings=web,
                    now=now,
                ),
                db=db,
                database_url=settings.database_url,
                web=web,
                errors=errors,
            )
        except InvalidVariantError as exc:
            errors[read.field_name(exc.field)] = exc.reason
        except InvalidScenarioError as exc:
            errors["change_base"] = exc.reason
        else:
            if started is not None:
                return started
    page = await run_in_threadpool(
        _scenarios_page,
        request,
        db,
        status=job_forms.status_of(errors),
        change=variant_form.values(form),
        change_errors=errors,
    )
    return job_forms.refused(page, errors)


@router.get("/scenarios/jobs/{job_id}", dependencies=POLICYMAKERS)
def scenario_job(request: Request, job_id: str, db: DatabaseDep, now: NowDep) -> HTMLResponse:
    """A job's progress; when it is done, the comparison with its charts."""
    job = jobs.view(jobs.get(db, record_number(job_id)), now=now, settings=web_settings(request))
    result = job.job.result if job.status is JobStatus.DONE else None
    context = {
        "title": f"Scenario run {job.job.id}",
        "job": job,
        "labels": result["labels"] if result else [],
        "plan": plan_view(result.get("plan")) if result else None,
        "headline": report.headline(result["labels"], result["runs"]) if result else [],
        "rows": report.comparison(result["runs"]) if result else [],
        "paired": _paired(result),
        "warnings": warnings(list(zip(result["labels"], result["runs"], strict=True)))
        if result
        else [],
        "charts": [
            (
                name,
                report.CHART_TITLES.get(name, name),
                report.chart_caption(name, result["labels"], result["runs"]),
            )
            for name in (result or {}).get("charts", {})
        ]
        if result
        else [],
    }
    return render(request, "scenario_job.html", context)


@router.get("/scenarios/jobs/{job_id}/status", dependencies=POLICYMAKERS)
def scenario_job_status(
    request: Request, job_id: str, db: DatabaseDep, now: NowDep
) -> JSONResponse:
    """The job's status for the page's progress bar (polled by a little script)."""
    job = jobs.view(jobs.get(db, record_number(job_id)), now=now, settings=web_settings(request))
    return JSONResponse(job.as_json(), headers={"Cache-Control": "no-store"})


@router.get("/scenarios/jobs/{job_id}/charts/{name}", dependencies=POLICYMAKERS)
def scenario_chart(job_id: str, name: str, db: DatabaseDep) -> Response:
    """One comparison chart (PNG), served by the app itself."""
    result = jobs.get(db, record_number(job_id)).result or {}
    encoded = result.get("charts", {}).get(name)
    if not isinstance(encoded, str):
        raise PageError(404, f"no chart {name[:60]!r} in this run")
    try:
        png = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise PageError(404, f"no chart {name[:60]!r} in this run") from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


def _paired(result: Mapping[str, Any] | None) -> list[report.PairedRow]:
    if not result:
        return []
    values = result.get("paired_values") or [None] * len(result["labels"])
    return report.paired(result["labels"], result["runs"], values)


@router.get("/scenarios/jobs/{job_id}/files/{index}", dependencies=POLICYMAKERS)
def scenario_file(job_id: str, index: str, db: DatabaseDep) -> Response:
    """One of the job's scenario files (YAML), to download and keep."""
    job = jobs.get(db, record_number(job_id))
    n = record_number(index)
    if n >= len(job.sources):
        raise PageError(404, f"no file {n} in this run")
    source = job.sources[n]
    name = jobs.SAFE_FILE_NAME.sub("_", source.name) or "scenario.yaml"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(source.text, media_type="application/x-yaml", headers=headers)


@router.get("/scenarios/jobs/{job_id}/tables/{name}", dependencies=POLICYMAKERS)
def scenario_table(job_id: str, name: str, db: DatabaseDep) -> Response:
    """A table of the job's page as CSV: ``kpis.csv``, ``paired.csv`` or ``plan.csv``."""
    job = jobs.get(db, record_number(job_id))
    result = job.result if job.status is JobStatus.DONE else None
    if not result:
        raise PageError(404, "this run has no results yet")
    plan = plan_view(result.get("plan"))
    header: list[str]
    rows: Sequence[Sequence[Cell]]
    if name == "kpis.csv":
        header, rows = report.kpi_table(result["labels"], report.comparison(result["runs"]))
    elif name == "paired.csv":
        header, rows = report.paired_table(_paired(result))
    elif name == "plan.csv" and plan is not None:
        header, rows = plan_table(plan)
    else:
        raise PageError(404, f"no table {name[:60]!r} in this run")
    return table_response(TableFormat.CSV, header, rows, name=f"run-{job.id}-{name[:-4]}")
