"""``/v1/proposals``: read, accept and decline proposals (coordinators)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, require
from api.errors import CONFLICT, NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.placements.schemas import PlacementPublic
from api.proposals import service
from api.proposals.schemas import ProposalDecline, ProposalPublic
from api.routing import domain_router
from api.types import RecordId
from api.unit_of_work import write

router = domain_router(
    prefix="/proposals", tags=["proposals"], dependencies=[require(Role.INTAKE_COORDINATOR)]
)


@router.get("/{proposal_id}", responses=NOT_FOUND)
def get_proposal(proposal_id: RecordId, db: DatabaseDep, user: CurrentUser) -> ProposalPublic:
    """One proposal with its explanation and alternatives."""
    return service.get(db, proposal_id=proposal_id, user=user)


@router.post(
    "/{proposal_id}/accept",
    status_code=status.HTTP_201_CREATED,
    response_model=PlacementPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def accept_proposal(
    proposal_id: RecordId,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Accept: re-checks the beds and creates the placement in one transaction; 409 if gone."""
    idem = for_request(request, user, idempotency_key, payload=None)
    work = partial(service.accept, proposal_id=proposal_id, user=user, now=now)
    return respond(write(db, idem, status.HTTP_201_CREATED, work))


@router.post(
    "/{proposal_id}/decline",
    response_model=ProposalPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def decline_proposal(
    proposal_id: RecordId,
    body: ProposalDecline,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Decline with a coded reason; the pair is excluded from later runs."""
    idem = for_request(request, user, idempotency_key, payload=body)
    work = partial(service.decline, proposal_id=proposal_id, body=body, user=user, now=now)
    return respond(write(db, idem, status.HTTP_200_OK, work))
