"""``/v1/proposals``: read, accept and decline proposals (coordinators)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import Query, Request, status

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, SettingsDep, require
from api.errors import CONFLICT, NOT_FOUND
from api.idempotency import KeyHeader, for_request, respond
from api.placements.schemas import PlacementPublic
from api.proposals import service
from api.proposals.schemas import ProposalDecline, ProposalPublic, ProposalsPublic
from api.routing import domain_router
from api.types import RecordId
from api.unit_of_work import write

router = domain_router(
    prefix="/proposals", tags=["proposals"], dependencies=[require(Role.INTAKE_COORDINATOR)]
)


@router.get("/reminders")
def list_reminders(
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    settings: SettingsDep,
    within_hours: Annotated[
        float | None,
        Query(gt=0, le=24 * 30, description="Default: OPVANG_REMIND_WITHIN_HOURS (12)."),
    ] = None,
) -> ProposalsPublic:
    """Pending proposals whose deadline (`respond_by`) is near or past, soonest first."""
    hours = within_hours if within_hours is not None else settings.remind_within_hours
    return service.reminders(db, user=user, now=now, within=timedelta(hours=hours))


@router.post("/lapse", response_model=ProposalsPublic)
def lapse_proposals(
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Lapse every pending proposal past its deadline now (the scheduler does it too)."""
    idem = for_request(request, user, idempotency_key, payload=None)
    return respond(write(db, idem, status.HTTP_200_OK, partial(service.lapse, user=user, now=now)))


@router.get("/{proposal_id:int}", responses=NOT_FOUND)  # GET /lapse: a 405
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
