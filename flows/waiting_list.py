"""The national waiting list: who waits, in which order, and when each is expected to start.

The order is the rulebook's priority: weight (complexity x urgency x ageing) highest first,
then the longest wait, then the case id. The expected start is the pending proposal's
start date or, without one, what the latest matching run planned (:class:`ExpectedStartBasis`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from capacity import WAITING_LIST, Case, CaseStatus, Priority, Rulebook
from flows.waiting_reason import WaitingReason, WaitKind, reason_of
from store import DecisionRepository, ProposalStatus, Repository, StoredProposal


class ExpectedStartBasis(StrEnum):
    """What a waiting case's expected start date rests on, or why there is none."""

    PROPOSAL = "proposal"  # the start date of its pending proposal
    MATCHING_RUN = "matching_run"  # the latest run's plan (no proposal made of it)
    BEYOND_HORIZON = "beyond_horizon"  # the latest run found no start within its horizon
    BUDGET = "budget"  # the latest run found no start a funding stream's budget pays for
    CAPACITY_GAP = "capacity_gap"  # no facility in the country is eligible
    AWAITING_RUN = "awaiting_run"  # not in the latest run's plan any more, or not yet
    NO_RUN = "no_run"  # no matching run has been made


@dataclass(frozen=True, slots=True)
class ExpectedStart:
    """When a case on the waiting list is expected to start, and what that rests on."""

    day: date | None
    basis: ExpectedStartBasis


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """A case on a list, with its priority, pending proposal, expected start and why it
    waits (``reason``: on the waiting list without a pending proposal, else ``None``)."""

    case: Case
    priority: Priority
    pending: StoredProposal | None
    expected: ExpectedStart | None  # None: not on the waiting list
    reason: WaitingReason | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """A page of lines and how many lines there are in all."""

    lines: list[WaitingLine]
    total: int


def pending_proposals(session: Session, case_ids: Sequence[str]) -> dict[str, StoredProposal]:
    """Per case, its pending proposal (at most one: a run expires the earlier ones)."""
    found = DecisionRepository(session).proposals(case_ids=case_ids, status=ProposalStatus.PENDING)
    return {p.case_id: p for p in found}


def expected_starts(
    session: Session, cases: Sequence[Case], pending: Mapping[str, StoredProposal]
) -> dict[str, ExpectedStart]:
    """Each waiting or proposed case's expected start and what it rests on.

    The pending proposal's start date; without one, what the latest matching run planned
    for the case: a start date (a plan no proposal was made of), no start within its
    horizon or that a budget pays for, or no eligible facility at all. A case the latest
    run did not plan (registered since), or whose proposal from that run is gone
    (declined), waits for the next run.
    """
    return {k: v[0] for k, v in waiting_states(session, cases, pending).items()}


_BASIS = {
    WaitKind.CAPACITY_GAP: ExpectedStartBasis.CAPACITY_GAP,
    WaitKind.BUDGET: ExpectedStartBasis.BUDGET,
    WaitKind.AWAITING_RUN: ExpectedStartBasis.AWAITING_RUN,
    WaitKind.NO_RUN: ExpectedStartBasis.NO_RUN,
}


def waiting_states(
    session: Session, cases: Sequence[Case], pending: Mapping[str, StoredProposal]
) -> dict[str, tuple[ExpectedStart, WaitingReason | None]]:
    """Each waiting or proposed case's expected start and, without a pending proposal,
    why it waits (:mod:`flows.waiting_reason`), both from the latest matching run."""
    out: dict[str, tuple[ExpectedStart, WaitingReason | None]] = {}
    unproposed = []
    for case in cases:
        if case.status not in WAITING_LIST:
            continue
        if (p := pending.get(case.id)) is not None:
            out[case.id] = (ExpectedStart(p.start_date, ExpectedStartBasis.PROPOSAL), None)
        else:
            unproposed.append(case.id)
    if not unproposed:
        return out
    decisions = DecisionRepository(session)
    runs, _ = decisions.runs(limit=1)
    if not runs:
        none = (ExpectedStart(None, ExpectedStartBasis.NO_RUN), WaitingReason(WaitKind.NO_RUN))
        return out | dict.fromkeys(unproposed, none)
    latest = runs[0]
    proposed = {p.case_id for p in decisions.proposals(run_id=latest.id, case_ids=unproposed)}
    waits = {w.case_id: w for w in latest.record.waits}
    facilities = {f.id: f for f in Repository(session).facilities()}
    for case_id in unproposed:
        wait = waits.get(case_id)
        if case_id in proposed or wait is None:
            reason = WaitingReason(WaitKind.AWAITING_RUN, run_id=latest.id)
        else:
            reason = reason_of(wait, run_id=latest.id, facilities=facilities)
        if wait is not None and reason.kind is not WaitKind.AWAITING_RUN and wait.start_date:
            expected = ExpectedStart(wait.start_date, ExpectedStartBasis.MATCHING_RUN)
        else:
            basis = _BASIS.get(reason.kind, ExpectedStartBasis.BEYOND_HORIZON)
            expected = ExpectedStart(None, basis)
        out[case_id] = (expected, reason)
    return out


def line(session: Session, case: Case, *, rulebook: Rulebook, today: date) -> WaitingLine:
    """One case with its priority, pending proposal and expected start."""
    pending = pending_proposals(session, [case.id])
    expected, reason = waiting_states(session, [case], pending).get(case.id, (None, None))
    return WaitingLine(case, rulebook.priority(case, today), pending.get(case.id), expected, reason)


def cases_by_priority(
    session: Session,
    *,
    rulebook: Rulebook,
    today: date,
    statuses: Collection[CaseStatus] | None = None,
    region: str | None = None,
    complexity: str | None = None,
    limit: int,
    offset: int = 0,
) -> Page:
    """Cases by priority (highest first), filtered, one page of them.

    Parameters
    ----------
    session
        A unit of work.
    rulebook, today
        What the priority is computed with.
    statuses
        Only cases of these statuses (``None``: every case);
        :data:`capacity.WAITING_LIST` is the national waiting list.
    region, complexity
        Only cases signalled in this region, of this complexity class.
    limit, offset
        The page.
    """
    repo = Repository(session)
    found = repo.cases() if statuses is None else [c for s in statuses for c in repo.cases(s)]
    cases = [c for c in found if region is None or c.region_signalled == region]
    prio = {c.id: rulebook.priority(c, today) for c in cases}
    if complexity is not None:
        cases = [c for c in cases if prio[c.id].complexity_class == complexity]
    cases.sort(key=lambda c: (-prio[c.id].weight, c.intake_date, c.id))
    page = cases[offset : offset + limit]
    pending = pending_proposals(session, [c.id for c in page])
    states = waiting_states(session, page, pending)
    lines = [
        WaitingLine(c, prio[c.id], pending.get(c.id), *states.get(c.id, (None, None))) for c in page
    ]
    return Page(lines, len(cases))
