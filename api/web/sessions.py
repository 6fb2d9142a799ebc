"""Signing in and out of the dashboard: password check, server-side sessions, cookies.

The session cookie holds 256 random bits; the database keeps only their SHA-256 (like
bearer tokens), with the user, the CSRF token of the session's forms and the expiry.
Nothing about a session lives in a worker's memory, so several workers share them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response

from api.auth.passwords import verify_password
from api.auth.tokens import hash_token
from api.database import Database
from api.web.settings import WebSettings
from store import audit
from store.service import SessionRepository, StoredSession, UserRepository

SESSION_COOKIE = "opvang_session"
LOGIN_CSRF_COOKIE = "opvang_login_csrf"  # the login form's CSRF token (no session yet)
LOGIN_CSRF_SECONDS = 3600  # a login form older than this must be reloaded
TOKEN_BYTES = 32  # 256 bits, for session tokens and CSRF tokens


@dataclass(frozen=True, slots=True)
class SignIn:
    """A new session: the token for the cookie (never stored) and the stored session."""

    token: str
    session: StoredSession


def new_secret() -> str:
    """A fresh random token (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def sign_in(
    db: Database, *, name: str, password: str, now: datetime, hours: float
) -> SignIn | None:
    """A new session for a user whose password matches; ``None`` otherwise.

    The password is checked (against a dummy hash when there is no such user), so an
    unknown name and a wrong password take as long and answer the same.
    """
    with db.unit() as session:
        found = UserRepository(session).credentials(name)
    user, stored_hash = found if found is not None else (None, None)
    if not verify_password(password, stored_hash) or user is None:
        return None
    token, csrf = new_secret(), new_secret()
    expires = now + timedelta(hours=hours)
    with db.unit(immediate=True) as session:
        sessions = SessionRepository(session)
        sessions.delete_expired(now=now)
        sessions.add(
            session_hash=hash_token(token), user_id=user.id, csrf_token=csrf, expires_at=expires
        )
        audit.record(
            session,
            actor=user.name,
            action="session.sign_in",
            record_type="user",
            record_id=user.name,
        )
    return SignIn(token, StoredSession(hash_token(token), user, csrf, expires))


ANONYMOUS = "anonymous"  # the audit log's actor of a failed sign-in: nobody signed in
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")  # as api.auth.schemas.UserBase


def audit_failure(db: Database, *, name: str, address: str, reason: str) -> None:
    """Audit a failed (``"wrong"``) or refused (``"throttled"``) sign-in.

    The user name is kept only when it is a possible user name (anything else is typed by
    someone probing, and is not worth keeping); the client address says where it came from.
    """
    record_id = name if _NAME.fullmatch(name) else "(not a user name)"
    with db.unit(immediate=True) as session:
        audit.record(
            session,
            actor=ANONYMOUS,
            action="session.sign_in_failed",
            record_type="user",
            record_id=record_id,
            detail={"reason": reason, "client": address[:64]},
        )


def lookup(db: Database, token: str, *, now: datetime) -> StoredSession | None:
    """The live session of a cookie's token (``None``: unknown, expired or user inactive)."""
    with db.unit() as session:
        return SessionRepository(session).get(hash_token(token), now=now)


def sign_out(db: Database, current: StoredSession) -> None:
    """End a session."""
    with db.unit(immediate=True) as session:
        SessionRepository(session).delete(current.id)
        audit.record(
            session,
            actor=current.user.name,
            action="session.sign_out",
            record_type="user",
            record_id=current.user.name,
        )


def secure_cookies(request: Request, settings: WebSettings) -> bool:
    """Whether cookies get the ``Secure`` flag (see :class:`WebSettings`)."""
    if settings.cookie_secure == "auto":
        return request.url.scheme == "https"
    return settings.cookie_secure == "always"


def set_cookie(
    response: Response,
    request: Request,
    settings: WebSettings,
    *,
    name: str,
    value: str,
    max_age: int,
    path: str = "/",
) -> None:
    """Set a cookie scripts cannot read, sent only to this site (HttpOnly, SameSite=Strict)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, settings),
    )


def clear_cookie(response: Response, request: Request, settings: WebSettings, name: str) -> None:
    """Remove a cookie (with the same flags it was set with)."""
    response.delete_cookie(
        name,
        path="/",
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request, settings),
    )
