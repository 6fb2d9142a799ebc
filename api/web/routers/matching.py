"""Coordinators' matching rounds: run one now, see its status, objective, gap, proposals."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

import flows
from api.deps import DatabaseDep, NowDep, RulebookDep, SettingsDep
from api.matching_runs import service as runs
from api.matching_runs.schemas import RunCreate, RunPublic
from api.web.cases_view import region_name, type_name
from api.web.pages import COORDINATORS, Coordinator, record_number, redirect, render
from store import Repository

router = APIRouter()
RECENT_RUNS = 20


@router.get("/matching", dependencies=COORDINATORS)
def matching(request: Request, db: DatabaseDep, settings: SettingsDep) -> HTMLResponse:
    """Recent rounds and the button to run one."""
    context = {
        "title": "Matching rounds",
        "runs": runs.list_(db, limit=RECENT_RUNS, offset=0).data,
        "time_limit": settings.matching_time_limit,
    }
    return render(request, "matching.html", context)


@router.post("/matching")
def run_round(
    user: Coordinator, db: DatabaseDep, now: NowDep, rulebook: RulebookDep, settings: SettingsDep
) -> Response:
    """Run the optimiser on the waiting list now (as ``POST /v1/matching-runs``)."""
    run = runs.create(
        db, params=RunCreate(), user=user, now=now, rulebook=rulebook, settings=settings, idem=None
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
