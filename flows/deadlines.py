"""Response deadlines of proposals (issue 14): a proposal unanswered by its ``respond_by``
lapses.

A pending proposal held its beds for as long as nobody acted. Each proposal now carries a
deadline (the run's moment plus a setting, 48 hours by default); past it the proposal
lapses (:data:`capacity.CaseEvent.PROPOSAL_LAPSED`): its beds are free for the next
round, and the case waits on with its intake date, so its place and priority are the
same. The lapse is recorded on the proposal (status ``lapsed``, when, by whom) and in the
audit log. Coordinators see the proposals close to their deadline in a reminder list.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from capacity import CaseEvent
from capacity.lifecycle import allows
from store import DecisionRepository, ProposalStatus, Repository, StoredProposal, audit

DEFAULT_RESPOND_WITHIN = timedelta(hours=48)  # from the round's moment to the deadline
DEFAULT_REMIND_WITHIN = timedelta(hours=12)  # a deadline this close puts a proposal on the list


def respond_by(as_of: datetime, within: timedelta = DEFAULT_RESPOND_WITHIN) -> datetime:
    """The deadline of the proposals of a round held at ``as_of``."""
    return as_of + within


def lapse_overdue(session: Session, *, now: datetime, by: str) -> list[StoredProposal]:
    """Lapse every pending proposal past its deadline (the caller owns the transaction).

    Each lapsed proposal is recorded (status ``lapsed``, ``decided_at``, ``decided_by``)
    and audited (``proposal.lapse``); its case goes back to waiting with its priority.

    Returns
    -------
    list of StoredProposal
        The proposals that lapsed now.
    """
    decisions, repo = DecisionRepository(session), Repository(session)
    lapsed = []
    for proposal in decisions.pending_due(now):
        lapsed.append(decisions.decide(proposal.id, status=ProposalStatus.LAPSED, by=by, at=now))
        if allows(repo.case(proposal.case_id).status, CaseEvent.PROPOSAL_LAPSED):
            repo.move_case(proposal.case_id, CaseEvent.PROPOSAL_LAPSED)
        audit.record(
            session,
            actor=by,
            action="proposal.lapse",
            record_type="proposal",
            record_id=str(proposal.id),
            detail={
                "case": proposal.case_id,
                "respond_by": proposal.respond_by.isoformat() if proposal.respond_by else None,
            },
        )
    return lapsed


def due_soon(
    session: Session, *, now: datetime, within: timedelta = DEFAULT_REMIND_WITHIN
) -> list[StoredProposal]:
    """Pending proposals whose deadline falls within ``within`` from now (or has passed
    and awaits the sweep), soonest first: the coordinators' reminder list."""
    return DecisionRepository(session).pending_due(now + within)


def recently_lapsed(session: Session, *, now: datetime, days: int = 7) -> list[StoredProposal]:
    """Proposals that lapsed in the last ``days`` days, latest first."""
    return DecisionRepository(session).lapsed_since(now - timedelta(days=days))


def is_overdue(proposal: StoredProposal, now: datetime) -> bool:
    """Whether a pending proposal is past its deadline (the sweep may not have run yet)."""
    return proposal.respond_by is not None and now > proposal.respond_by
