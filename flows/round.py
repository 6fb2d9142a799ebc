"""What a matching round is: the one definition (issue 12).

A round takes the national waiting list (:data:`capacity.WAITING_LIST`: waiting and
proposed cases, in a canonical order), the supply as of now, the (case, facility) pairs
coordinators declined, the keep-apart pairs (issue 14), and the rulebook, and builds the
matching problem from them with :func:`matching.build_problem`. The API's matching runs,
the CLI demo and the capacity-gap statistics all prepare their rounds here, so they agree
on what is in a round.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from capacity import DEFAULT_HORIZON_DAYS, Case, KeepApart, Rulebook, SupplySnapshot
from capacity.clock import local_date
from matching import BuiltProblem, build_problem
from store import DecisionRepository, KeepApartRepository, Repository


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
    keep_apart
        (case, case) pairs never placed at one facility (issue 14), each with a case on
        the waiting list and the other waiting or placed now.
    current_facility
        Where each case of ``keep_apart`` that is placed now stays.
    """

    as_of: datetime
    snapshot: SupplySnapshot
    cases: tuple[Case, ...]
    declined: tuple[tuple[str, str], ...]
    rulebook: Rulebook
    keep_apart: tuple[tuple[str, str], ...] = ()
    current_facility: Mapping[str, str] = field(default_factory=dict)

    def build(self) -> BuiltProblem:
        """The round's matching problem, with the domain facts behind it."""
        return build_problem(
            self.snapshot,
            self.cases,
            self.rulebook,
            declined=self.declined,
            keep_apart=self.keep_apart,
            current_facility=self.current_facility,
        )


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
    waiting = {c.id for c in cases}
    placed_at = {
        p.case_id: p.facility_id
        for p in repo.placements(active_on=local_date(as_of))
        if p.case_id not in waiting
    }
    pairs = _round_pairs(KeepApartRepository(session).pairs(), waiting, placed_at)
    involved = {c for pair in pairs for c in pair}
    current = {c: f for c, f in placed_at.items() if c in involved}
    return RoundInputs(as_of, snapshot, cases, declined, rulebook, pairs, current)


def _round_pairs(
    pairs: list[KeepApart], waiting: set[str], placed_at: Mapping[str, str]
) -> tuple[tuple[str, str], ...]:
    """The pairs a round must respect: a waiting case and another waiting or placed now.

    A pair whose other case left (discharged, withdrawn) no longer meets anyone.
    """
    present = waiting | set(placed_at)
    return tuple(
        p.pair
        for p in pairs
        if (p.case_a in waiting or p.case_b in waiting)
        and p.case_a in present
        and p.case_b in present
    )
