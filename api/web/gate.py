"""Session-cookie authentication of the dashboard's pages, before routing.

:class:`api.auth.middleware.BearerAuthMiddleware` hands every request outside the API
prefix that is not public to :class:`SessionGate`: with a live session cookie the request
goes on with ``request.state.user`` (and ``request.state.web_session``) set; without one
the browser is sent to the sign-in page. A session cookie never opens the API (``/v1``
keeps demanding a bearer token), and a bearer token never opens a page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import cookie_parser

from api.auth.middleware import ASGIApp, Receive, Scope, Send
from api.database import Database
from api.web import sessions

LOGIN_PATH = "/login"
SAFE_METHODS = frozenset({"GET", "HEAD"})


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers", ()):
        if header == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(name)
            if found:
                return found
    return None


def login_url(path: str, query: str = "") -> str:
    """The sign-in page, returning to ``path`` (a local path) afterwards."""
    target = path + (f"?{query}" if query else "")
    return f"{LOGIN_PATH}?next={quote(target, safe='')}" if path != "/" else LOGIN_PATH


class SessionGate:
    """Lets a request through with its session's user, or sends it to the sign-in page.

    Parameters
    ----------
    db
        Where sessions are looked up.
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        token = _cookie(scope, sessions.SESSION_COOKIE)
        found = (
            await run_in_threadpool(sessions.lookup, self.db, token, now=datetime.now(UTC))
            if token
            else None
        )
        if found is None:
            await self._to_login(scope, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state["user"] = found.user
        state["web_session"] = found
        await app(scope, receive, send)

    @staticmethod
    async def _to_login(scope: Scope, send: Send) -> None:
        """303 to the sign-in page (back to a page that was asked for with GET)."""
        if scope.get("method") in SAFE_METHODS:
            location = login_url(scope["path"], scope.get("query_string", b"").decode("latin-1"))
        else:
            location = LOGIN_PATH
        headers = [
            (b"location", location.encode("latin-1")),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
