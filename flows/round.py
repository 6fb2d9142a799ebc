"""What a matching round is: the one definition (issue 12).

A round takes the national waiting list (:data:`capacity.WAITING_LIST`: waiting and
proposed cases, in a canonical order), the supply as of now, the (case, facility) pairs
coordinators declined, and the rulebook, and builds the matching problem from them with
:func:`matching.build_problem`. The API's matching runs, the CLI demo and the capacity-gap
statistics all prepare their rounds here, so they agree on what is in a round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from capacity import DEFAULT_HORIZON_DAYS, Case, Rulebook, SupplySnapshot
from matching import BuiltProblem, build_problem
from store import DecisionRepository, Repository


@dataclass(frozen=True, slots=True)
class RoundInputs:
    """Everything a round is built from.

    Parameters
    ----------
    as_of
        The moment of the round (day 0 is its Dutch calendar day).
    snapshot
        Free beds per facility per day, and what is left of each budget.
    cases
        The waiting list, sorted by case id (the same set gives the same problem).
    declined
        (case, facility) pairs a coordinator declined: never proposed again.
    rulebook
        The access criteria applied.
    """

    as_of: datetime
    snapshot: SupplySnapshot
    cases: tuple[Case, ...]
    declined: tuple[tuple[str, str], ...]
    rulebook: Rulebook

    def build(self) -> BuiltProblem:
        """The round's matching problem, with the domain facts behind it."""
        return build_problem(self.snapshot, self.cases, self.rulebook, declined=self.declined)


def prepare_round(
    session: Session,
    *,
    as_of: datetime,
    rulebook: Rulebook,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
) -> RoundInputs:
    """Read a round's inputs (the caller owns the transaction).

    Parameters
    ----------
    session
        A unit of work.
    as_of
        The moment of the round (timezone-aware).
    rulebook
        The access criteria.
    horizon_days
        Days planned, day 0 included.

    Returns
    -------
    RoundInputs
    """
    repo = Repository(session)
    snapshot = repo.supply_snapshot(as_of=as_of, horizon_days=horizon_days)
    cases = tuple(sorted(repo.waiting_list(), key=lambda c: c.id))
    declined = tuple(DecisionRepository(session).declined_pairs())
    return RoundInputs(as_of, snapshot, cases, declined, rulebook)
