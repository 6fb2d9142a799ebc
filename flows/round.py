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
from capacity.bridging import is_bridge
from capacity.clock import local_date
from capacity.staleness import StaleFacility, StalenessRule
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
    staleness
        The rule that planned stale capacity (issue 14), if any.
    stale
        Per facility whose report was stale, what was planned for it today.
    bridged
        Waiting cases in a bridge bed now (issue 14): offered no other bridge.
    """

    as_of: datetime
    snapshot: SupplySnapshot
    cases: tuple[Case, ...]
    declined: tuple[tuple[str, str], ...]
    rulebook: Rulebook
    keep_apart: tuple[tuple[str, str], ...] = ()
    current_facility: Mapping[str, str] = field(default_factory=dict)
    staleness: StalenessRule | None = None
    stale: Mapping[str, StaleFacility] = field(default_factory=dict)
    bridged: tuple[str, ...] = ()

    def stale_note(self, facility_id: str) -> str | None:
        """Why a facility's capacity was discounted in this round, or ``None``."""
        found = self.stale.get(facility_id)
        if found is None or self.staleness is None:
            return None
        return found.text(self.staleness.stale_after)

    def build(self) -> BuiltProblem:
        """The round's matching problem, with the domain facts behind it."""
        return build_problem(
            self.snapshot,
            self.cases,
            self.rulebook,
            declined=self.declined,
            keep_apart=self.keep_apart,
            current_facility=self.current_facility,
            bridges=True,
            bridged=self.bridged,
        )


def prepare_round(
    session: Session,
    *,
    as_of: datetime,
    rulebook: Rulebook,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    staleness: StalenessRule | None = None,
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
    staleness
        How facilities with an old capacity report are planned (None: as reported).

    Returns
    -------
    RoundInputs
    """
    repo = Repository(session)
    snapshot = repo.supply_snapshot(as_of=as_of, horizon_days=horizon_days)
    stale: dict[str, StaleFacility] = {}
    if staleness is not None:
        snapshot, stale = staleness.apply(snapshot)
    cases = tuple(sorted(repo.waiting_list(), key=lambda c: c.id))
    declined = tuple(DecisionRepository(session).declined_pairs())
    waiting = {c.id for c in cases}
    active = repo.placements(active_on=local_date(as_of))
    placed_at = {p.case_id: p.facility_id for p in active if p.case_id not in waiting}
    bridge_beds = {f.id for f in snapshot.facilities if is_bridge(f.placement_type)}
    bridged_at = {
        p.case_id: p.facility_id
        for p in active
        if p.case_id in waiting and p.facility_id in bridge_beds
    }
    bridged = tuple(sorted(bridged_at))
    pairs = _round_pairs(KeepApartRepository(session).pairs(), waiting, placed_at)
    involved = {c for pair in pairs for c in pair}
    # a case in a bridge bed waits on, but it is at that facility: its partners stay out
    current = {c: f for c, f in (placed_at | bridged_at).items() if c in involved}
    return RoundInputs(
        as_of, snapshot, cases, declined, rulebook, pairs, current, staleness, stale, bridged
    )


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
