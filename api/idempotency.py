"""``Idempotency-Key`` on writes: a retry gets the first answer, status and body alike.

Keys are scoped to the user. A service that takes an :class:`Idempotency` looks for a
stored answer first and stores its own answer in the same transaction as its write, so a
failed request stores neither (see :mod:`store.service.idempotency`). A single
availability report keeps its key in the ledger itself (:mod:`store.reporting`,
the hot path); a batch of reports stores its answer here like every other write.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.settings import DEFAULT_IDEMPOTENCY_HOURS as DEFAULT_KEPT_HOURS
from api.settings import ApiSettings
from store.service import StoredAnswer, StoredUser, store_answer, stored_answer

REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"  # printable ASCII, no spaces, at most 100 characters

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description="Makes a retry of this write return the first answer (1-100 printable "
        "ASCII characters, unique per request, e.g. a UUID). Scoped to the token's user.",
    ),
]


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A user's key, the fingerprint of the request it was sent with, and how long a
    stored answer is kept (older answers are forgotten: the key is new again)."""

    actor: str
    key: str
    fingerprint: str
    kept_for: timedelta = timedelta(hours=DEFAULT_KEPT_HOURS)

    def since(self) -> datetime:
        """Answers stored before this moment have expired."""
        return datetime.now(UTC) - self.kept_for


def for_request(
    request: Request, user: StoredUser, key: str | None, *, payload: BaseModel | None
) -> Idempotency | None:
    """The idempotency of a request (``None`` when it came without a key)."""
    if key is None:
        return None
    body = payload.model_dump(mode="json") if payload is not None else None
    text = json.dumps(
        [request.method, request.url.path, body], sort_keys=True, separators=(",", ":")
    )
    settings: ApiSettings = request.app.state.settings
    kept_for = timedelta(hours=settings.idempotency_hours)
    return Idempotency(user.name, key, hashlib.sha256(text.encode()).hexdigest(), kept_for)


def replay(session: Session, idem: Idempotency | None) -> StoredAnswer | None:
    """The stored first answer, when this is a retry within the time answers are kept."""
    if idem is None:
        return None
    return stored_answer(
        session, actor=idem.actor, key=idem.key, fingerprint=idem.fingerprint, since=idem.since()
    )


def remember(session: Session, idem: Idempotency | None, status_code: int, body: BaseModel) -> None:
    """Store the answer of a first attempt (in the write's transaction); forget expired ones."""
    if idem is None:
        return
    answer = StoredAnswer(status_code, body.model_dump(mode="json"))
    store_answer(
        session,
        actor=idem.actor,
        key=idem.key,
        fingerprint=idem.fingerprint,
        answer=answer,
        since=idem.since(),
    )


def respond(result: Any) -> Any:
    """A stored answer as a response (marked as replayed); anything else as it is."""
    if isinstance(result, StoredAnswer):
        return JSONResponse(
            result.body, status_code=result.status_code, headers={REPLAYED_HEADER: "true"}
        )
    return result
