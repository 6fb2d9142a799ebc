"""Coordinators' matching rounds: run one now, see its status, objective, gap, proposals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

import flows
from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep
from api.matching_runs import service as runs
from api.matching_runs.schemas import AnticipationCreate, RunCreate, RunPublic
from api.settings import ApiSettings
from api.web.cases_view import region_name, type_name
from api.web.csrf import Form
from api.web.forms import FieldErrors, text, validation_errors, whole_number
from api.web.pages import COORDINATORS, Coordinator, record_number, redirect, render
from store import Repository

router = APIRouter()
RECENT_RUNS = 20


ANTICIPATION_DEFAULTS = {"anticipate": "", "samples": "8", "seed": "0"}


def _page(
    request: Request,
    db: DatabaseDep,
    settings: ApiSettings,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
) -> HTMLResponse:
    context = {
        "title": "Matching rounds",
        "runs": runs.list_(db, limit=RECENT_RUNS, offset=0).data,
        "time_limit": settings.matching_time_limit,
        "window_days": settings.anticipation_window_days,
        "values": values or ANTICIPATION_DEFAULTS,
        "errors": errors or {},
    }
    return render(request, "matching.html", context, status_code=422 if errors else 200)


@router.get("/matching", dependencies=COORDINATORS)
def matching(request: Request, db: DatabaseDep, settings: SettingsDep) -> HTMLResponse:
    """Recent rounds and the form to run one (with anticipation, if asked)."""
    return _page(request, db, settings)


def _anticipation(form: Form, errors: FieldErrors) -> AnticipationCreate | None:
    """The form's anticipation settings (``None``: not asked for); errors by field."""
    if not text(form, "anticipate"):
        return None
    numbers = {k: whole_number(form, k, errors, required=False) for k in ("samples", "seed")}
    if errors:
        return None
    try:
        return AnticipationCreate(**{k: v for k, v in numbers.items() if v is not None})
    except ValidationError as exc:
        errors.update(validation_errors(exc))
        return None


@router.post("/matching")
def run_round(
    request: Request,
    form: Form,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    settings: SettingsDep,
) -> Response:
    """Run the optimiser on the waiting list now (as ``POST /v1/matching-runs``)."""
    errors: FieldErrors = {}
    anticipation = _anticipation(form, errors)
    if errors:
        values = {k: text(form, k) for k in ANTICIPATION_DEFAULTS}
        return _page(request, db, settings, values, errors)
    params = RunCreate(anticipation=anticipation)
    run = runs.create(
        db, params=params, user=user, now=now, rulebook=rulebook, settings=settings, idem=None
    )
    assert isinstance(run, RunPublic)  # no idempotency key: never a replay
    return redirect(f"/matching/runs/{run.id}")


@router.get("/matching/runs/{run_id}")
def matching_run(request: Request, run_id: str, user: Coordinator, db: DatabaseDep) -> HTMLResponse:
    """One round: its record, the proposals it made and why the other cases wait."""
    run = runs.get(db, run_id=record_number(run_id), user=user)  # audited: it lists cases
    with db.unit() as session:
        facilities = {f.id: f for f in Repository(session).facilities()}
        waits = flows.run_waits(session, run.id)
    context = {
        "title": f"Matching round {run.id}",
        "run": run,
        "facilities": facilities,
        "waits": waits,
        "words": flows.waiting_words,
        "type_name": type_name,
        "region_name": region_name,
    }
    return render(request, "run.html", context)
