"""Ending a placement: the beds are free from that day, the case is discharged (issue 12)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from capacity import CaseEvent, Placement, UnknownReferenceError
from capacity.lifecycle import allows
from flows.errors import ConflictError, InvalidInputError
from store import Repository, audit


def discharge(session: Session, placement_id: str, *, day: date, today: date, by: str) -> Placement:
    """End a placement on ``day``; a placed case is discharged; audited.

    Raises
    ------
    InvalidInputError
        When ``day`` lies in the future or before the placement's start.
    UnknownReferenceError
        When there is no such placement.
    ConflictError
        When the placement has ended already.
    """
    if day > today:
        raise InvalidInputError("day", f"lies in the future (today is {today})")
    repo = Repository(session)
    current = next((p for p in repo.placements() if p.id == placement_id), None)
    if current is None:
        raise UnknownReferenceError("placement", placement_id)
    if current.actual_end is not None:
        raise ConflictError(f"placement {placement_id} already ended on {current.actual_end}")
    if day < current.start:
        raise InvalidInputError("day", f"is before the placement's start ({current.start})")
    ended = repo.end_placement(placement_id, day=day)
    if allows(repo.case(ended.case_id).status, CaseEvent.DISCHARGED):
        repo.move_case(ended.case_id, CaseEvent.DISCHARGED)
    audit.record(
        session,
        actor=by,
        action="placement.discharge",
        record_type="placement",
        record_id=placement_id,
        detail={"day": day},
    )
    return ended
