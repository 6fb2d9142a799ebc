"""Coordinators' deadlines (issue 14): proposals close to their ``respond_by`` and those
that lapsed, so that nobody's place is lost without a word."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import DatabaseDep, NowDep, SettingsDep
from api.proposals import service as proposals
from api.web.pages import Coordinator, render
from store import Repository

router = APIRouter()
LAPSED_DAYS = 7  # days of lapsed proposals shown


@router.get("/deadlines")
def deadlines(
    request: Request, user: Coordinator, db: DatabaseDep, now: NowDep, settings: SettingsDep
) -> HTMLResponse:
    """Pending proposals whose deadline is near or past, and the recent lapses."""
    within = timedelta(hours=settings.remind_within_hours)
    due = proposals.reminders(db, user=user, now=now, within=within).data
    gone = proposals.lapsed(db, user=user, now=now, days=LAPSED_DAYS).data
    with db.unit() as session:
        names = {f.id: f.name for f in Repository(session).facilities()}
    context = {
        "title": "Proposal deadlines",
        "due": due,
        "lapsed": gone,
        "now": now,
        "facility_name": lambda fid: names.get(fid, fid),
        "remind_hours": settings.remind_within_hours,
        "respond_hours": settings.respond_within_hours,
        "lapsed_days": LAPSED_DAYS,
    }
    return render(request, "deadlines.html", context)
