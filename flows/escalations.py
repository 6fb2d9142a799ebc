"""Escalation: cases waiting longer than their class's target time (issue 14).

The rulebook gives each complexity class a ``target_days``; a case on the waiting list
that has waited longer is escalated: listed for its responsible organisation and for the
national desk, longest over its target first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from capacity import WAITING_LIST, Rulebook
from flows.waiting_list import WaitingLine, pending_proposals, waiting_states
from store import find_cases


@dataclass(frozen=True, slots=True)
class Escalation:
    """A case over its class's target time."""

    line: WaitingLine
    target_days: int

    @property
    def days_over(self) -> int:
        return self.line.priority.days_waited - self.target_days


def escalations(
    session: Session, *, rulebook: Rulebook, today: date, organisation: str | None = None
) -> list[Escalation]:
    """Cases on the waiting list waiting longer than their class's target, most over first.

    Parameters
    ----------
    session
        A unit of work.
    rulebook, today
        The classes, their targets and the days waited.
    organisation
        Only the cases this organisation is responsible for (``None``: the national desk).
    """
    targets = {c.name: c.target_days for c in rulebook.rules.priority.complexity.classes}
    cases, _ = find_cases(session, statuses=WAITING_LIST)
    over = []
    for case in cases:
        if organisation is not None and case.responsible_organisation != organisation:
            continue
        prio = rulebook.priority(case, today)
        target = targets.get(prio.complexity_class)
        if target is not None and prio.days_waited > target:
            over.append((case, prio, target))
    pending = pending_proposals(session, [c.id for c, _, _ in over])
    states = waiting_states(session, [c for c, _, _ in over], pending)
    found = [
        Escalation(WaitingLine(c, p, pending.get(c.id), *states.get(c.id, (None, None))), target)
        for c, p, target in over
    ]
    return sorted(found, key=lambda e: (-e.days_over, e.line.case.id))
