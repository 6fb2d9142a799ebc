"""When cases left the waiting list, for the trends over time (issue 15).

The tables hold the current state, not a history: a case's row says *that* it was
withdrawn, the audit log says *when*. A placement's start says when a placed case left
the list (read from the placements themselves, :meth:`store.Repository.placements`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from capacity.lifecycle import WAITING_LIST
from store.models import AuditRow, CaseRow

WITHDRAW_ACTION = "case.withdraw"  # the audit action of flows.withdraw_case


def left_waiting_list_at(session: Session) -> dict[str, datetime]:
    """Per case no longer on the waiting list, when its status last changed (UTC).

    For a withdrawn case that is its ``case.withdraw`` audit entry; where the log has none
    (an imported case, an erased log) the row's ``updated_at``, the moment its status was
    last set.
    """
    on_list = sorted(s.value for s in WAITING_LIST)
    c, a = CaseRow, AuditRow
    changed = {
        row.id: _utc(row.updated_at)
        for row in session.execute(select(c.id, c.updated_at).where(c.status.not_in(on_list)))
    }
    withdrawn = select(a.record_id, func.max(a.at).label("at")).where(
        a.record_type == "case", a.action == WITHDRAW_ACTION
    )
    for row in session.execute(withdrawn.group_by(a.record_id)):
        if row.record_id in changed:
            changed[row.record_id] = _utc(row.at)
    return changed


def _utc(moment: datetime) -> datetime:
    """SQLite gives naive UTC, PostgreSQL aware moments: aware UTC either way."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
