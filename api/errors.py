"""Errors the API answers with, and the one place domain errors become HTTP answers.

Bad input is a 4xx naming the field and the reason, never a 500 (issue 4): the handlers
below map the domain errors of :mod:`capacity`, :mod:`store` and
:mod:`matching` centrally, so services raise what they mean and routers stay thin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

import flows
from api.audit.log import record_refusal
from api.types import refused_character
from capacity import InvalidFieldError, InvalidTransitionError, UnknownReferenceError
from matching import InvalidParamsError, InvalidProblemError
from store import DuplicateRecordError, IdempotencyConflictError, StoredRecordError

IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRY_AFTER_SECONDS = 1  # a locked database is busy for milliseconds, not longer


class Message(BaseModel):
    """An error answer: what went wrong, in words."""

    detail: str


class ValidationItem(BaseModel):
    """One refused field: where (``["query", "regoin"]``), why, and the kind of error."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrors(BaseModel):
    """A 422 answer, shaped like FastAPI's own validation errors."""

    detail: list[ValidationItem]


class ApiError(Exception):
    """An answer other than success, raised by a service or a dependency."""

    status_code = 400

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        self.detail = detail
        self.headers = headers
        super().__init__(detail)


class UnauthorizedError(ApiError):
    status_code = 401

    def __init__(self, detail: str = "a valid bearer token is required") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class ForbiddenError(ApiError):
    status_code = 403


class NotFoundError(ApiError):
    status_code = 404


class ConflictError(ApiError):
    status_code = 409


class FieldError(ApiError):
    """A 422 for one field: ``loc`` as in FastAPI's validation errors."""

    status_code = 422

    def __init__(self, loc: list[str | int], reason: str, kind: str = "value_error") -> None:
        self.loc = loc
        self.kind = kind
        super().__init__(reason)


def field_path(field: str) -> list[str | int]:
    """``"preferred_regions[1]"`` -> ``["preferred_regions", 1]``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", field):
        parts.append(int(index) if index else name)
    return parts


def validation_item(loc: list[str | int], msg: str, kind: str = "value_error") -> dict[str, Any]:
    """One refused field of a 422's ``detail``, shaped like FastAPI's own."""
    return {"loc": loc, "msg": msg, "type": kind}


def validation_body(loc: list[str | int], msg: str, kind: str = "value_error") -> dict[str, Any]:
    """The body of a 422, shaped like FastAPI's own validation errors."""
    return {"detail": [validation_item(loc, msg, kind)]}


def _refused_fields_body(exc: InvalidFieldError) -> dict[str, Any]:
    """A 422's body naming every field a value object refused, the first one first.

    A case checks all its fields (:func:`capacity.errors.refuse`); an intake that named
    only the first sent a client back once per bad field. The first entry is the one the
    422 always had, so a client reading ``detail[0]`` reads the same.
    """
    refused = (exc, *exc.others)
    return {"detail": [validation_item(["body", *field_path(e.field)], e.reason) for e in refused]}


def _answer(exc: ApiError) -> JSONResponse:
    if isinstance(exc, FieldError):
        body = validation_body(exc.loc, exc.detail, exc.kind)
    else:
        body = {"detail": exc.detail}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def _methods_at(request: Request) -> set[str]:
    """Every method some route serves at the request's path."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods or set()
    return methods


async def audit_refusal(request: Request) -> None:
    """Write an ``access.refused`` entry for a signed-in user's refused request."""
    user = getattr(request.state, "user", None)
    db = getattr(request.app.state, "db", None)
    if user is None or db is None:
        return

    def write() -> None:
        with db.unit(immediate=True) as session:
            record_refusal(session, user, request.method, request.url.path)

    await run_in_threadpool(write)


def _safe_text(value: object) -> str | int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return "".join("?" if refused_character(ch) else ch for ch in text)


def _safe_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """A validation error as ``{loc, msg, type}``: no input, every text printable."""
    return {
        "loc": [_safe_text(part) for part in error.get("loc", ())],
        "msg": _safe_text(error.get("msg", "")),
        "type": _safe_text(error.get("type", "value_error")),
    }


def install_error_handlers(app: FastAPI) -> None:  # noqa: C901 (one small handler per error)
    """Register the mapping of every domain error to its HTTP answer."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        if exc.status_code == 403:
            await audit_refusal(request)
        return _answer(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes each field's input: NaN, an infinity or a lone
        # surrogate cannot be written as JSON (issue 10: a 500 instead of the 422), and a
        # case's values have no business in an error either. Where and why is enough.
        return JSONResponse({"detail": [_safe_error(e) for e in exc.errors()]}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first route's methods
            headers["Allow"] = ", ".join(sorted(_methods_at(request)))
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)

    @app.exception_handler(InvalidFieldError)
    async def _field(_: Request, exc: InvalidFieldError) -> JSONResponse:
        return JSONResponse(_refused_fields_body(exc), status_code=422)

    @app.exception_handler(InvalidParamsError)
    async def _params(_: Request, exc: InvalidParamsError) -> JSONResponse:
        return _answer(FieldError(["body", *field_path(exc.field)], exc.reason))

    @app.exception_handler(InvalidProblemError)
    async def _problem(_: Request, exc: InvalidProblemError) -> JSONResponse:
        return _answer(FieldError(["body", exc.entry], exc.reason))

    @app.exception_handler(flows.ConflictError)
    async def _flow_conflict(_: Request, exc: flows.ConflictError) -> JSONResponse:
        return _answer(ConflictError(str(exc)))

    @app.exception_handler(InvalidTransitionError)
    async def _transition(_: Request, exc: InvalidTransitionError) -> JSONResponse:
        return _answer(ConflictError(str(exc)))

    @app.exception_handler(flows.InvalidInputError)
    async def _flow_input(_: Request, exc: flows.InvalidInputError) -> JSONResponse:
        return _answer(FieldError(["body", *field_path(exc.field)], exc.reason))

    @app.exception_handler(UnknownReferenceError)
    async def _unknown(_: Request, exc: UnknownReferenceError) -> JSONResponse:
        return _answer(NotFoundError(str(exc)))

    @app.exception_handler(DuplicateRecordError)
    async def _duplicate(_: Request, exc: DuplicateRecordError) -> JSONResponse:
        return _answer(ConflictError(str(exc)))

    @app.exception_handler(IdempotencyConflictError)
    async def _idempotency(_: Request, _exc: IdempotencyConflictError) -> JSONResponse:
        reason = "was already used for a different request; use a new key for a new request"
        return _answer(FieldError(["header", IDEMPOTENCY_HEADER], reason))

    @app.exception_handler(StoredRecordError)
    async def _stored(_: Request, exc: StoredRecordError) -> JSONResponse:
        # the server's data, not the request, is at fault: never a 422 on the body
        return JSONResponse({"detail": str(exc)}, 500)

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, _exc: IntegrityError) -> JSONResponse:
        return _answer(ConflictError("a concurrent request changed the same records; retry"))

    @app.exception_handler(DataError)
    async def _data(_: Request, _exc: DataError) -> JSONResponse:
        reason = "holds a value the database cannot store (a NUL character, a number too large)"
        return _answer(FieldError(["body"], reason))

    @app.exception_handler(OperationalError)
    async def _busy(_: Request, exc: OperationalError) -> JSONResponse:
        if "locked" not in str(exc.orig) and "could not obtain lock" not in str(exc.orig):
            raise exc
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
        return JSONResponse({"detail": "the database is busy; retry"}, 503, headers=headers)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Message,
        "description": "Malformed request (for example a body that is not JSON)",
    },
    401: {"model": Message, "description": "No valid bearer token"},
    403: {"model": Message, "description": "The token's role or scope does not allow this"},
    413: {"model": Message, "description": "The request body is larger than allowed"},
    415: {"model": Message, "description": "A request body that is not application/json"},
    # every route refuses an unknown or repeated query parameter (api.routing), also those
    # that take none: a typo in a filter must not silently filter nothing (issue 17)
    422: {
        "model": ValidationErrors,
        "description": "A field, path or query parameter refused (an unknown query "
        "parameter too), with where and why",
    },
    503: {
        "model": Message,
        "description": "The database stayed busy (SQLite's write lock); retry after Retry-After",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
"""Answers every authenticated route may give; listed on the parent router."""

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Message, "description": "Not found"}}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": Message, "description": "Conflicts with the current state"}
}
