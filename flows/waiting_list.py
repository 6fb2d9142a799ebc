"""The national waiting list: who waits, in which order, and when each is expected to start.

The order is the rulebook's priority: weight (complexity x urgency x ageing) highest first,
then the longest wait, then the case id. The expected start is the pending proposal's
start date or, without one, what the latest matching run planned (:class:`ExpectedStartBasis`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from capacity import WAITING_LIST, Case, CaseStatus, Priority, Rulebook
from flows.waiting_reason import WaitingReason, WaitKind, facility_ids, reason_of
from store import (
    CaseOrder,
    DecisionRepository,
    ProposalStatus,
    Repository,
    StoredProposal,
    WaitRecord,
    find_cases,
)


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
    """When a case on the waiting list is expected to start, and what that rests on (why it
    waits is the line's :class:`~flows.waiting_reason.WaitingReason`)."""

    day: date | None
    basis: ExpectedStartBasis


@dataclass(frozen=True, slots=True)
class WaitingLine:
    """A case on a list, with its priority, pending proposal, expected start and why it
    waits (``reason``: see :func:`waiting_states`; ``None`` off the list)."""

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
    """Each waiting or proposed case's expected start and why it waits
    (:mod:`flows.waiting_reason`).

    Without a pending proposal: the latest matching run's reason (or awaiting the next
    run). With one that starts later than its round's day: why not earlier, from the
    proposal's run; with one from the round's day: no reason (``None``).
    """
    out: dict[str, tuple[ExpectedStart, WaitingReason | None]] = {}
    unproposed = []
    proposed_late: dict[int, list[str]] = {}  # run id -> its cases with a pending proposal
    for case in cases:
        if case.status not in WAITING_LIST:
            continue
        if (p := pending.get(case.id)) is not None:
            out[case.id] = (ExpectedStart(p.start_date, ExpectedStartBasis.PROPOSAL), None)
            proposed_late.setdefault(p.run_id, []).append(case.id)
        else:
            unproposed.append(case.id)
    if not unproposed and not proposed_late:
        return out
    decisions = DecisionRepository(session)
    runs, _ = decisions.runs(limit=1)
    latest = runs[0] if runs else None
    late_waits: dict[str, tuple[int, WaitRecord]] = {}
    for run_id, case_ids in proposed_late.items():
        run = latest if latest is not None and latest.id == run_id else decisions.run(run_id)
        waits = {w.case_id: w for w in run.record.waits}
        late_waits |= {c: (run_id, waits[c]) for c in case_ids if c in waits}
    own = {w.case_id: w for w in latest.record.waits} if latest is not None else {}
    named = facility_ids(
        [w for _, w in late_waits.values()] + [own[c] for c in unproposed if c in own]
    )
    facilities = {f.id: f for f in Repository(session).facilities(named)} if named else {}
    for case_id, (run_id, late_wait) in late_waits.items():
        late = reason_of(late_wait, run_id=run_id, facilities=facilities)
        out[case_id] = (out[case_id][0], late)
    if not unproposed:
        return out
    if latest is None:
        none = (ExpectedStart(None, ExpectedStartBasis.NO_RUN), WaitingReason(WaitKind.NO_RUN))
        return out | dict.fromkeys(unproposed, none)
    proposed = {p.case_id for p in decisions.proposals(run_id=latest.id, case_ids=unproposed)}
    for case_id in unproposed:
        wait = own.get(case_id)
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


class WaitingOrder(StrEnum):
    """Orders of a list of cases (issue 14)."""

    PRIORITY = "priority"  # the rulebook's: weight highest first, then longest wait, then id
    LONGEST_WAIT = "longest_wait"  # intake date, oldest first
    CASE_ID = "case_id"


def cases_by_priority(
    session: Session,
    *,
    rulebook: Rulebook,
    today: date,
    statuses: Collection[CaseStatus] | None = None,
    region: str | None = None,
    complexity: str | None = None,
    id_contains: str | None = None,
    order: WaitingOrder = WaitingOrder.PRIORITY,
    limit: int,
    offset: int = 0,
) -> Page:
    """Cases in ``order`` (by default priority, highest first), filtered, one page of them.

    Orders SQL can give (longest wait, case id) are filtered, ordered and paged in the
    database when no complexity class is asked for. The priority (and the complexity class)
    is the rulebook's, computed per case in Python: then every case that matches the other
    filters is read (the national waiting list is a few hundred cases), ordered, and one
    page of it is kept; only that page is looked up further (proposals, reasons).

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
    id_contains
        Only cases whose id contains this text (a search by case id).
    order
        The order.
    limit, offset
        The page.
    """
    find = partial(find_cases, session, statuses=statuses, region=region, id_contains=id_contains)
    if order is not WaitingOrder.PRIORITY and complexity is None:
        page, total = find(order=CaseOrder(order.value), limit=limit, offset=offset)
        prio = {c.id: rulebook.priority(c, today) for c in page}
    else:
        cases, _ = find()
        prio = {c.id: rulebook.priority(c, today) for c in cases}
        if complexity is not None:
            cases = [c for c in cases if prio[c.id].complexity_class == complexity]
        cases.sort(key=_sort_key(order, prio))
        page, total = cases[offset : offset + limit], len(cases)
    pending = pending_proposals(session, [c.id for c in page])
    states = waiting_states(session, page, pending)
    lines = [
        WaitingLine(c, prio[c.id], pending.get(c.id), *states.get(c.id, (None, None))) for c in page
    ]
    return Page(lines, total)


def _sort_key(order: WaitingOrder, prio: Mapping[str, Priority]) -> Callable[[Case], Any]:
    if order is WaitingOrder.PRIORITY:
        return lambda c: (-prio[c.id].weight, c.intake_date, c.id)
    if order is WaitingOrder.LONGEST_WAIT:
        return lambda c: (c.intake_date, c.id)
    return lambda c: c.id
