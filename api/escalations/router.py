"""``/v1/escalations``: cases waiting longer than the rulebook's target (coordinators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, RulebookDep, require
from api.escalations import service
from api.escalations.schemas import EscalationsPublic
from api.routing import domain_router
from capacity.cases import ORGANISATION_MAX_LENGTH

router = domain_router(
    prefix="/escalations", tags=["cases"], dependencies=[require(Role.INTAKE_COORDINATOR)]
)


@router.get("")
def list_escalations(
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    organisation: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=ORGANISATION_MAX_LENGTH,
            description="Only the cases this responsible organisation holds (none: the "
            "national desk's list of every escalated case).",
        ),
    ] = None,
) -> EscalationsPublic:
    """Cases on the waiting list waiting longer than their complexity class's target time
    (the rulebook's `target_days`), most days over first, with why each waits."""
    return service.list_(db, organisation=organisation, user=user, now=now, rulebook=rulebook)
