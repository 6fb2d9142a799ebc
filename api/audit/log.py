"""The audit entry of a refused request, written with the one audit writer
(:mod:`store.audit`)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from store import audit
from store.service import StoredUser

_CASE_PATH = re.compile(r"^(?:/v1)?/cases/([^/]+)$")
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]")


def record_refusal(session: Session, user: StoredUser, method: str, path: str) -> None:
    """Audit a request refused with 403 (issue 10): a case record's id when the path is one,
    else the route. Nothing else of the request is kept."""
    clean = _UNPRINTABLE.sub("?", path)
    case = _CASE_PATH.match(clean)
    record_type, record_id = ("case", case.group(1)[:40]) if case else ("route", clean[:100])
    audit.record(
        session,
        actor=user.name,
        action="access.refused",
        record_type=record_type,
        record_id=record_id,
        detail={"method": method[:10]},
    )
