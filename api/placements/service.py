"""Placements: who is where, and discharges that free the beds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

import flows
from api.database import Database
from api.placements.schemas import PlacementPublic, PlacementsPublic
from capacity import Placement
from capacity.clock import local_date
from store import Repository, audit
from store.service import StoredUser


def placement_public(p: Placement) -> PlacementPublic:
    return PlacementPublic(
        id=p.id,
        case_id=p.case_id,
        facility_id=p.facility_id,
        beds=p.beds,
        start=p.start,
        expected_end=p.expected_end,
        actual_end=p.actual_end,
        recorded_at=p.recorded_at,
    )


def list_(
    db: Database,
    *,
    active: bool | None,
    facility_id: str | None,
    limit: int,
    offset: int,
    user: StoredUser,
    now: datetime,
) -> PlacementsPublic:
    """Placements by start day, optionally only current ones or one facility's (audited)."""
    today = local_date(now)
    with db.audited_read() as session:
        found = [
            p
            for p in Repository(session).placements()
            if (facility_id is None or p.facility_id == facility_id)
            and (active is None or p.active_on(today) == active)
        ]
        page = found[offset : offset + limit]
        audit.record_reads(
            session, actor=user.name, action="placement.list", case_ids=[p.case_id for p in page]
        )
    return PlacementsPublic(data=[placement_public(p) for p in page], count=len(found))


def discharge(
    session: Session, *, placement_id: str, day: date | None, user: StoredUser, now: datetime
) -> PlacementPublic:
    """End a placement on ``day`` (default today): its beds are free from that day."""
    today = local_date(now)
    ended = flows.discharge(session, placement_id, day=day or today, today=today, by=user.name)
    return placement_public(ended)
