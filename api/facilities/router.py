"""``/v1/facilities`` and the availability feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, SettingsDep, require
from api.errors import NOT_FOUND, FieldError
from api.facilities import hot_path, service
from api.facilities.schemas import (
    AvailabilityBatch,
    AvailabilityCreate,
    AvailabilityReportPublic,
    AvailabilityReportsPublic,
    FacilitiesPublic,
    FacilityPublic,
)
from api.feeds import hsds
from api.idempotency import REPLAYED_HEADER, KeyHeader, for_request, respond
from api.routing import domain_router
from api.types import MAX_OFFSET
from capacity import PlacementType
from capacity.regions import region_ids

router = domain_router(tags=["facilities"])
ALLOWED_REPORTERS = frozenset({Role.REGION_REPORTER, Role.ADMIN})
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]


@router.get("/facilities")
def list_facilities(
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    region: Annotated[str | None, Query(description="Region id, e.g. `utrecht`.")] = None,
    placement_type: PlacementType | None = None,
) -> FacilitiesPublic:
    """Facilities with beds, last reported free beds, when (`updated`) and a stale flag."""
    if region is not None and region not in region_ids():
        raise FieldError(["query", "region"], f"unknown region {region!r}")
    return service.list_(
        db, region=region, placement_type=placement_type, now=now, settings=settings
    )


@router.get("/facilities/{facility_id}", responses=NOT_FOUND)
def get_facility(
    facility_id: str, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> FacilityPublic:
    """One facility with its last report."""
    return service.get(db, facility_id=facility_id, now=now, settings=settings)


@router.get(
    "/facilities/{facility_id}/availability",
    responses=NOT_FOUND,
    dependencies=[require(Role.REGION_REPORTER, Role.INTAKE_COORDINATOR, Role.POLICYMAKER)],
)
def availability_history(
    facility_id: str, db: DatabaseDep, user: CurrentUser, limit: Limit = 100, offset: Offset = 0
) -> AvailabilityReportsPublic:
    """The facility's availability ledger, newest first."""
    return service.history(db, user=user, facility_id=facility_id, limit=limit, offset=offset)


@router.put(
    "/facilities/{facility_id}/availability",
    status_code=status.HTTP_201_CREATED,
    response_model=AvailabilityReportPublic,
    responses=NOT_FOUND,
    openapi_extra=hot_path.OPENAPI,
)
async def report_availability(facility_id: str, request: Request) -> Response:
    """Report free beds; appended to the ledger. A retry with the same key replays.

    The body is `{"beds_free": int, "as_of": date-time}`, or an HSDS 3 `service_capacity`
    `{"available": int, "updated": date-time, "maximum": beds?, "unit": {"id": "bed"}?}`;
    the `Idempotency-Key` header is optional (see AvailabilityCreate).
    """
    # The hot path (issue 4: >= 1,000 reports/s on SQLite): no dependencies, the body
    # parsed and the answer serialised once, because each FastAPI dependency node costs
    # about as much as the SQLite write itself (benchmarks/README.md).
    user = hot_path.user_with_role(request, ALLOWED_REPORTERS)
    state = request.app.state
    is_hsds = hsds.is_hsds(await request.body())
    if is_hsds:  # issue 16: an HSDS system's own shape
        update = await hot_path.body(request, hsds.HsdsCapacityUpdate)
        if update.maximum is not None:
            facility = await run_in_threadpool(
                service.get,
                state.db,
                facility_id=facility_id,
                now=datetime.now(UTC),
                settings=state.settings,
            )
            if update.maximum != facility.beds:
                reason = f"the facility has {facility.beds} beds (Opvang's record)"
                raise FieldError(["body", "maximum"], reason)
        body = update.as_report()
    else:
        body = await hot_path.body(request, AvailabilityCreate)
    try:
        (stored,) = await service.report(
            state.db,
            user=user,
            items=[(facility_id, body, ["body"])],
            key=hot_path.idempotency_key(request),
            now=datetime.now(UTC),
            settings=state.settings,
        )
    except FieldError as exc:
        if is_hsds:  # name the field as the HSDS body has it
            exc.loc = [hsds.FIELD_NAMES.get(str(part), part) for part in exc.loc]
        raise
    headers = None if stored.created else {REPLAYED_HEADER: "true"}
    content = service.report_public(stored).model_dump_json()
    return Response(content, status.HTTP_201_CREATED, headers, media_type="application/json")


@router.put(
    "/availability",
    status_code=status.HTTP_201_CREATED,
    response_model=AvailabilityReportsPublic,
    responses=NOT_FOUND,
    dependencies=[require(Role.REGION_REPORTER)],
)
async def report_availability_batch(
    body: AvailabilityBatch,
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    user: CurrentUser,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Report several facilities at once, all or nothing (a provider's whole set).

    A retry with the same `Idempotency-Key` and the same body gets the first answer; the
    same key with another body is a 422. The key is the batch's own: a single report's
    key never replays a batch, nor the other way round.
    """
    idem = for_request(request, user, idempotency_key, payload=body)
    return respond(
        await service.report_batch(db, user=user, batch=body, idem=idem, now=now, settings=settings)
    )
