"""Accepting and declining proposals: the decisions that take and release beds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from api.audit.log import record
from api.database import Database
from api.errors import ConflictError, FieldError
from api.idempotency import Idempotency, remember, replay
from api.placements.schemas import PlacementPublic
from api.placements.service import placement_public
from api.proposals.schemas import AlternativePublic, DeclineReason, ProposalDecline, ProposalPublic
from capacity import CATALOGUE, CaseStatus, Placement
from capacity.clock import local_date
from capacity.persistence import (
    DecisionRepository,
    ProposalStatus,
    Repository,
    StoredAnswer,
    StoredProposal,
    StoredUser,
    facility_snapshot,
)


def proposal_public(p: StoredProposal) -> ProposalPublic:
    return ProposalPublic(
        id=p.id,
        run_id=p.run_id,
        case_id=p.case_id,
        facility_id=p.facility_id,
        beds=p.beds,
        start_date=p.start_date,
        status=p.status,
        explanation=p.explanation,
        criteria=list(p.criteria),
        alternatives=[AlternativePublic.model_validate(a) for a in p.alternatives],
        created_at=p.created_at,
        decided_at=p.decided_at,
        decided_by=p.decided_by,
        decline_reason=p.decline_reason,
        decline_text=p.decline_text,
        placement_id=p.placement_id,
    )


def get(db: Database, *, proposal_id: int, user: StoredUser) -> ProposalPublic:
    """One proposal (it names a case: the read is audited)."""
    with db.audited_read() as session:
        proposal = DecisionRepository(session).proposal(proposal_id)
        record(session, user, "proposal.read", "case", proposal.case_id, {"proposal": proposal_id})
    return proposal_public(proposal)


def _pending_or_409(p: StoredProposal) -> None:
    if p.status is not ProposalStatus.PENDING:
        raise ConflictError(
            f"proposal {p.id} is {p.status.value}; only a pending proposal can be decided"
        )


def _check_beds(
    session: Session, *, facility_id: str, beds: int, start: date, stay: int, now: datetime
) -> None:
    """409 unless the case's beds are free on every day of its stay within the horizon."""
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


def accept(
    db: Database, *, proposal_id: int, user: StoredUser, now: datetime, idem: Idempotency | None
) -> PlacementPublic | StoredAnswer:
    """Take the beds in one transaction that re-checks them under the facility's lock."""
    today = local_date(now)
    with db.unit(immediate=True) as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        decisions, repo = DecisionRepository(session), Repository(session)
        facility_id = decisions.proposal(proposal_id).facility_id
        decisions.lock_facility(facility_id)  # always facility first, then proposal
        proposal = decisions.proposal(proposal_id, lock=True)
        _pending_or_409(proposal)
        case = repo.case(proposal.case_id)
        if case.status is not CaseStatus.PROPOSED:
            raise ConflictError(f"case {case.id} is {case.status.value}, not proposed")
        facility = repo.facility(facility_id)
        stay = CATALOGUE[facility.placement_type].typical_stay_days
        start = max(proposal.start_date, today)
        _check_beds(
            session, facility_id=facility_id, beds=case.beds, start=start, stay=stay, now=now
        )
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
            proposal.id,
            status=ProposalStatus.ACCEPTED,
            by=user.name,
            at=now,
            placement_id=placement.id,
        )
        repo.set_case_status(case.id, status=CaseStatus.PLACED)
        record(session, user, "proposal.accept", "proposal", str(proposal.id))
        record(session, user, "placement.create", "placement", placement.id, {"case": case.id})
        result = placement_public(placement)
        remember(session, idem, 201, result)
        return result


def decline(
    db: Database,
    *,
    proposal_id: int,
    body: ProposalDecline,
    user: StoredUser,
    now: datetime,
    idem: Idempotency | None,
) -> ProposalPublic | StoredAnswer:
    """Decline: the pair is never proposed again; the case waits on with its priority."""
    if body.reason is DeclineReason.OTHER and not body.text:
        raise FieldError(["body", "text"], "is required when the reason is 'other'")
    with db.unit(immediate=True) as session:
        if (answer := replay(session, idem)) is not None:
            return answer
        decisions, repo = DecisionRepository(session), Repository(session)
        proposal = decisions.proposal(proposal_id, lock=True)
        _pending_or_409(proposal)
        decided = decisions.decide(
            proposal.id,
            status=ProposalStatus.DECLINED,
            by=user.name,
            at=now,
            decline_reason=body.reason.value,
            decline_text=body.text,
        )
        decisions.add_declined_pair(
            case_id=proposal.case_id,
            facility_id=proposal.facility_id,
            reason=body.reason.value,
            proposal_id=proposal.id,
            by=user.name,
        )
        if repo.case(proposal.case_id).status is CaseStatus.PROPOSED:
            repo.set_case_status(proposal.case_id, status=CaseStatus.WAITING)
        detail = {"reason": body.reason.value, "case": proposal.case_id}
        record(session, user, "proposal.decline", "proposal", str(proposal.id), detail)
        result = proposal_public(decided)
        remember(session, idem, 200, result)
        return result
