"""Bearer-token authentication for every route but the public ones, before routing.

Authentication runs once per request as ASGI middleware rather than as a FastAPI
dependency of the parent router: measured on the availability feed (issue 4), each
dependency node costs about as much as the SQLite write itself. Routes read the user from
``request.state.user`` (see :func:`api.deps.current_user`).
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
        Paths that need no token (the one list, :data:`api.app.PUBLIC_PATHS`).
    """

    def __init__(self, app: ASGIApp, *, db: Database, public_paths: Collection[str]) -> None:
        self.app = app
        self.db = db
        self.public = frozenset(public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.public:
            await self.app(scope, receive, send)
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
