"""The audit log as admins read it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    record_type: str
    record_id: str
    detail: str | None


class AuditEntriesPublic(BaseModel):
    data: list[AuditEntryPublic]
    count: int
