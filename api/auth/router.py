"""``/v1/users``: manage users (admins). Tokens are shown once, at creation."""

from __future__ import annotations

from fastapi import status

from api.auth import service
from api.auth.roles import Role
from api.auth.schemas import UserCreate, UserCreated, UsersPublic
from api.deps import CurrentUser, DatabaseDep, require
from api.errors import CONFLICT
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
