"""Accepting and declining proposals: the decisions that take and release beds (issue 12).

Accepting re-checks the beds under the facility's row lock in the caller's transaction
(``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on PostgreSQL): two coordinators accepting
the last bed at once get one placement and one :class:`~flows.errors.ConflictError`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from capacity import CATALOGUE, CaseEvent, Placement, personal_data_in
from capacity.bridging import is_bridge
from capacity.clock import local_date
from capacity.lifecycle import allows
from flows.deadlines import is_overdue
from flows.errors import ConflictError, InvalidInputError
from store import (
    DecisionRepository,
    ProposalStatus,
    Repository,
    StoredProposal,
    audit,
    facility_snapshot,
)


class DeclineReason(StrEnum):
    """Why a coordinator declines a proposal (coded: no free text about the person)."""

    CASE_DECLINED = "case_declined"  # the victim (or their counsel) declined
    FACILITY_DECLINED = "facility_declined"  # the facility refused the case
    UNSAFE = "unsafe"  # unsafe for this case (a perpetrator nearby, a known address)
    OTHER = "other"  # explained in `text`


def _pending_or_conflict(p: StoredProposal) -> None:
    if p.status is not ProposalStatus.PENDING:
        raise ConflictError(
            f"proposal {p.id} is {p.status.value}; only a pending proposal can be decided"
        )


def _check_beds(
    session: Session, *, facility_id: str, beds: int, start: date, stay: int, now: datetime
) -> None:
    """A conflict unless the case's beds are free on every day of its stay in the horizon."""
    snapshot = facility_snapshot(session, facility_id, as_of=now)
    free = snapshot.free(facility_id)
    first = (start - snapshot.day0).days
    for d in range(max(first, 0), min(first + stay, snapshot.horizon_days)):
        if free[d] < beds:
            day = snapshot.day0 + timedelta(days=d)
            raise ConflictError(
                f"facility {facility_id} has {int(free[d])} free beds on {day.isoformat()}; "
                f"needs {beds}"
            )


def accept(session: Session, proposal_id: int, *, by: str, now: datetime) -> Placement:
    """Take the beds: the placement, the proposal accepted, the case placed; audited.

    Raises
    ------
    UnknownReferenceError
        When there is no such proposal.
    ConflictError
        When the proposal is not pending, is past its deadline, or the beds are gone.
    InvalidTransitionError
        When the case is no longer proposed.
    """
    decisions, repo = DecisionRepository(session), Repository(session)
    facility_id = decisions.proposal(proposal_id).facility_id
    decisions.lock_facility(facility_id)  # always facility first, then proposal
    proposal = decisions.proposal(proposal_id, lock=True)
    _pending_or_conflict(proposal)
    if is_overdue(proposal, now):  # its beds are free for others since (issue 14)
        assert proposal.respond_by is not None
        raise ConflictError(
            f"proposal {proposal.id} lapsed at {proposal.respond_by.isoformat()}: it was not "
            "answered by its deadline; the case keeps its place for the next round"
        )
    case = repo.case(proposal.case_id)
    facility = repo.facility(facility_id)
    stay = CATALOGUE[facility.placement_type].typical_stay_days
    start = max(proposal.start_date, local_date(now))
    bridge = is_bridge(facility.placement_type)
    # a bridge bed keeps the case on the waiting list, its waiting time running (issue 14)
    repo.move_case(case.id, CaseEvent.BRIDGED if bridge else CaseEvent.PLACED)
    if not bridge:
        _end_bridge(session, case.id, day=start, by=by)
    _check_beds(session, facility_id=facility_id, beds=case.beds, start=start, stay=stay, now=now)
    placement = repo.add_placement(
        Placement(
            id=f"PL-P{proposal.id}",
            case_id=case.id,
            facility_id=facility_id,
            beds=case.beds,
            start=start,
            expected_end=start + timedelta(days=stay),
            recorded_at=now,
        )
    )
    decisions.decide(
        proposal.id, status=ProposalStatus.ACCEPTED, by=by, at=now, placement_id=placement.id
    )
    audit.record(
        session,
        actor=by,
        action="proposal.accept",
        record_type="proposal",
        record_id=str(proposal.id),
    )
    audit.record(
        session,
        actor=by,
        action="placement.create",
        record_type="placement",
        record_id=placement.id,
        detail={"case": case.id},
    )
    return placement


def _end_bridge(session: Session, case_id: str, *, day: date, by: str) -> None:
    """The case leaves its bridge bed on the day its residential placement starts."""
    repo = Repository(session)
    bridge_beds = {f.id for f in repo.facilities() if is_bridge(f.placement_type)}
    for p in repo.placements(active_on=day):
        if p.case_id == case_id and p.facility_id in bridge_beds:
            repo.end_placement(p.id, day=max(day, p.start))
            audit.record(
                session,
                actor=by,
                action="placement.bridge_end",
                record_type="placement",
                record_id=p.id,
                detail={"case": case_id, "day": day.isoformat()},
            )


def decline(
    session: Session,
    proposal_id: int,
    *,
    reason: DeclineReason,
    text: str | None,
    by: str,
    now: datetime,
) -> StoredProposal:
    """Decline: the pair is never proposed again; the case waits on with its priority.

    Raises
    ------
    InvalidInputError
        When the reason is ``other`` without a text, or the text looks like identity data.
    UnknownReferenceError
        When there is no such proposal.
    ConflictError
        When the proposal is not pending.
    """
    if reason is DeclineReason.OTHER and not text:
        raise InvalidInputError("text", "is required when the reason is 'other'")
    if text and (found := personal_data_in(text)) is not None:  # the reason, never who (issue 16)
        raise InvalidInputError("text", found)
    decisions, repo = DecisionRepository(session), Repository(session)
    proposal = decisions.proposal(proposal_id, lock=True)
    _pending_or_conflict(proposal)
    decided = decisions.decide(
        proposal.id,
        status=ProposalStatus.DECLINED,
        by=by,
        at=now,
        decline_reason=reason.value,
        decline_text=text,
    )
    decisions.add_declined_pair(
        case_id=proposal.case_id,
        facility_id=proposal.facility_id,
        reason=reason.value,
        proposal_id=proposal.id,
        by=by,
    )
    if allows(repo.case(proposal.case_id).status, CaseEvent.PROPOSAL_ENDED):
        repo.move_case(proposal.case_id, CaseEvent.PROPOSAL_ENDED)
    audit.record(
        session,
        actor=by,
        action="proposal.decline",
        record_type="proposal",
        record_id=str(proposal.id),
        detail={"reason": reason.value, "case": proposal.case_id},
    )
    return decided
