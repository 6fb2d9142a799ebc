"""``/v1/matching-runs``: run the optimiser on the waiting list and read runs (coordinators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, RulebookDep, SettingsDep, require
from api.errors import NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.matching_runs import service
from api.matching_runs.schemas import RunCreate, RunPublic, RunsPublic
from api.routing import domain_router
from api.types import MAX_OFFSET, RecordId

router = domain_router(
    prefix="/matching-runs",
    tags=["matching runs"],
    dependencies=[require(Role.INTAKE_COORDINATOR)],
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RunPublic)
def create_run(
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    settings: SettingsDep,
    body: RunCreate | None = None,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Run the optimiser on the waiting and proposed cases now; store run and proposals."""
    params = body or RunCreate()
    idem = for_request(request, user, idempotency_key, payload=params)
    return respond(
        service.create(
            db, params=params, user=user, now=now, rulebook=rulebook, settings=settings, idem=idem
        )
    )


@router.get("")
def list_runs(
    db: DatabaseDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> RunsPublic:
    """Matching runs, newest first."""
    return service.list_(db, limit=limit, offset=offset)


@router.get("/{run_id}", responses=NOT_FOUND)
def get_run(run_id: RecordId, db: DatabaseDep, user: CurrentUser) -> RunPublic:
    """A run: its record, proposals and why the other cases wait (capacity gaps included)."""
    return service.get(db, run_id=run_id, user=user)
