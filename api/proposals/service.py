"""Accepting and declining proposals: the decisions that take and release beds."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import flows
from api.database import Database
from api.placements.schemas import PlacementPublic
from api.placements.service import placement_public
from api.proposals.schemas import (
    AlternativePublic,
    ProposalDecline,
    ProposalPublic,
    ProposalsPublic,
)
from store import DecisionRepository, StoredProposal, audit
from store.service import StoredUser


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
        alternatives=[
            AlternativePublic(
                facility_id=a.facility_id,
                start_date=a.start_date,
                objective_difference=a.objective_difference,
            )
            for a in p.alternatives
        ],
        created_at=p.created_at,
        decided_at=p.decided_at,
        decided_by=p.decided_by,
        decline_reason=p.decline_reason,
        decline_text=p.decline_text,
        placement_id=p.placement_id,
        respond_by=p.respond_by,
    )


def get(db: Database, *, proposal_id: int, user: StoredUser) -> ProposalPublic:
    """One proposal (it names a case: the read is audited)."""
    with db.audited_read() as session:
        proposal = DecisionRepository(session).proposal(proposal_id)
        audit.record(
            session,
            actor=user.name,
            action="proposal.read",
            record_type="case",
            record_id=proposal.case_id,
            detail={"proposal": proposal_id},
        )
    return proposal_public(proposal)


def accept(
    session: Session, *, proposal_id: int, user: StoredUser, now: datetime
) -> PlacementPublic:
    """Take the beds (:func:`flows.accept`, under the facility's lock)."""
    return placement_public(flows.accept(session, proposal_id, by=user.name, now=now))


def decline(
    session: Session, *, proposal_id: int, body: ProposalDecline, user: StoredUser, now: datetime
) -> ProposalPublic:
    """Decline (:func:`flows.decline`): the pair is never proposed again."""
    decided = flows.decline(
        session, proposal_id, reason=body.reason, text=body.text, by=user.name, now=now
    )
    return proposal_public(decided)


def reminders(
    db: Database, *, user: StoredUser, now: datetime, within: timedelta
) -> ProposalsPublic:
    """Pending proposals whose deadline is within ``within`` (or past), soonest first;
    every listed case's read is audited."""
    with db.audited_read() as session:
        due = flows.due_soon(session, now=now, within=within)
        audit.record_reads(
            session,
            actor=user.name,
            action="proposal.reminders",
            case_ids=[p.case_id for p in due],
            detail={"within_hours": within.total_seconds() / 3600},
        )
    return ProposalsPublic(data=[proposal_public(p) for p in due], count=len(due))


def lapse(session: Session, *, user: StoredUser, now: datetime) -> ProposalsPublic:
    """Lapse every pending proposal past its deadline now (:func:`flows.lapse_overdue`)."""
    lapsed = flows.lapse_overdue(session, now=now, by=user.name)
    return ProposalsPublic(data=[proposal_public(p) for p in lapsed], count=len(lapsed))


def lapsed(db: Database, *, user: StoredUser, now: datetime, days: int) -> ProposalsPublic:
    """Proposals that lapsed in the last ``days`` days, latest first (reads audited)."""
    with db.audited_read() as session:
        found = flows.recently_lapsed(session, now=now, days=days)
        audit.record_reads(
            session,
            actor=user.name,
            action="proposal.lapsed_list",
            case_ids=[p.case_id for p in found],
            detail={"days": days},
        )
    return ProposalsPublic(data=[proposal_public(p) for p in found], count=len(found))
