"""Escalations: the cases over their class's target wait, for an organisation or the desk."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import flows
from api.cases.service import list_item
from api.database import Database
from api.escalations.schemas import EscalationPublic, EscalationsPublic, OrganisationCount
from capacity import Rulebook
from capacity.clock import local_date
from store import audit
from store.service import StoredUser


def list_(
    db: Database, *, organisation: str | None, user: StoredUser, now: datetime, rulebook: Rulebook
) -> EscalationsPublic:
    """Escalated cases, most over their target first; every case shown is audited."""
    with db.audited_read() as session:
        found = flows.escalations(
            session, rulebook=rulebook, today=local_date(now), organisation=organisation
        )
        audit.record_reads(
            session,
            actor=user.name,
            action="escalation.list",
            case_ids=[e.line.case.id for e in found],
            detail={"organisation": organisation},
        )
    counts = Counter(e.line.case.responsible_organisation for e in found)
    return EscalationsPublic(
        data=[
            EscalationPublic(
                case=list_item(e.line), target_days=e.target_days, days_over=e.days_over
            )
            for e in found
        ],
        count=len(found),
        organisations=[
            OrganisationCount(organisation=o, count=n)
            for o, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        ],
    )
