"""The first answer to a write sent with an ``Idempotency-Key``, replayed on a retry.

Keys are scoped to the user who sent them. The answer is stored in the same transaction
as the write it answers, so a retry either finds both or neither; two concurrent first
attempts cannot both be stored (the key is the primary key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from store.errors import IdempotencyConflictError
from store.mapping import checked
from store.service.models import IdempotentRequestRow


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The stored answer: HTTP status code and JSON body."""

    status_code: int
    body: Any


def stored_answer(
    session: Session, *, actor: str, key: str, fingerprint: str, since: datetime | None = None
) -> StoredAnswer | None:
    """The answer stored for this user's key (``None``: first attempt, or expired).

    Parameters
    ----------
    session
        The unit of work of the write.
    actor, key, fingerprint
        Whose key, and the request it came with.
    since
        Answers stored before this moment have expired: such a row is deleted and the key
        counts as new.

    Raises
    ------
    IdempotencyConflictError
        When the key was used for a different request (another fingerprint).
    """
    row = session.get(IdempotentRequestRow, (actor, key))
    if row is None:
        return None
    if since is not None and row.created_at < since:
        session.delete(row)
        session.flush()
        return None
    if row.fingerprint != fingerprint:
        raise IdempotencyConflictError(key)
    return StoredAnswer(row.status_code, row.body)


def forget_expired(session: Session, *, since: datetime) -> int:
    """Delete every answer stored before ``since``; how many (issue 10: answers holding
    case records were kept for ever)."""
    r = IdempotentRequestRow
    done = session.execute(delete(r).where(r.created_at < since))
    return int(getattr(done, "rowcount", 0) or 0)


def store_answer(
    session: Session,
    *,
    actor: str,
    key: str,
    fingerprint: str,
    answer: StoredAnswer,
    since: datetime | None = None,
) -> None:
    """Store the answer to a first attempt (flushes: a concurrent twin fails here), after
    deleting the answers stored before ``since``."""
    if since is not None:
        forget_expired(session, since=since)
    values = {
        "actor": actor,
        "key": key,
        "fingerprint": fingerprint,
        "status_code": answer.status_code,
        "body": answer.body,
    }
    session.add(IdempotentRequestRow(**checked(IdempotentRequestRow, values)))
    session.flush()
