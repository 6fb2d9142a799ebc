"""Signed-in dashboard sessions, kept in the database so every worker can check them.

The browser's cookie holds a random token; only its hash is stored here (the caller
hashes), so reading this table does not let anyone act as a user. Each session carries
the CSRF token its forms must send back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.service.models import UserRow, WebSessionRow
from store.service.users import StoredUser, stored_user


@dataclass(frozen=True, slots=True)
class StoredSession:
    """A live session.

    Parameters
    ----------
    id
        The hash of the cookie's token.
    user
        Who signed in.
    csrf_token
        What every form of this session must send back.
    expires_at
        When the session ends (UTC).
    """

    id: str
    user: StoredUser
    csrf_token: str
    expires_at: datetime


class SessionRepository:
    """Dashboard sessions in one unit of work (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self, *, session_hash: str, user_id: int, csrf_token: str, expires_at: datetime
    ) -> None:
        """Store a new session."""
        row = WebSessionRow(
            id=session_hash, user_id=user_id, csrf_token=csrf_token, expires_at=expires_at
        )
        self._session.add(row)
        self._session.flush()

    def get(self, session_hash: str, *, now: datetime) -> StoredSession | None:
        """The unexpired session with this hash of an active user (``None``: none such)."""
        query = (
            select(WebSessionRow, UserRow)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.id == session_hash, WebSessionRow.expires_at > now)
        )
        found = self._session.execute(query).first()
        if found is None or not found[1].active:
            return None
        row, user = found
        return StoredSession(row.id, stored_user(user), row.csrf_token, row.expires_at)

    def delete(self, session_hash: str) -> None:
        """End one session (signing out)."""
        self._session.execute(delete(WebSessionRow).where(WebSessionRow.id == session_hash))

    def delete_for_user(self, user_id: int) -> int:
        """End every session of a user (password changed, access revoked); how many."""
        done = self._session.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id))
        return int(getattr(done, "rowcount", 0) or 0)

    def delete_expired(self, *, now: datetime) -> int:
        """Remove sessions that have expired; how many."""
        done = self._session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))
        return int(getattr(done, "rowcount", 0) or 0)
