"""``/v1/organisations``: coordinators read the list; admins keep it."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, require
from api.errors import CONFLICT, NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.organisations import service
from api.organisations.schemas import OrganisationCreate, OrganisationPublic, OrganisationsPublic
from api.routing import domain_router
from api.types import RecordId
from api.unit_of_work import write

router = domain_router(prefix="/organisations", tags=["organisations"])


@router.get("", dependencies=[require(Role.INTAKE_COORDINATOR)])
def list_organisations(db: DatabaseDep) -> OrganisationsPublic:
    """The organisations a case's `responsible_organisation` is taken from, by name."""
    return service.list_(db)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses=CONFLICT,
    dependencies=[require(Role.ADMIN)],
)
def create_organisation(
    body: OrganisationCreate,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Put an organisation on the list (admins); an organisation's name, never a person's."""
    idem = for_request(request, user, idempotency_key, payload=body)
    work = partial(service.create, new=body, actor=user.name)
    return respond(write(db, idem, status.HTTP_201_CREATED, work))


@router.delete(
    "/{organisation_id}",
    response_model=OrganisationPublic,
    responses=NOT_FOUND,
    dependencies=[require(Role.ADMIN)],
)
def delete_organisation(
    organisation_id: RecordId,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Take an organisation off the list (admins); cases it holds keep its name."""
    idem = for_request(request, user, idempotency_key, payload=None)
    work = partial(service.delete, org_id=organisation_id, actor=user.name)
    return respond(write(db, idem, status.HTTP_200_OK, work))
