"""Writing the audit log from the services: who did what to which record."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from capacity.persistence import AuditDetail, Repository, StoredUser
from capacity.persistence import audit as audit_log

_CASE_PATH = re.compile(r"^(?:/v1)?/cases/([^/]+)$")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def record(
    session: Session,
    user: StoredUser,
    action: str,
    record_type: str,
    record_id: str,
    detail: AuditDetail = None,
) -> None:
    """One entry, in the session's transaction (kept only when the action is)."""
    audit_log.record(
        session,
        actor=user.name,
        action=action,
        record_type=record_type,
        record_id=record_id,
        detail=detail,
    )


def record_reads(
    session: Session, user: StoredUser, action: str, case_ids: Sequence[str], detail: AuditDetail
) -> None:
    """One entry per case record shown (a list read), so "who saw case X" has an answer."""
    audit_log.record_many(
        session,
        actor=user.name,
        action=action,
        record_type="case",
        record_ids=case_ids,
        detail=detail,
    )


def record_refusal(session: Session, user: StoredUser, method: str, path: str) -> None:
    """Audit a request refused with 403 (issue 10): a case record's id when the path is one,
    else the route. Nothing else of the request is kept."""
    clean = _UNPRINTABLE.sub("?", path)
    case = _CASE_PATH.match(clean)
    record_type, record_id = ("case", case.group(1)[:40]) if case else ("route", clean[:100])
    Repository(session).audit(
        actor=user.name,
        action="access.refused",
        record_type=record_type,
        record_id=record_id,
        detail={"method": method[:10]},
    )
