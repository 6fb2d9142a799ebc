"""One write request, one transaction, its idempotency handled once (issue 12).

Services take a session and return plain results; :func:`write` opens the transaction
(``BEGIN IMMEDIATE`` on SQLite), answers a retry with the stored first answer
(:mod:`api.idempotency`), runs the service, and stores its answer in the same
transaction. So idempotency is not threaded through every service, and no service
returns "a result or a stored answer".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, overload

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.database import Database
from api.idempotency import Idempotency, remember, replay
from store import DuplicateRecordError
from store.service import StoredAnswer

Result = TypeVar("Result", bound=BaseModel)


@overload
def write(
    db: Database,
    idem: None,
    status: int,
    work: Callable[[Session], Result],
    *,
    attempts: int = 1,
) -> Result: ...


@overload
def write(
    db: Database,
    idem: Idempotency | None,
    status: int,
    work: Callable[[Session], Result],
    *,
    attempts: int = 1,
) -> Result | StoredAnswer: ...


def write(
    db: Database,
    idem: Idempotency | None,
    status: int,
    work: Callable[[Session], Result],
    *,
    attempts: int = 1,
) -> Result | StoredAnswer:
    """Run ``work`` in one write transaction, idempotently.

    Parameters
    ----------
    db
        The database.
    idem
        The request's key and fingerprint (``None``: no ``Idempotency-Key``).
    status
        The HTTP status of a first answer (stored with it for retries).
    work
        The service call, given the transaction's session.
    attempts
        Times to try when two requests at once took the same new id (a case number):
        each attempt is a transaction of its own.

    Returns
    -------
    The service's result, or the stored first answer of a retry.
    """
    for attempt in range(attempts):
        try:
            with db.unit(immediate=True) as session:
                if (answer := replay(session, idem)) is not None:
                    return answer
                result = work(session)
                remember(session, idem, status, result)
                return result
        except (IntegrityError, DuplicateRecordError):
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable: attempts must be at least 1")


def replayed(db: Database, idem: Idempotency | None) -> StoredAnswer | None:
    """The stored first answer of a retry, looked up before long work (a matching run)."""
    if idem is None:
        return None
    with db.unit() as session:
        return replay(session, idem)
