"""Capacity-plan jobs: create (checked, idempotent, at most N at once) and get."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.database import Database
from api.errors import ApiError, FieldError, NotFoundError
from api.idempotency import Idempotency
from api.plans.schemas import PlanCreate, PlanJobPublic, PlanResult
from api.unit_of_work import write
from api.web import plan_jobs
from api.web import scenario_jobs as jobs
from api.web.settings import WebSettings
from capacity import UnknownReferenceError
from scenarios import InvalidPlanError, InvalidScenarioError
from store.service import ScenarioSource, StoredAnswer, StoredScenarioJob, StoredUser

Public = TypeVar("Public", bound=BaseModel)


class TooManyJobsApiError(ApiError):
    status_code = 429


def create(
    db: Database,
    *,
    body: PlanCreate,
    user: StoredUser,
    now: datetime,
    settings: WebSettings,
    idem: Idempotency | None,
) -> PlanJobPublic | StoredAnswer:
    """Check the request and store a queued plan job (the router starts it)."""
    check_replications(body.replications, settings)
    try:
        plan = plan_jobs.request(
            beds=body.beds,
            budget=body.budget,
            types=body.types,
            regions=body.regions,
            method=body.method,
        )
        base = jobs.example(body.base)
        total = jobs.progress_total([base], replications=body.replications, plan=plan)
    except InvalidPlanError as exc:
        raise FieldError(["body", exc.field], exc.reason) from None
    except InvalidScenarioError as exc:
        raise FieldError(["body", "base"], exc.reason) from None

    return store(
        db,
        idem,
        user=user,
        sources=[base],
        replications=body.replications,
        total=total,
        settings=settings,
        now=now,
        plan=plan,
        public=public,
    )


def check_replications(replications: int, settings: WebSettings) -> None:
    """A 422 beyond the setting's most replications (the body's model checks the least)."""
    if replications > settings.scenario_max_replications:
        most = settings.scenario_max_replications
        raise FieldError(["body", "replications"], f"must be from 1 to {most}")


def store(
    db: Database,
    idem: Idempotency | None,
    *,
    user: StoredUser,
    sources: list[ScenarioSource],
    replications: int,
    total: int,
    settings: WebSettings,
    now: datetime,
    public: Callable[..., Public],
    plan: Mapping[str, Any] | None = None,
) -> Public | StoredAnswer:
    """Store a queued scenario or plan job in one write (idempotent), answered 202 as
    ``public(job, now=, settings=)``; 429 when as many jobs run as allowed."""

    def add(session: Session) -> Public:
        try:
            job = jobs.add(
                session,
                user=user,
                sources=sources,
                replications=replications,
                total=total,
                settings=settings,
                now=now,
                plan=plan,
            )
        except jobs.TooManyJobsError as exc:
            raise TooManyJobsApiError(str(exc), headers={"Retry-After": "60"}) from None
        return public(job, now=now, settings=settings)

    return write(db, idem, 202, add)


def get(db: Database, *, job_id: int, now: datetime, settings: WebSettings) -> PlanJobPublic:
    """A plan job; 404 for a scenario job that is not a plan."""
    try:
        job = jobs.get(db, job_id)
    except UnknownReferenceError:
        raise NotFoundError(f"no plan job {job_id}") from None
    if job.plan is None:
        raise NotFoundError(f"no plan job {job_id}")
    return public(job, now=now, settings=settings)


def public(job: StoredScenarioJob, *, now: datetime, settings: WebSettings) -> PlanJobPublic:
    view = jobs.view(job, now=now, settings=settings)
    plan = (job.result or {}).get("plan")
    return PlanJobPublic(
        id=job.id,
        status=view.status.value,
        message=view.message,
        percent=view.percent,
        created_at=job.created_at,
        created_by=job.created_by,
        request=dict(job.plan or {}),
        scenarios=[s.name for s in job.sources],
        result=_result(plan) if plan else None,
        page=f"/scenarios/jobs/{job.id}",
    )


def _result(plan: Mapping[str, Any]) -> PlanResult:
    waits = plan.get("waits", {})
    return PlanResult(
        beds=plan["beds"],
        cost_per_year=plan["cost_per_year"],
        stopped=plan["stopped"],
        complete=plan["complete"],
        method=plan["method"],
        round_before=plan.get("round_before"),
        round_after=plan.get("round_after"),
        additions=plan["additions"],
        all_cases=waits.get("all_cases"),
        complex_cases=waits.get("complex_cases"),
    )
