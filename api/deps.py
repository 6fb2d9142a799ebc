"""Dependencies every router uses: settings, database, clock, the current user, roles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from api.auth.roles import Role
from api.database import Database
from api.errors import ForbiddenError, UnauthorizedError
from api.settings import ApiSettings
from capacity import Rulebook
from store.service import StoredUser


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_rulebook(request: Request) -> Rulebook:
    rulebook: Rulebook = request.app.state.rulebook
    return rulebook


async def get_now() -> datetime:
    """The current moment (a dependency, so tests can move the clock).

    Dependencies here are ``async``: a plain ``def`` would cost a thread hop per request.
    """
    return datetime.now(UTC)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_db)]
RulebookDep = Annotated[Rulebook, Depends(get_rulebook)]
NowDep = Annotated[datetime, Depends(get_now)]


async def current_user(request: Request) -> StoredUser:
    """The user the authentication middleware found for the request's bearer token."""
    user: StoredUser | None = getattr(request.state, "user", None)
    if user is None:  # only a public route has no user, and none of those asks
        raise UnauthorizedError()
    return user


CurrentUser = Annotated[StoredUser, Depends(current_user)]


def check_role(user: StoredUser, allowed: frozenset[Role]) -> None:
    """403 unless the user's role is allowed."""
    if user.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise ForbiddenError(f"role {user.role} may not do this; allowed: {names}")


def require(*roles: Role) -> Any:
    """A route dependency that lets only these roles (and admins) through; 403 otherwise."""
    allowed = frozenset({*roles, Role.ADMIN})

    async def check(user: CurrentUser) -> None:
        check_role(user, allowed)

    return Depends(check)
