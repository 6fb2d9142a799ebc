"""``/v1/rounds``: the live matching round as a problem file, to share and benchmark (admins).

The file is what ``opvang solve`` reads (docs/problem-format.md): the round a matching run
would solve now, with the case ids of the live data and nothing else of a case.
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, NowDep, RulebookDep, SettingsDep, require
from api.rounds import service
from api.routing import domain_router

router = domain_router(prefix="/rounds", tags=["rounds"], dependencies=[require(Role.ADMIN)])

PROBLEM_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The round in the opvang-problem/1 format (docs/problem.schema.json).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/current/problem", response_class=JSONResponse, responses=PROBLEM_FILE)
def get_current_problem(
    db: DatabaseDep,
    user: CurrentUser,
    now: NowDep,
    rulebook: RulebookDep,
    settings: SettingsDep,
) -> JSONResponse:
    """The current round as a problem file for `opvang solve` (audited: every case read)."""
    exported = service.get_problem(db, now=now, rulebook=rulebook, user=user, settings=settings)
    name = f"round-{exported.as_of:%Y%m%dT%H%M%SZ}.json"
    return JSONResponse(
        exported.problem,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Inputs-Hash": exported.inputs_hash,
        },
    )
