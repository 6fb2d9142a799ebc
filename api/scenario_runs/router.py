"""``/v1/scenario-runs``: a scenario changed without YAML, run against its base; stored runs
compared (policymakers and admins; issue 15)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, SettingsDep, require
from api.errors import NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.plans.router import BUSY
from api.routing import domain_router
from api.scenario_runs import service
from api.scenario_runs.schemas import ComparisonPublic, ScenarioRunCreate, ScenarioRunPublic
from api.types import QueryRecordId, RecordId
from api.web import scenario_jobs as jobs
from api.web.routers.login import web_settings

router = domain_router(
    prefix="/scenario-runs", tags=["scenario runs"], dependencies=[require(Role.POLICYMAKER)]
)
JobIds = Annotated[
    list[QueryRecordId],
    Query(alias="jobs", description="Finished scenario or plan runs (2 to 8), in column order."),
]


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=ScenarioRunPublic, responses=BUSY
)
def create_scenario_run(
    request: Request,
    body: ScenarioRunCreate,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    settings: SettingsDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Run the base scenario with the changes against it unchanged (same seed, paired)."""
    web = web_settings(request)
    idem = for_request(request, user, idempotency_key, payload=body)
    answer = service.create(db, body=body, user=user, now=now, settings=web, idem=idem)
    if isinstance(answer, ScenarioRunPublic):
        jobs.launch(
            db, answer.id, database_url=settings.database_url, time_limit=web.scenario_time_limit
        )
    return respond(answer)


@router.get("/compare", responses=NOT_FOUND)
def compare_scenario_runs(db: DatabaseDep, job_ids: JobIds) -> ComparisonPublic:
    """Finished runs side by side, with the warnings and paired differences of the page."""
    return service.compare(db, job_ids=job_ids)


@router.get("/{job_id}", responses=NOT_FOUND)
def get_scenario_run(
    job_id: RecordId, request: Request, db: DatabaseDep, now: NowDep
) -> ScenarioRunPublic:
    """A scenario or plan run: its status and files, then its comparison."""
    return service.get(db, job_id=job_id, now=now, settings=web_settings(request))
