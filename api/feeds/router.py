"""``/v1/hsds`` and ``/v1/fhir``: read-only views of the facilities' beds in HSDS 3 and
FHIR R4 (issue 16); every role that may read facilities may read them."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response

from api.auth.roles import Role
from api.deps import DatabaseDep, NowDep, SettingsDep, require
from api.errors import NOT_FOUND, NotFoundError
from api.facilities import service as facilities
from api.feeds import fhir, hsds
from api.feeds.hsds import HsdsPage, HsdsServiceCapacity
from api.routing import domain_router

router = domain_router(
    tags=["standard feeds"],
    dependencies=[require(Role.REGION_REPORTER, Role.INTAKE_COORDINATOR, Role.POLICYMAKER)],
)
FHIR_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A FHIR R4 resource",
        "content": {fhir.FHIR_JSON: {"schema": {"type": "object"}}},
    },
    **NOT_FOUND,
}


def _fhir(resource: fhir.Resource) -> Response:
    return Response(json.dumps(resource), media_type=fhir.FHIR_JSON)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/v1/fhir"


@router.get("/hsds/service_capacity")
def hsds_capacities(db: DatabaseDep, settings: SettingsDep, now: NowDep) -> HsdsPage:
    """HSDS 3 `service_capacity` of every facility that has reported (unit: bed)."""
    found = facilities.list_(db, region=None, placement_type=None, now=now, settings=settings)
    items = [c for f in found.data if (c := hsds.service_capacity(f)) is not None]
    return hsds.page(items)


@router.get("/hsds/service_capacity/{facility_id}", responses=NOT_FOUND)
def hsds_capacity(
    facility_id: str, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> HsdsServiceCapacity:
    """HSDS 3 `service_capacity` of one facility (404 when it never reported)."""
    facility = facilities.get(db, facility_id=facility_id, now=now, settings=settings)
    capacity = hsds.service_capacity(facility)
    if capacity is None:
        raise NotFoundError(f"facility {facility_id!r} has not reported its beds yet")
    return capacity


@router.get("/fhir/Location", response_class=Response, responses=FHIR_ANSWER)
def fhir_locations(
    request: Request, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> Response:
    """FHIR R4 `Bundle` of a `Location` per facility (secret addresses left out)."""
    found = facilities.list_(db, region=None, placement_type=None, now=now, settings=settings)
    return _fhir(fhir.bundle(_base(request), [fhir.location(f) for f in found.data]))


@router.get("/fhir/Location/{facility_id}", response_class=Response, responses=FHIR_ANSWER)
def fhir_location(
    facility_id: str, db: DatabaseDep, settings: SettingsDep, now: NowDep
) -> Response:
    """FHIR R4 `Location` of one facility."""
    facility = facilities.get(db, facility_id=facility_id, now=now, settings=settings)
    return _fhir(fhir.location(facility))


@router.get("/fhir/Slot", response_class=Response, responses=FHIR_ANSWER)
def fhir_slots(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    location: str | None = None,
) -> Response:
    """FHIR R4 `Bundle` of the beds as `Slot`s (free or busy), with their `Schedule`s;
    `?location=` for one facility."""
    if location is not None:
        chosen = [facilities.get(db, facility_id=location, now=now, settings=settings)]
    else:
        found = facilities.list_(db, region=None, placement_type=None, now=now, settings=settings)
        chosen = found.data
    matches = [s for f in chosen for s in fhir.slots(f)]
    return _fhir(fhir.bundle(_base(request), matches, [fhir.schedule(f) for f in chosen]))
