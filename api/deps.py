"""Dependencies every router uses: settings, database, clock, the current user, roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import service as auth
from api.auth.roles import Role
from api.database import Database
from api.errors import FieldError, ForbiddenError, UnauthorizedError
from api.settings import ApiSettings
from capacity import Rulebook
from capacity.persistence import StoredUser


def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_rulebook(request: Request) -> Rulebook:
    rulebook: Rulebook = request.app.state.rulebook
    return rulebook


def get_now() -> datetime:
    """The current moment (a dependency, so tests can move the clock)."""
    return datetime.now(UTC)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
RulebookDep = Annotated[Rulebook, Depends(get_rulebook)]
NowDep = Annotated[datetime, Depends(get_now)]

bearer = HTTPBearer(
    auto_error=False,
    description="A token from `opvang users add NAME --role ROLE` (shown once).",
)


async def current_user(
    db: DatabaseDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StoredUser:
    """The user of the request's bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise UnauthorizedError()
    user = await auth.authenticate(db, credentials.credentials)
    if user is None:
        raise UnauthorizedError("the bearer token is unknown or revoked")
    return user


CurrentUser = Annotated[StoredUser, Depends(current_user)]


def _declared_query(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query(sub)
    return names


async def known_query_only(request: Request) -> None:
    """422 for a query parameter the route does not take (a typo would filter nothing)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared_query(route.dependant))
    if unknown:
        raise FieldError(["query", unknown[0]], "is not a query parameter of this route")


def require(*roles: Role) -> Any:
    """A route dependency that lets only these roles (and admins) through; 403 otherwise."""
    allowed = {*roles, Role.ADMIN}
    names = ", ".join(sorted(r.value for r in allowed))

    async def check(user: CurrentUser) -> None:
        if user.role not in allowed:
            raise ForbiddenError(f"role {user.role} may not do this; allowed: {names}")

    return Depends(check)
