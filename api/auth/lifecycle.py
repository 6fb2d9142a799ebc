"""What ends or restores a user's access: disable, enable, revoke, a new token.

Used by ``opvang users`` and ``/v1/users``, so the command line and the API do the same
thing and write the same audit entries. Issue 10: ``users revoke`` revoked the tokens and
ended the sessions, but the password still signed in again.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.auth.tokens import hash_token, new_token
from api.database import Database
from api.errors import FieldError
from store import audit
from store.service import SessionRepository, StoredUser, UserRepository


@dataclass(frozen=True, slots=True)
class Ended:
    """What a change of access ended: tokens revoked, dashboard sessions closed."""

    user: StoredUser
    tokens: int
    sessions: int


def _audit(session: Session, actor: str, action: str, name: str) -> None:
    audit.record(session, actor=actor, action=action, record_type="user", record_id=name)


def set_active(db: Database, *, name: str, active: bool, actor: str) -> Ended:
    """Disable (no sign-in, no token works, sessions end) or enable a user.

    Disabling keeps the user's tokens and password, so enabling restores access as it was.
    An actor cannot disable themselves (the last admin would lock everyone out).
    """
    if not active and name == actor:
        raise FieldError(["path", "name"], "you cannot disable yourself")
    with db.unit(immediate=True) as session:
        users = UserRepository(session)
        user = users.user(name)
        users.set_active(user_id=user.id, active=active)
        ended = 0 if active else SessionRepository(session).delete_for_user(user.id)
        _audit(session, actor, "user.enable" if active else "user.disable", name)
        changed = users.user(name)
    return Ended(changed, 0, ended)


def revoke(db: Database, *, name: str, actor: str) -> Ended:
    """Revoke every token, end every session and clear the password: no way in is left
    until an admin issues a new token or password."""
    with db.unit(immediate=True) as session:
        users = UserRepository(session)
        user = users.user(name)
        tokens = users.revoke_tokens(user_id=user.id)
        users.set_password(user_id=user.id, password_hash=None)
        ended = SessionRepository(session).delete_for_user(user.id)
        _audit(session, actor, "user.revoke", name)
    return Ended(user, tokens, ended)


def issue_token(db: Database, *, name: str, actor: str) -> str:
    """A new bearer token for an existing user (shown once; only its hash is stored)."""
    token = new_token()
    with db.unit(immediate=True) as session:
        users = UserRepository(session)
        user = users.user(name)
        users.add_token(user_id=user.id, token_hash=hash_token(token))
        _audit(session, actor, "user.token", name)
    return token


def set_password(db: Database, *, name: str, password_hash: str | None, actor: str) -> Ended:
    """Set, replace or (``None``) clear a user's dashboard password; their sessions end."""
    with db.unit(immediate=True) as session:
        users = UserRepository(session)
        user = users.user(name)
        users.set_password(user_id=user.id, password_hash=password_hash)
        ended = SessionRepository(session).delete_for_user(user.id)
        action = "user.password" if password_hash is not None else "user.password_clear"
        _audit(session, actor, action, name)
    return Ended(user, 0, ended)
