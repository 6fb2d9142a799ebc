"""``/v1/plans``: where more beds or a budget do most good (policymakers and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, SettingsDep, require
from api.errors import NOT_FOUND, Message
from api.idempotency import KeyHeader, for_request, respond
from api.plans import service
from api.plans.schemas import PlanCreate, PlanJobPublic
from api.routing import domain_router
from api.types import RecordId
from api.web import scenario_jobs as jobs
from api.web.routers.login import web_settings

router = domain_router(prefix="/plans", tags=["plans"], dependencies=[require(Role.POLICYMAKER)])


BUSY: dict[int | str, dict[str, Any]] = {
    429: {
        "model": Message,
        "description": "As many scenario and plan jobs run as allowed; retry after Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    }
}


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=PlanJobPublic, responses=BUSY)
def create_plan(
    request: Request,
    body: PlanCreate,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    settings: SettingsDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Start a capacity-plan job: plan on today's round, then simulate it paired."""
    web = web_settings(request)
    idem = for_request(request, user, idempotency_key, payload=body)
    answer = service.create(db, body=body, user=user, now=now, settings=web, idem=idem)
    if isinstance(answer, PlanJobPublic):
        jobs.launch(
            db, answer.id, database_url=settings.database_url, time_limit=web.scenario_time_limit
        )
    return respond(answer)


@router.get("/{job_id}", responses=NOT_FOUND)
def get_plan(job_id: RecordId, request: Request, db: DatabaseDep, now: NowDep) -> PlanJobPublic:
    """A plan job: its status, then the plan and the paired change in waits."""
    return service.get(db, job_id=job_id, now=now, settings=web_settings(request))
