"""Escalations: cases over their class's target wait, per organisation (issue 14)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

import flows
from api.deps import DatabaseDep, NowDep, RulebookDep
from api.escalations import service as escalations
from api.web.cases_view import region_name
from api.web.pages import Coordinator, render
from capacity.clock import local_date

router = APIRouter()


@router.get("/escalations")
def escalation_list(
    request: Request,
    user: Coordinator,
    db: DatabaseDep,
    now: NowDep,
    rulebook: RulebookDep,
    organisation: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The national desk's list of escalated cases, or one organisation's."""
    shown = escalations.list_(
        db, organisation=organisation or None, user=user, now=now, rulebook=rulebook
    )
    with db.unit() as session:  # counts per organisation only: no case record is read
        every = flows.escalations(session, rulebook=rulebook, today=local_date(now))
    counts = Counter(e.line.case.responsible_organisation for e in every)
    targets = [
        (c.name, c.target_days)
        for c in rulebook.rules.priority.complexity.classes
        if c.target_days is not None
    ]
    context = {
        "title": "Escalations",
        "national": len(every),
        "shown": shown,
        "organisation": organisation,
        "organisations": [(o, f"{o} ({n})") for o, n in sorted(counts.items())],
        "targets": targets,
        "errors": {},
        "region_name": region_name,
    }
    return render(request, "escalations.html", context)
