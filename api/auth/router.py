"""``/v1/users``: manage users (admins). Tokens are shown once, at creation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from api.auth import lifecycle, service
from api.auth.roles import Role
from api.auth.schemas import (
    TokenIssued,
    UserCreate,
    UserCreated,
    UserPublic,
    UserRevoked,
    UsersPublic,
    UserUpdate,
)
from api.deps import CurrentUser, DatabaseDep, require
from api.errors import CONFLICT, NOT_FOUND
from api.routing import domain_router

router = domain_router(prefix="/users", tags=["users"], dependencies=[require(Role.ADMIN)])


@router.get("")
def list_users(db: DatabaseDep) -> UsersPublic:
    """All users with role and scope (never a token)."""
    return service.list_(db)


@router.post("", status_code=status.HTTP_201_CREATED, responses=CONFLICT)
def create_user(body: UserCreate, db: DatabaseDep, user: CurrentUser) -> UserCreated:
    """Create a user; the answer holds its bearer token, shown this once."""
    return service.create(db, new=body, actor=user.name)


UserName = Annotated[str, Path(min_length=1, max_length=100)]


@router.patch("/{name}", responses=NOT_FOUND)
def update_user(name: UserName, body: UserUpdate, db: DatabaseDep, user: CurrentUser) -> UserPublic:
    """Disable (`{"active": false}`: no sign-in, no token works, sessions end) or enable a
    user; an admin cannot disable themselves."""
    ended = lifecycle.set_active(db, name=name, active=body.active, actor=user.name)
    return service.public(ended.user)


@router.post("/{name}/revoke", responses=NOT_FOUND)
def revoke_user(name: UserName, db: DatabaseDep, user: CurrentUser) -> UserRevoked:
    """Revoke every token, end every session and clear the password of a user."""
    ended = lifecycle.revoke(db, name=name, actor=user.name)
    return UserRevoked(
        user=service.public(ended.user), tokens_revoked=ended.tokens, sessions_ended=ended.sessions
    )


@router.post("/{name}/tokens", status_code=status.HTTP_201_CREATED, responses=NOT_FOUND)
def issue_token(name: UserName, db: DatabaseDep, user: CurrentUser) -> TokenIssued:
    """A new bearer token for a user, shown this once (only its hash is stored)."""
    token = lifecycle.issue_token(db, name=name, actor=user.name)
    return TokenIssued(user=service.public(service.get(db, name=name)), token=token)
