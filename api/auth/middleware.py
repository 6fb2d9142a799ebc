"""Bearer-token authentication for every route but the public ones, before routing.

Authentication runs once per request as ASGI middleware rather than as a FastAPI
dependency of the parent router: measured on the availability feed (issue 4), each
dependency node costs about as much as the SQLite write itself. Routes read the user from
``request.state.user`` (see :func:`api.deps.current_user`).

The dashboard's pages (issue 6) authenticate with a session cookie instead: paths
outside the API prefix go to the page gate given here (:class:`api.web.gate.SessionGate`),
while every path under the API prefix still needs a bearer token.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any

from api.auth import service as auth
from api.database import Database

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
PageGate = Callable[[Scope, Receive, Send, ASGIApp], Awaitable[None]]
"""Authenticates a request outside the API and passes it on to the app, or answers it."""

_CHALLENGE = [(b"www-authenticate", b"Bearer"), (b"content-type", b"application/json")]


def _token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


class BearerAuthMiddleware:
    """401 (with ``WWW-Authenticate: Bearer``) unless the path is public or the token valid.

    Parameters
    ----------
    app
        The application.
    db
        Where tokens are looked up.
    public_paths
        Paths that need no authentication (the one list, :data:`api.app.PUBLIC_PATHS`);
        an entry ending in ``/`` stands for every path under it (static assets).
    api_prefix
        Paths under it always need a bearer token.
    pages
        Authenticates every other non-public path (the dashboard's session cookie);
        without it, those need a bearer token too.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        db: Database,
        public_paths: Collection[str],
        api_prefix: str = "/v1",
        pages: PageGate | None = None,
    ) -> None:
        self.app = app
        self.db = db
        self.public = frozenset(p for p in public_paths if not p.endswith("/"))
        self.public_prefixes = tuple(p for p in public_paths if p.endswith("/"))
        self.api_prefix = api_prefix
        self.pages = pages

    def _is_public(self, path: str) -> bool:
        return path in self.public or path.startswith(self.public_prefixes)

    def _in_api(self, path: str) -> bool:
        return path == self.api_prefix or path.startswith(self.api_prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.pages is not None and not self._in_api(scope["path"]):
            await self.pages(scope, receive, send, self.app)
            return
        token = _token(scope)
        user = await auth.authenticate(self.db, token) if token is not None else None
        if user is None:
            reason = (
                "a valid bearer token is required"
                if token is None
                else ("the bearer token is unknown or revoked")
            )
            body = json.dumps({"detail": reason}).encode()
            headers = [*_CHALLENGE, (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 401, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["user"] = user
        await self.app(scope, receive, send)
