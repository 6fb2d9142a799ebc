"""Users of the API and their bearer tokens (only the SHA-256 of a token is stored).

Roles and scopes are the API's business; here they are stored codes. A token is looked up
by its hash, so the database never holds anything that would let a reader act as a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from capacity.errors import InvalidFieldError, UnknownReferenceError
from store.errors import DuplicateRecordError
from store.mapping import checked
from store.models import ProviderRow, RegionRow
from store.service.models import ApiTokenRow, UserRow


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user as stored.

    Parameters
    ----------
    id
        Database id.
    name
        Unique name (the actor in the audit log); never a person's real name is needed.
    role
        Role code (the API defines the roles).
    provider_id, region_id
        Scope of a reporting user (at most one is set).
    active
        Inactive users cannot authenticate.
    """

    id: int
    name: str
    role: str
    provider_id: str | None
    region_id: str | None
    active: bool = True


def stored_user(row: UserRow) -> StoredUser:
    """The value object of a user row."""
    return StoredUser(row.id, row.name, row.role, row.provider_id, row.region_id, row.active)


class UserRepository:
    """Users and tokens in one session (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add_user(
        self,
        *,
        name: str,
        role: str,
        provider_id: str | None = None,
        region_id: str | None = None,
        password_hash: str | None = None,
    ) -> StoredUser:
        """Store a new user.

        Raises
        ------
        DuplicateRecordError
            When the name is taken.
        UnknownReferenceError
            When the provider or region does not exist.
        InvalidFieldError
            When the name is empty or too long.
        """
        if not name.strip():
            raise InvalidFieldError("name", "must not be empty")
        if self._session.scalars(select(UserRow).where(UserRow.name == name)).first():
            raise DuplicateRecordError("user", name)
        if provider_id is not None and self._session.get(ProviderRow, provider_id) is None:
            raise UnknownReferenceError("provider", provider_id)
        if region_id is not None and self._session.get(RegionRow, region_id) is None:
            raise UnknownReferenceError("region", region_id)
        values = {
            "name": name,
            "role": role,
            "provider_id": provider_id,
            "region_id": region_id,
            "password_hash": password_hash,
        }
        row = UserRow(**checked(UserRow, values))
        self._session.add(row)
        self._session.flush()
        return stored_user(row)

    def add_token(self, *, user_id: int, token_hash: str) -> None:
        """Store the hash of a new token for a user."""
        self._session.add(ApiTokenRow(user_id=user_id, token_hash=token_hash))
        self._session.flush()

    def user_for_token(self, token_hash: str) -> StoredUser | None:
        """The active user holding an unrevoked token with this hash (``None``: nobody)."""
        query = (
            select(UserRow)
            .join(ApiTokenRow, ApiTokenRow.user_id == UserRow.id)
            .where(ApiTokenRow.token_hash == token_hash, ApiTokenRow.revoked_at.is_(None))
        )
        row = self._session.scalars(query).first()
        return stored_user(row) if row is not None and row.active else None

    def set_password(self, *, user_id: int, password_hash: str | None) -> None:
        """Store the hash of a user's new password (``None``: no password sign-in)."""
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise UnknownReferenceError("user", str(user_id))
        row.password_hash = password_hash
        self._session.flush()

    def set_active(self, *, user_id: int, active: bool) -> None:
        """Enable or disable a user: a disabled user neither signs in nor uses a token."""
        row = self._session.get(UserRow, user_id)
        if row is None:
            raise UnknownReferenceError("user", str(user_id))
        row.active = active
        self._session.flush()

    def credentials(self, name: str) -> tuple[StoredUser, str | None] | None:
        """An active user and the hash of their password (``None``: no active user by that
        name). The caller checks the password the same way whether or not a user was found.
        """
        row = self._session.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None or not row.active:
            return None
        return stored_user(row), row.password_hash

    def users(self) -> list[StoredUser]:
        """All users, by id."""
        return [stored_user(r) for r in self._session.scalars(select(UserRow).order_by(UserRow.id))]

    def user(self, name: str) -> StoredUser:
        """One user by name.

        Raises
        ------
        UnknownReferenceError
            When nobody has that name.
        """
        row = self._session.scalars(select(UserRow).where(UserRow.name == name)).first()
        if row is None:
            raise UnknownReferenceError("user", name)
        return stored_user(row)

    def revoke_tokens(self, *, user_id: int) -> int:
        """Revoke every token of a user; returns how many were still valid."""
        query = select(ApiTokenRow).where(
            ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None)
        )
        rows = list(self._session.scalars(query))
        for row in rows:
            row.revoked_at = datetime.now(UTC)
        self._session.flush()
        return len(rows)
