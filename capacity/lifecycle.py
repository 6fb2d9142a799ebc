"""How a case moves between its states: the one place for the case lifecycle (issue 12).

::

    waiting --proposed--> proposed --placed--> placed --discharged--> discharged
       ^                     |
       +--proposal_ended-----+          (declined, expired, or a later run left it out)
       +--proposal_lapsed----+          (no answer by its deadline, issue 14)
    waiting / proposed --withdrawn--> withdrawn

Every change of a case's status goes through :func:`next_status`; a change the lifecycle
does not allow is an :class:`~capacity.errors.InvalidTransitionError` saying why, in a
coordinator's words.
"""

from __future__ import annotations

from enum import StrEnum

from capacity.cases import CaseStatus
from capacity.errors import InvalidTransitionError

WAITING_LIST = frozenset({CaseStatus.WAITING, CaseStatus.PROPOSED})
"""The national waiting list: cases waiting for a placement, with a pending proposal or not."""


class CaseEvent(StrEnum):
    """What happens to a case."""

    PROPOSED = "proposed"  # a matching run proposed a placement
    PROPOSAL_ENDED = "proposal_ended"  # its proposal was declined or expired: it waits on
    PROPOSAL_LAPSED = "proposal_lapsed"  # no answer by the proposal's deadline: it waits on,
    # with its place and priority (issue 14)
    PLACED = "placed"  # a coordinator accepted its proposal
    WITHDRAWN = "withdrawn"  # taken off the waiting list
    DISCHARGED = "discharged"  # its placement ended


_NEXT: dict[tuple[CaseStatus, CaseEvent], CaseStatus] = {
    (CaseStatus.WAITING, CaseEvent.PROPOSED): CaseStatus.PROPOSED,
    (CaseStatus.PROPOSED, CaseEvent.PROPOSED): CaseStatus.PROPOSED,
    (CaseStatus.WAITING, CaseEvent.PROPOSAL_ENDED): CaseStatus.WAITING,
    (CaseStatus.PROPOSED, CaseEvent.PROPOSAL_ENDED): CaseStatus.WAITING,
    (CaseStatus.PROPOSED, CaseEvent.PROPOSAL_LAPSED): CaseStatus.WAITING,
    (CaseStatus.PROPOSED, CaseEvent.PLACED): CaseStatus.PLACED,
    (CaseStatus.WAITING, CaseEvent.WITHDRAWN): CaseStatus.WITHDRAWN,
    (CaseStatus.PROPOSED, CaseEvent.WITHDRAWN): CaseStatus.WITHDRAWN,
    (CaseStatus.PLACED, CaseEvent.DISCHARGED): CaseStatus.DISCHARGED,
}

_REFUSALS: dict[CaseEvent, str] = {
    CaseEvent.PROPOSED: "only a case on the waiting list can get a proposal",
    CaseEvent.PROPOSAL_ENDED: "only a case on the waiting list has a proposal to end",
    CaseEvent.PROPOSAL_LAPSED: "only a proposed case has a proposal that can lapse",
    CaseEvent.PLACED: "not proposed",
    CaseEvent.WITHDRAWN: (
        "only a waiting or proposed case can be withdrawn (a placed case is discharged)"
    ),
    CaseEvent.DISCHARGED: "only a placed case can be discharged",
}


def allows(status: CaseStatus, event: CaseEvent) -> bool:
    """Whether a case in ``status`` can undergo ``event``."""
    return (status, event) in _NEXT


def next_status(case_id: str, status: CaseStatus, event: CaseEvent) -> CaseStatus:
    """The status a case moves to when ``event`` happens to it.

    Parameters
    ----------
    case_id
        The case (for the message).
    status
        Its status now.
    event
        What happens.

    Returns
    -------
    CaseStatus

    Raises
    ------
    InvalidTransitionError
        When the lifecycle does not allow ``event`` in ``status``.
    """
    found = _NEXT.get((status, event))
    if found is None:
        raise InvalidTransitionError(case_id, status.value, _REFUSALS[event])
    return found
