"""Writing the audit log from the services: who did what to which record."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from capacity.persistence import AuditDetail, StoredUser
from capacity.persistence import audit as audit_log


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
