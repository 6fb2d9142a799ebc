"""Small query helpers shared by the repository and the ledger."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, insert, select
from sqlalchemy.orm import Session

from store.models import Base

IN_CHUNK = 500  # values per IN (...) list, well under every backend's parameter limit


def existing(session: Session, column: ColumnElement[Any], candidates: Sequence[str]) -> set[str]:
    """Which of the candidate values a unique column already holds.

    Parameters
    ----------
    session
        Where to look.
    column
        A unique column (a primary key, an idempotency key).
    candidates
        Values to look for.

    Returns
    -------
    set of str
    """
    found: set[str] = set()
    for i in range(0, len(candidates), IN_CHUNK):
        chunk = candidates[i : i + IN_CHUNK]
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def insert_missing(
    session: Session, model: type[Base], rows: Iterable[Mapping[str, Any]], *, key: str = "id"
) -> int:
    """Insert the rows whose key is not stored yet; a key repeated in ``rows`` counts once.

    Parameters
    ----------
    session
        Where to insert.
    model
        The row class.
    rows
        Column values per row.
    key
        The unique column that identifies a row.

    Returns
    -------
    int
        Number of rows inserted.
    """
    wanted: dict[str, dict[str, Any]] = {}
    for row in rows:
        wanted.setdefault(row[key], dict(row))
    stored = existing(session, model.__table__.c[key], list(wanted))
    new = [row for value, row in wanted.items() if value not in stored]
    if new:
        session.execute(insert(model), new)
    return len(new)


def ids_with_prefix(session: Session, model: type[Base], prefix: str) -> list[str]:
    """The ids of a model that start with ``prefix`` (for numbering new records)."""
    column = model.__table__.c["id"]
    return list(session.scalars(select(column).where(column.startswith(prefix, autoescape=True))))
