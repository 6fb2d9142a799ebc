"""Policymakers' planning pages (issue 15): the value of one more bed, and the form that
starts a capacity-plan job (where N beds or EUR X a year do most good, checked by a
paired simulation; the job's page is the scenario job page)."""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

import flows
from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep
from api.stats import service as stats
from api.web import job_forms, plan_jobs
from api.web import scenario_jobs as jobs
from api.web.cases_view import region_name, type_name
from api.web.csrf import Form
from api.web.forms import FieldErrors, text, texts, whole_number
from api.web.pages import POLICYMAKERS, PageError, Policymaker, render
from api.web.routers.login import web_settings
from capacity import CATALOGUE, REGIONS
from scenarios import InvalidPlanError, InvalidScenarioError
from scenarios.variant import MAX_BUDGET_CHANGE

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
        "default_seconds": flows.DEFAULT_BED_VALUE_SECONDS,
        **_plan_form(request),
    }
    return render(request, "bed_values.html", context)


PLAN_DEFAULTS = {
    "beds": "10",
    "budget": "",
    "method": "lp",
    "base": "national-demo.yaml",
    "replications": "3",
}


def _plan_form(
    request: Request,
    values: dict[str, str] | None = None,
    chosen: dict[str, list[str]] | None = None,
    errors: FieldErrors | None = None,
) -> dict[str, object]:
    return {
        "type_name": type_name,
        "region_name": region_name,
        "all_types": [(t.value, CATALOGUE[t].name) for t in CATALOGUE],
        "all_regions": sorted(((r.id, r.name) for r in REGIONS), key=lambda r: r[1]),
        "examples": jobs.EXAMPLES,
        "values": values or PLAN_DEFAULTS,
        "chosen": chosen or {"types": [], "regions": []},
        "errors": errors or {},
        "max_replications": web_settings(request).scenario_max_replications,
    }


def _budget(form: Form, errors: FieldErrors) -> float | None:
    raw = text(form, "budget").replace(",", "").replace("_", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors["budget"] = "must be a number of euros a year"
        return None
    if value > MAX_BUDGET_CHANGE:  # as the change form and POST /v1/plans (issue 15)
        errors["budget"] = f"must be at most {MAX_BUDGET_CHANGE:,.0f} euros a year"
        return None
    return value


@router.post("/plans")
async def start_plan(
    request: Request,
    form: Form,
    user: Policymaker,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
) -> Response:
    """Check the request, store the plan job and start it; then its page."""
    web = web_settings(request)
    errors: FieldErrors = {}
    beds = whole_number(form, "beds", errors, required=False)
    budget = _budget(form, errors)
    replications = job_forms.replications(form, "replications", web, errors)
    plan = None
    if not errors:
        try:
            plan = plan_jobs.request(
                beds=beds,
                budget=budget,
                types=texts(form, "types"),
                regions=texts(form, "regions"),
                method=text(form, "method"),
            )
        except InvalidPlanError as exc:
            errors[exc.field] = exc.reason
    if plan is not None and replications is not None:
        asked, n, base = plan, replications, text(form, "base")
        try:
            started = await job_forms.store_and_launch(
                lambda: plan_jobs.create(
                    db, user=user, base=base, plan=asked, replications=n, settings=web, now=now
                ),
                db=db,
                database_url=settings.database_url,
                web=web,
                errors=errors,
            )
        except InvalidScenarioError as exc:
            errors["base"] = exc.reason
        else:
            if started is not None:
                return started
    values = {k: text(form, k) for k in PLAN_DEFAULTS}
    chosen = {k: texts(form, k) for k in ("types", "regions")}
    context = {
        "title": "Plan beds",
        **_plan_form(request, values, chosen, errors),
    }
    page = render(request, "plan_form.html", context, status_code=job_forms.status_of(errors))
    return job_forms.refused(page, errors)
