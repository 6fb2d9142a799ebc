"""Users and authentication."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.auth.roles import Role
from api.auth.schemas import UserCreate, UserCreated, UserPublic, UsersPublic
from api.auth.tokens import hash_token, new_token
from api.database import Database
from api.errors import FieldError
from capacity import UnknownReferenceError
from store import audit
from store.service import StoredUser, UserRepository


def check_scope(*, role: Role, provider_id: str | None, region_id: str | None) -> None:
    """A reporter is scoped to one provider or one region; other roles to nothing."""
    if role == Role.REGION_REPORTER and provider_id is None and region_id is None:
        raise FieldError(["body", "provider_id"], "a region_reporter needs a provider or a region")
    if role == Role.REGION_REPORTER and provider_id is not None and region_id is not None:
        raise FieldError(
            ["body", "region_id"],
            "a region_reporter has a provider or a region, not both: give one of them",
        )
    if role != Role.REGION_REPORTER and (provider_id is not None or region_id is not None):
        raise FieldError(["body", "provider_id"], "only a region_reporter has a provider or region")


def public(user: StoredUser) -> UserPublic:
    return UserPublic(
        id=user.id,
        name=user.name,
        role=Role(user.role),
        provider_id=user.provider_id,
        region_id=user.region_id,
        active=user.active,
    )


def create(
    db: Database, *, new: UserCreate, actor: str, password_hash: str | None = None
) -> UserCreated:
    """Store a user with a fresh token (returned once, stored hashed) and, for the
    dashboard, optionally the hash of a password (:mod:`api.auth.passwords`)."""
    check_scope(role=new.role, provider_id=new.provider_id, region_id=new.region_id)
    token = new_token()
    with db.unit(immediate=True) as session:
        users = UserRepository(session)
        try:
            user = users.add_user(
                name=new.name,
                role=new.role.value,
                provider_id=new.provider_id,
                region_id=new.region_id,
                password_hash=password_hash,
            )
        except UnknownReferenceError as exc:
            raise FieldError(["body", f"{exc.kind}_id"], str(exc)) from None
        users.add_token(user_id=user.id, token_hash=hash_token(token))
        audit.record(
            session, actor=actor, action="user.create", record_type="user", record_id=user.name
        )
    return UserCreated(user=public(user), token=token)


def list_(db: Database) -> UsersPublic:
    """All users (never their tokens)."""
    with db.unit() as session:
        users = UserRepository(session).users()
    return UsersPublic(data=[public(u) for u in users], count=len(users))


def get(db: Database, *, name: str) -> StoredUser:
    """One user by name (404 when unknown)."""
    with db.unit() as session:
        return UserRepository(session).user(name)


def _lookup(db: Database, token_hash: str) -> StoredUser | None:
    with db.unit() as session:
        return UserRepository(session).user_for_token(token_hash)


async def authenticate(db: Database, token: str) -> StoredUser | None:
    """The user a bearer token belongs to (``None``: unknown, revoked or inactive)."""
    token_hash = hash_token(token)
    if db.inline is not None:
        return db.inline.user_for_token(token_hash)  # an indexed read; no thread hop needed
    if (pg := db.pg_ledger()) is not None:
        return await pg.user_for_token(token_hash)  # on the event loop, no thread hop
    return await run_in_threadpool(_lookup, db, token_hash)
