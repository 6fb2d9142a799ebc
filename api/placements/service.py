"""Placements: who is where, and discharges that free the beds."""

from __future__ import annotations

from datetime import date, datetime

from api.audit.log import record, record_reads
from api.database import Database
from api.errors import ConflictError, FieldError
from api.idempotency import Idempotency, remember, replay
from api.placements.schemas import PlacementPublic, PlacementsPublic
from capacity import CaseStatus, Placement, UnknownReferenceError
from capacity.clock import local_date
from capacity.persistence import Repository, StoredAnswer, StoredUser


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
        record_reads(session, user, "placement.list", [p.case_id for p in page], None)
    return PlacementsPublic(data=[placement_public(p) for p in page], count=len(found))


def discharge(
    db: Database,
    *,
    placement_id: str,
    day: date | None,
    user: StoredUser,
    now: datetime,
    idem: Idempotency | None,
) -> PlacementPublic | StoredAnswer:
    """End a placement on ``day`` (default today): its beds are free from that day."""
    today = local_date(now)
    day = day or today
    if day > today:
        raise FieldError(["body", "day"], f"lies in the future (today is {today})")
    with db.unit(immediate=True) as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        repo = Repository(session)
        current = next((p for p in repo.placements() if p.id == placement_id), None)
        if current is None:
            raise UnknownReferenceError("placement", placement_id)
        if current.actual_end is not None:
            raise ConflictError(f"placement {placement_id} already ended on {current.actual_end}")
        if day < current.start:
            raise FieldError(["body", "day"], f"is before the placement's start ({current.start})")
        ended = repo.end_placement(placement_id, day=day)
        if repo.case(ended.case_id).status is CaseStatus.PLACED:
            repo.set_case_status(ended.case_id, status=CaseStatus.DISCHARGED)
        record(session, user, "placement.discharge", "placement", placement_id, {"day": day})
        result = placement_public(ended)
        remember(session, idem, 200, result)
        return result
