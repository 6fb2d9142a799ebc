"""Users as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.auth.roles import Role
from api.types import InputModel


class UserBase(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
    role: Role
    provider_id: str | None = Field(None, max_length=100)
    region_id: str | None = Field(None, max_length=100)


class UserCreate(UserBase, InputModel):
    """A new user; a region reporter needs exactly one of provider_id and region_id."""

    model_config = ConfigDict(extra="forbid")


class UserPublic(UserBase):
    id: int
    active: bool


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class UserCreated(BaseModel):
    """The new user and its bearer token, shown this once and never again."""

    user: UserPublic
    token: str


class UserUpdate(InputModel):
    """A change to a user: ``active: false`` disables (no sign-in, no token works),
    ``true`` enables again."""

    model_config = ConfigDict(extra="forbid")

    active: bool


class UserRevoked(BaseModel):
    """What a revoke ended: every token, every dashboard session, the password."""

    user: UserPublic
    tokens_revoked: int
    sessions_ended: int


class TokenIssued(BaseModel):
    """A new bearer token for an existing user, shown this once and never again."""

    user: UserPublic
    token: str
