"""HTTP-level guards in front of every route (issue 10), in one place.

- **Body size**: a request body over ``OPVANG_MAX_BODY_BYTES`` (1 MB) is answered 413 at
  once when its ``Content-Length`` says so, else as soon as the streamed body passes the
  limit (a 100 MB body was parsed in full before).
- **Content type** (:class:`JsonOnly`, after authentication): a write to ``/v1`` that has a
  body must say ``application/json`` (or a ``+json`` type); anything else is a 415 (the
  report route ignored ``Content-Type``).
- **Headers**: every answer carries ``X-Content-Type-Options: nosniff``; every ``/v1``
  answer ``Cache-Control: no-store`` (case records must not sit in a shared cache).
- **Server errors**: an unexpected exception is answered 500 with a fixed text and logged
  as its type and where it was raised, never with its message or the request's values
  (a traceback of a refused lone surrogate wrote the value to the log).

The access log (uvicorn's) drops query strings: :class:`NoQueryStrings` (a token sent as
``?access_token=`` was logged in clear).
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_TYPE = re.compile(r"^application/(?:[\w.+-]+\+)?json\s*(?:;.*)?$", re.IGNORECASE)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger("opvang.errors")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _answer(send: Send, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """The guards of the module docstring, as ASGI middleware (outermost of the app's own).

    Parameters
    ----------
    app
        The application.
    max_body_bytes
        Largest request body accepted.
    api_prefix
        Paths under it get ``Cache-Control: no-store``.
    """

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, api_prefix: str = "/v1") -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.api_prefix = api_prefix

    def _in_api(self, path: str) -> bool:
        return path == self.api_prefix or path.startswith(self.api_prefix + "/")

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            return 413, f"the request body may be at most {self.max_body_bytes} bytes"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        in_api = self._in_api(scope["path"])
        extra = [(b"x-content-type-options", b"nosniff")]
        if in_api:
            extra.append((b"cache-control", b"no-store"))
        refusal = self._refusal(scope)
        if refusal is not None:
            await _answer(send, refusal[0], refusal[1], extra)
            return
        seen = 0
        started = refused = False

        async def limited_receive() -> Message:
            # A streamed body past the limit is answered 413 here, and the app is told
            # the client left (it stops reading; whatever it answers is dropped).
            nonlocal seen, started, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes and not started:
                    refused = started = True
                    detail = f"the request body may be at most {self.max_body_bytes} bytes"
                    await _answer(send, 413, detail, extra)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
                names = {bytes(k).lower() for k, _ in message.get("headers", ())}
                added = [(k, v) for k, v in extra if k not in names]
                message["headers"] = [*message.get("headers", ()), *added]
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception as exc:  # the last line: log safely, answer 500
            if refused:
                return
            frames = traceback.extract_tb(exc.__traceback__)
            log.error(
                "unhandled %s in %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                _route(scope),
                # where, never what: no message, no source line, no local value
                "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in frames),
            )
            if not started:
                await _answer(send, 500, "internal error; it has been logged", extra)


_NAMED_SEGMENT = re.compile(r"^[a-z][a-z-]*$")


class JsonOnly:
    """415 for a write to the API whose body is not JSON (after authentication: a caller
    without a token learns nothing about a route).

    Parameters
    ----------
    app
        The application.
    api_prefix
        The paths it guards.
    """

    def __init__(self, app: ASGIApp, *, api_prefix: str = "/v1") -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope.get("method") in WRITES
            and (path == self.api_prefix or path.startswith(self.api_prefix + "/"))
        ):
            length = _header(scope, b"content-length")
            has_body = (length is not None and length != "0") or (
                _header(scope, b"transfer-encoding") is not None
            )
            if has_body and not JSON_TYPE.match(_header(scope, b"content-type") or ""):
                await _answer(send, 415, "Content-Type must be application/json", [])
                return
        await self.app(scope, receive, send)


def _route(scope: Scope) -> str:
    """The request's path with every segment that is not a route's own word masked
    (``/v1/cases/…/withdraw``): no record id or value in the log."""
    parts = str(scope.get("path", "")).split("/")
    return "/".join(p if not p or _NAMED_SEGMENT.match(p) else "…" for p in parts)


class NoQueryStrings(logging.Filter):
    """Drops the query string from uvicorn's access-log lines (tokens, filters, ids)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def quiet_access_log() -> None:
    """Install :class:`NoQueryStrings` on uvicorn's access logger (once)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, NoQueryStrings) for f in logger.filters):
        logger.addFilter(NoQueryStrings())
