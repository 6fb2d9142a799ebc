"""``/v1/audit``: read-only access to the append-only audit log (admins).

There is deliberately no route that changes or deletes an entry; the database refuses
UPDATE and DELETE on the table as well (migration 0001).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.audit.schemas import AuditEntriesPublic, AuditEntryPublic
from api.auth.roles import Role
from api.deps import CurrentUser, DatabaseDep, require
from api.routing import domain_router
from store import audit as audit_log

router = domain_router(prefix="/audit", tags=["audit"], dependencies=[require(Role.ADMIN)])


@router.get("")
def read_audit_log(
    db: DatabaseDep,
    user: CurrentUser,
    record_type: Annotated[str | None, Query(max_length=100)] = None,
    record_id: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    after_id: Annotated[int | None, Query(ge=0, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditEntriesPublic:
    """Entries oldest first, filtered; page with `after_id` (the last id you saw)."""
    with db.unit() as session:
        entries = audit_log.entries(
            session,
            record_type=record_type,
            record_id=record_id,
            actor=actor,
            limit=limit,
            after_id=after_id,
        )
        audit_log.record(
            session,
            actor=user.name,
            action="audit.read",
            record_type="audit_log",
            record_id="*",
            detail={"entries": len(entries)},
        )
    data = [
        AuditEntryPublic(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            record_type=e.record_type,
            record_id=e.record_id,
            detail=e.detail,
        )
        for e in entries
    ]
    return AuditEntriesPublic(data=data, count=len(data))
