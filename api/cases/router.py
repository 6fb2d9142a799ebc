"""``/v1/cases``: intake, the national waiting list and case records (coordinators)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import Query, Request, status

import flows
from api.auth.roles import Role
from api.cases import service
from api.cases.schemas import (
    SEARCH_MAX_LENGTH,
    SEARCH_PATTERN,
    CaseCreate,
    CaseListItem,
    CasePublic,
    CasesPublic,
    KeepApartPublic,
    KeepApartSet,
    KeepApartsPublic,
    TimelinePublic,
)
from api.deps import CurrentUser, DatabaseDep, NowDep, RulebookDep, require
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
from api.errors import CONFLICT, NOT_FOUND, FieldError
from api.idempotency import KeyHeader, for_request, respond
from api.routing import domain_router
from api.types import MAX_OFFSET
from api.unit_of_work import write
from capacity import WAITING_LIST, CaseStatus
from capacity.clock import local_date
from capacity.regions import region_ids

router = domain_router(
    prefix="/cases", tags=["cases"], dependencies=[require(Role.INTAKE_COORDINATOR)]
)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CasePublic)
def create_case(
    body: CaseCreate,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Register a case; answers with its complexity class and eligible placement types."""
    idem = for_request(request, user, idempotency_key, payload=body)
    profile = service.draft(body, local_date(now))  # every field checked before a write
    work = partial(
        service.create,
        profile=profile,
        user=user,
        now=now,
        rulebook=rulebook,
        keep_apart=body.keep_apart,
    )
    return respond(write(db, idem, status.HTTP_201_CREATED, work, attempts=service.ID_ATTEMPTS))


@router.get("", response_model=CasesPublic, responses=table_responses(CasesPublic))
def list_cases(
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    status: Annotated[
        CaseStatus | None,
        Query(
            description="`waiting`: the national waiting list, every case waiting for a "
            "placement, with a pending proposal or not; any other status: only cases in it."
        ),
    ] = None,
    region: Annotated[str | None, Query(description="Region where the case was signalled.")] = None,
    complexity: Annotated[str | None, Query(description="Complexity class.")] = None,
    search: Annotated[
        str | None,
        Query(
            max_length=SEARCH_MAX_LENGTH,
            pattern=SEARCH_PATTERN,
            description="Part of a case id (letters, digits, hyphens), e.g. `0157`.",
        ),
    ] = None,
    sort: Annotated[
        flows.WaitingOrder,
        Query(
            description="`priority` (the rulebook's: weight highest first, then longest "
            "wait), `longest_wait` (intake date, oldest first) or `case_id`."
        ),
    ] = flows.WaitingOrder.PRIORITY,
    limit: Annotated[int | None, Query(ge=1, le=1000, description=LIMIT_HELP)] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    format: FormatQuery = None,
) -> Any:
    """Cases by priority (or `sort`), with expected start dates and why each waits.

    `status=waiting` is the national waiting list: every case waiting for a placement,
    with a pending proposal (status `proposed`) or without; `status=proposed` only those
    with one. Each line's `expected_start` is its proposal's start date or, without one,
    the latest matching run's plan; `expected_start_basis` says which, or why it is null;
    `waiting_reason` says why a case without a proposal waits. `count` is the number of
    cases that match; `limit` and `offset` page through them. `?format=csv|xlsx` (or
    `Accept: text/csv`) answers the same lines as a file to take to a meeting (issue 16).
    """
    if region is not None and region not in region_ids():
        raise FieldError(["query", "region"], f"unknown region {region!r}")
    waiting_list = status is CaseStatus.WAITING
    fmt = wanted_format(request, format)
    page = service.list_(
        db,
        status=None if waiting_list else status,
        statuses=WAITING_LIST if waiting_list else None,
        region=region,
        complexity=complexity,
        search=search,
        sort=sort,
        limit=page_limit(limit, fmt),
        offset=offset,
        user=user,
        now=now,
        rulebook=rulebook,
    )
    if fmt == TableFormat.JSON:
        return page
    name = "waiting-list" if waiting_list else "cases"
    return table_response(fmt, *flat_rows(CaseListItem, page.data), name=name)


@router.get("/{case_id}", responses=NOT_FOUND)
def get_case(
    case_id: str, db: DatabaseDep, user: CurrentUser, now: NowDep, rulebook: RulebookDep
) -> CasePublic:
    """One case record (reading it is audited)."""
    return service.get(db, case_id=case_id, user=user, now=now, rulebook=rulebook)


@router.get("/{case_id}/timeline", responses=NOT_FOUND)
def get_timeline(case_id: str, db: DatabaseDep, user: CurrentUser) -> TimelinePublic:
    """What happened to the case and who did it, oldest first: registration, who opened
    the record, each proposal and the decision on it, placement, discharge, withdrawal."""
    return service.timeline(db, case_id=case_id, user=user)


@router.post("/{case_id}/withdraw", response_model=CasePublic, responses={**NOT_FOUND, **CONFLICT})
def withdraw_case(
    case_id: str,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Withdraw a waiting or proposed case (its pending proposal expires)."""
    idem = for_request(request, user, idempotency_key, payload=None)
    work = partial(service.withdraw, case_id=case_id, user=user, now=now, rulebook=rulebook)
    return respond(write(db, idem, status.HTTP_200_OK, work))


@router.get("/{case_id}/keep-apart", responses=NOT_FOUND)
def list_keep_apart(case_id: str, db: DatabaseDep, user: CurrentUser) -> KeepApartsPublic:
    """The cases this case is never placed with at one facility (reading it is audited)."""
    return service.list_keep_apart(db, case_id=case_id, user=user)


@router.post(
    "/{case_id}/keep-apart",
    status_code=status.HTTP_201_CREATED,
    response_model=KeepApartPublic,
    responses={**NOT_FOUND, **CONFLICT},
)
def add_keep_apart(
    case_id: str,
    body: KeepApartSet,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Keep this case and another apart from now on: every round respects it (audited)."""
    idem = for_request(request, user, idempotency_key, payload=body)
    work = partial(service.add_keep_apart, case_id=case_id, body=body, user=user)
    return respond(write(db, idem, status.HTTP_201_CREATED, work))


@router.delete(
    "/{case_id}/keep-apart/{other_case_id}",
    response_model=KeepApartsPublic,
    responses=NOT_FOUND,
)
def remove_keep_apart(
    case_id: str,
    other_case_id: str,
    request: Request,
    db: DatabaseDep,
    user: CurrentUser,
    idempotency_key: KeyHeader = None,
) -> Any:
    """Lift a keep-apart pair (audited); answers with the pairs left."""
    idem = for_request(request, user, idempotency_key, payload=None)
    work = partial(
        service.remove_keep_apart, case_id=case_id, other_case_id=other_case_id, user=user
    )
    return respond(write(db, idem, status.HTTP_200_OK, work))
