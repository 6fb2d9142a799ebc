"""What FastAPI's dependencies would do for the availability report, done directly.

The report route takes no dependencies (see :func:`api.facilities.router.report_availability`
for why); these helpers give it the same checks and the same answers as every other route:
the user and role, the body validated by its pydantic model (422 in FastAPI's shape), the
idempotency key's pattern, and the OpenAPI description of body and header.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.auth.roles import Role
from api.deps import check_role
from api.errors import IDEMPOTENCY_HEADER, FieldError, UnauthorizedError
from api.facilities.schemas import AvailabilityCreate
from api.feeds.hsds import HsdsCapacityUpdate
from api.idempotency import KEY_PATTERN
from store.service import StoredUser

Model = TypeVar("Model", bound=BaseModel)
REPORT_BODY: dict[str, Any] = {
    "oneOf": [AvailabilityCreate.model_json_schema(), HsdsCapacityUpdate.model_json_schema()]
}
"""The report's body: Opvang's own or an HSDS 3 ``service_capacity`` (issue 16)."""
_KEY = re.compile(KEY_PATTERN)

OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": REPORT_BODY}},
    },
    "parameters": [
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": "Makes a retry return the first answer (1-100 printable ASCII "
            "characters, unique per report, e.g. a UUID). Scoped to the token's user.",
            "schema": {"type": "string", "pattern": KEY_PATTERN},
        }
    ],
}


def user_with_role(request: Request, allowed: frozenset[Role]) -> StoredUser:
    """The authenticated user (set by the middleware); 403 unless the role is allowed."""
    user: StoredUser | None = getattr(request.state, "user", None)
    if user is None:
        raise UnauthorizedError()
    check_role(user, allowed)
    return user


async def body(request: Request, model: type[Model]) -> Model:
    """The JSON body validated by ``model``; a 422 naming each field otherwise."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw)
    except ValidationError as exc:
        errors = [_in_body(e) for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def _in_body(error: Any) -> dict[str, Any]:
    out = {**error, "loc": ("body", *error["loc"])}
    if isinstance(out.get("input"), bytes):  # a body that is not JSON (not even UTF-8)
        out["input"] = out["input"].decode("utf-8", "replace")
    return out


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header, checked against its pattern."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not _KEY.fullmatch(key):
        raise FieldError(
            ["header", IDEMPOTENCY_HEADER], "must be 1-100 printable ASCII characters, no spaces"
        )
    return key
