"""The append-only audit log: who did what to which record, and when.

Rows are only ever inserted; database triggers refuse UPDATE and DELETE (see the
migration ``0001_initial_schema``). The time is the database server's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from capacity.errors import InvalidFieldError
from store.mapping import checked
from store.models import DETAIL_LENGTH, AuditRow

AuditDetail = str | Mapping[str, object] | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log.

    Parameters
    ----------
    id
        Position in the log (increasing).
    at
        When it was written (database server time, UTC).
    actor
        Who acted (user name or client id).
    action
        What was done (``"case.read"``, ``"placement.create"``).
    record_type, record_id
        The record acted on.
    detail
        Short text or JSON (never a case file: the log is kept for good).
    """

    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    detail: str | None


def _detail_text(detail: AuditDetail) -> str | None:
    if detail is None or isinstance(detail, str):
        text = detail
    else:
        text = json.dumps(dict(detail), sort_keys=True, ensure_ascii=False, default=str)
    if text is not None and len(text) > DETAIL_LENGTH:
        raise InvalidFieldError("detail", f"at most {DETAIL_LENGTH} characters")
    return text


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        record_type=row.record_type,
        record_id=row.record_id,
        detail=row.detail,
    )


def entry_values(
    *, actor: str, action: str, record_type: str, record_id: str, detail: AuditDetail = None
) -> dict[str, str | None]:
    """The column values of a new entry (the time is the database's), checked.

    For writers that do not go through a session (:mod:`store.pg_ledger`).

    Raises
    ------
    InvalidFieldError
        When a field is empty or too long.
    """
    fields = {"actor": actor, "action": action, "record_type": record_type, "record_id": record_id}
    for name, value in fields.items():
        if not value.strip():
            raise InvalidFieldError(name, "must not be empty")
    return checked(AuditRow, {**fields, "detail": _detail_text(detail)})


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    record_id: str,
    detail: AuditDetail = None,
) -> AuditEntry:
    """Append one entry to the audit log (in the session's transaction).

    Parameters
    ----------
    session
        The unit of work the audited action belongs to: the entry is kept only when the
        action is.
    actor, action, record_type, record_id
        Who did what to which record; none may be empty.
    detail
        Short text, or a mapping stored as JSON with sorted keys.

    Returns
    -------
    AuditEntry
        The entry as stored, with its id and time.

    Raises
    ------
    InvalidFieldError
        When a field is empty or too long.
    """
    values = entry_values(
        actor=actor, action=action, record_type=record_type, record_id=record_id, detail=detail
    )
    row = AuditRow(**values)
    session.add(row)
    session.flush()  # fetches the id and the server time
    return _entry(row)


def entries(
    session: Session,
    *,
    record_type: str | None = None,
    record_id: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int | None = None,
    after_id: int | None = None,
) -> list[AuditEntry]:
    """Read the audit log, oldest first, optionally filtered.

    Parameters
    ----------
    session
        Where to read.
    record_type, record_id, actor
        Keep only entries with these values.
    since
        Keep only entries written at or after this moment (timezone-aware).
    limit
        At most this many entries (the oldest that match).
    after_id
        Keep only entries after this one (to page through the log).

    Returns
    -------
    list of AuditEntry
    """
    query = select(AuditRow).order_by(AuditRow.id)
    if record_type is not None:
        query = query.where(AuditRow.record_type == record_type)
    if record_id is not None:
        query = query.where(AuditRow.record_id == record_id)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if after_id is not None:
        query = query.where(AuditRow.id > after_id)
    if limit is not None:
        query = query.limit(limit)
    return [_entry(row) for row in session.scalars(query)]


def record_many(
    session: Session,
    *,
    actor: str,
    action: str,
    record_type: str,
    record_ids: Sequence[str],
    detail: AuditDetail = None,
) -> int:
    """Append one entry per record (one statement), for a read that lists many records.

    Returns
    -------
    int
        Entries written.

    Raises
    ------
    InvalidFieldError
        When a field is empty or too long.
    """
    text = _detail_text(detail)
    rows = [
        checked(
            AuditRow,
            {
                "actor": actor,
                "action": action,
                "record_type": record_type,
                "record_id": record_id,
                "detail": text,
            },
        )
        for record_id in record_ids
    ]
    if rows:
        session.execute(insert(AuditRow), rows)
    return len(rows)


def record_reads(
    session: Session,
    *,
    actor: str,
    action: str,
    case_ids: Sequence[str],
    detail: AuditDetail = None,
) -> int:
    """One entry per case record shown (a list read), so "who has seen case X" has an answer.

    Returns
    -------
    int
        Entries written.
    """
    return record_many(
        session,
        actor=actor,
        action=action,
        record_type="case",
        record_ids=case_ids,
        detail=detail,
    )
