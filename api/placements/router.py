"""``/v1/placements``: current and past placements, discharges (coordinators)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Query, Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, require
from api.downloads import (
    LIMIT_HELP,
    FormatQuery,
    TableFormat,
    flat_rows,
    page_limit,
    table_response,
    table_responses,
    wanted_format,
)
from api.errors import CONFLICT, NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.placements import service
from api.placements.schemas import PlacementDischarge, PlacementPublic, PlacementsPublic
from api.routing import domain_router
from api.types import MAX_OFFSET
from api.unit_of_work import write

router = domain_router(
    prefix="/placements", tags=["placements"], dependencies=[require(Role.INTAKE_COORDINATOR)]
)


@router.get("", response_model=PlacementsPublic, responses=table_responses(PlacementsPublic))
def list_placements(
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    active: Annotated[bool | None, Query(description="Only those holding beds today.")] = None,
    facility_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description=LIMIT_HELP)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    format: FormatQuery = None,
) -> Any:
    """Placements by start day; `?format=csv|xlsx` (or `Accept: text/csv`) as a file."""
    fmt = wanted_format(request, format)
    page = service.list_(
        db,
        active=active,
        facility_id=facility_id,
        limit=page_limit(limit, fmt),
        offset=offset,
        user=user,
        now=now,
    )
    if fmt == TableFormat.JSON:
        return page
    return table_response(fmt, *flat_rows(PlacementPublic, page.data), name="placements")


@router.post(
    "/{placement_id}/discharge",
    response_model=PlacementPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def discharge_placement(
    placement_id: str,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    body: PlacementDischarge | None = None,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Record a discharge (default today); the beds are free from that day."""
    payload = body or PlacementDischarge()
    idem = for_request(request, user, idempotency_key, payload=payload)
    work = partial(
        service.discharge, placement_id=placement_id, day=payload.day, user=user, now=now
    )
    return respond(write(db, idem, status.HTTP_200_OK, work))
