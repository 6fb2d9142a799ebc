"""From the national picture to a :class:`MatchingProblem`: the rulebook applied to every pair.

``build_problem`` evaluates each waiting case against each facility under the rulebook,
keeps the eligible pairs as options (minus pairs a coordinator declined), and takes
weights, penalties, stays, costs and budgets from the rulebook, the catalogue and the
snapshot. What it learned on the way (priorities, the criteria each option meets, the
reasons behind capacity gaps) travels with the problem for the explanations.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from capacity import (
    CATALOGUE,
    Case,
    Eligibility,
    Facility,
    PlacementType,
    Priority,
    Rulebook,
    SupplySnapshot,
)
from capacity.bridging import BRIDGE_PENALTY_DAYS, BRIDGE_PLANNED_DAYS, is_bridge
from matching.columns import OptionColumns, assemble_problem
from matching.errors import InvalidProblemError
from matching.problem import NO_STREAM, MatchingProblem


@dataclass(frozen=True, eq=False)
class BuiltProblem:
    """A matching problem together with the domain facts behind it.

    Parameters
    ----------
    problem
        The problem handed to :func:`matching.solve`.
    snapshot
        The supply it was built from.
    cases
        The waiting cases, in the problem's case order.
    rulebook
        The rulebook applied.
    today
        The day priorities were computed for (day 0).
    priorities
        Per case id, its priority.
    eligible
        Per option index, the eligibility verdict (what the facility meets).
    gaps
        Per case id without any eligible facility in the country, the verdicts of all
        facilities (the reasons of the capacity gap).
    excluded
        (case, facility) pairs left out because a coordinator declined them.
    """

    problem: MatchingProblem
    snapshot: SupplySnapshot
    cases: tuple[Case, ...]
    rulebook: Rulebook
    today: date
    priorities: Mapping[str, Priority]
    eligible: tuple[Eligibility, ...]
    gaps: Mapping[str, tuple[Eligibility, ...]]
    excluded: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    def day(self, start_day: int) -> date:
        """Calendar date of a start day of the horizon."""
        return self.today + timedelta(days=start_day)

    def facility(self, facility_id: str) -> Facility:
        """The snapshot's facility with this id."""
        return self.snapshot.facility(facility_id)


def build_problem(
    snapshot: SupplySnapshot,
    cases: Sequence[Case],
    rulebook: Rulebook,
    *,
    declined: Iterable[tuple[str, str]] = (),
    keep_apart: Iterable[tuple[str, str]] = (),
    current_facility: Mapping[str, str] | None = None,
    unplaced_penalty_days: float | None = None,
    bridges: bool = False,
    bridged: Collection[str] = (),
) -> BuiltProblem:
    """Apply the rulebook to every case x facility pair and assemble the problem.

    Parameters
    ----------
    snapshot
        Free beds per facility per day, facilities, funding streams and budgets left.
    cases
        The waiting cases.
    rulebook
        The access criteria (eligibility, priority weights, penalties).
    declined
        (case id, facility id) pairs a coordinator declined; never offered again.
    keep_apart
        (case id, case id) pairs never to be placed at the same facility (co-victims, a
        suspected recruiter). A pair whose other case is already placed keeps the
        waiting case away from that facility (``current_facility`` says where).
    current_facility
        Facility of each case that is placed now, for ``keep_apart``.
    unplaced_penalty_days
        Extra waiting days counted for a case left unplaced (default: the horizon).
    bridges
        Offer bridge beds (:data:`capacity.bridging.BRIDGE_TYPES`) only from today, for
        one planned day, counted as :data:`~capacity.bridging.BRIDGE_PENALTY_DAYS` of
        waiting (issue 14: the wait for a residential placement goes on).
    bridged
        Cases in a bridge bed now: never offered another.

    Returns
    -------
    BuiltProblem

    Raises
    ------
    InvalidProblemError
        A case listed twice, or a keep-apart pair naming one case twice or a case that is
        neither waiting nor placed now (in ``current_facility``).
    """
    today = snapshot.day0
    horizon = snapshot.horizon_days
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise InvalidProblemError("cases", "a case is listed twice")
    declined_set = frozenset(declined)
    bridged_set = frozenset(bridged)
    placed_at = dict(current_facility or {})
    pairs = tuple(keep_apart)  # read twice below: a generator would be empty the second time
    kept_apart = _keep_apart_indices(pairs, ids, placed_at)
    banned = _banned_facilities(pairs, set(ids), placed_at)
    streams = {s.id: s for s in snapshot.funding_streams}
    stream_ids = tuple(sorted(streams))
    stream_at = {s: i for i, s in enumerate(stream_ids)}
    priorities = {c.id: rulebook.priority(c, today) for c in cases}

    rows: list[tuple[int, int, float, int, float, int]] = []
    verdicts: list[Eligibility] = []
    gaps: dict[str, tuple[Eligibility, ...]] = {}
    for ci, case in enumerate(cases):
        # the case's categories, once: every pair below needs them (issue 11)
        cats = rulebook.categories(case)
        verdicts_by_type = rulebook.eligible_types(case, genders=False, categories=cats)
        open_types = {t for t, v in verdicts_by_type.items() if v.eligible}
        found = 0
        for fi, fac in enumerate(snapshot.facilities):
            if fac.placement_type not in open_types:
                continue
            stream_of = streams.get(fac.funding_stream_id)
            verdict = rulebook.evaluate(case, fac, stream_of, categories=cats)
            if not verdict.eligible:
                continue
            found += 1
            if (case.id, fac.id) in declined_set or fac.id in banned.get(case.id, ()):
                continue
            bridge = bridges and is_bridge(fac.placement_type)
            if bridge and case.id in bridged_set:
                continue
            stay = BRIDGE_PLANNED_DAYS if bridge else _stay_days(fac.placement_type)
            penalty = verdict.soft_penalty_days + rulebook.penalty_days(case, fac)
            penalty += BRIDGE_PENALTY_DAYS if bridge else 0.0
            cost = fac.cost_per_bed_day * case.beds * stay
            stream = stream_at.get(fac.funding_stream_id, NO_STREAM)
            rows.append((ci, fi, penalty, stay, cost, stream))
            verdicts.append(verdict)
        if found == 0:
            gaps[case.id] = tuple(
                rulebook.evaluate(case, fac, streams.get(fac.funding_stream_id), categories=cats)
                for fac in snapshot.facilities
            )
    if bridges:
        snapshot = _bridges_today_only(snapshot)
    problem = _assemble(
        snapshot,
        cases,
        priorities,
        rows,
        stream_ids,
        horizon,
        unplaced_penalty_days,
        kept_apart,
    )
    return BuiltProblem(
        problem=problem,
        snapshot=snapshot,
        cases=tuple(cases),
        rulebook=rulebook,
        today=today,
        priorities=priorities,
        eligible=tuple(verdicts),
        gaps=gaps,
        excluded=declined_set,
    )


def _bridges_today_only(snapshot: SupplySnapshot) -> SupplySnapshot:
    """The snapshot with no free bridge beds after today: a bridge starts today or not."""
    free = np.array(snapshot.free_beds, copy=True)
    for row, fac in enumerate(snapshot.facilities):
        if is_bridge(fac.placement_type):
            free[row, 1:] = 0
    free.setflags(write=False)
    return replace(snapshot, free_beds=free)


def _stay_days(placement_type: PlacementType) -> int:
    return CATALOGUE[placement_type].typical_stay_days


def _banned_facilities(
    pairs: Iterable[tuple[str, str]], waiting: set[str], placed_at: Mapping[str, str]
) -> dict[str, set[str]]:
    banned: dict[str, set[str]] = {}
    for a, b in pairs:
        for me, other in ((a, b), (b, a)):
            if me in waiting and other in placed_at:
                banned.setdefault(me, set()).add(placed_at[other])
    return banned


def _keep_apart_indices(
    pairs: Sequence[tuple[str, str]], ids: list[str], placed_at: Mapping[str, str]
) -> np.ndarray:
    """Case-index pairs of the pairs of waiting cases; every pair is checked.

    A case of a pair must be waiting or placed now (in ``placed_at``): a misspelt id would
    otherwise drop a safety constraint without a word. A pair given twice (in either
    order) is kept once. Pairs with a placed case become
    banned facilities (:func:`_banned_facilities`), not rows here.
    """
    at = {c: i for i, c in enumerate(ids)}
    out: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()  # a pair recorded twice, in either order, counts once
    for i, (a, b) in enumerate(pairs):
        entry = f"keep_apart[{i}] ({a}, {b})"
        if a == b:
            raise InvalidProblemError(entry, "a case cannot be kept apart from itself")
        for case_id in (a, b):
            if case_id not in at and case_id not in placed_at:
                raise InvalidProblemError(
                    entry, f"unknown case {case_id!r}: neither waiting nor placed now"
                )
        if a in at and b in at and (key := (min(at[a], at[b]), max(at[a], at[b]))) not in seen:
            seen.add(key)
            out.append((at[a], at[b]))
    return np.array(out, dtype=np.int32).reshape(-1, 2)


def _assemble(
    snapshot: SupplySnapshot,
    cases: Sequence[Case],
    priorities: Mapping[str, Priority],
    rows: list[tuple[int, int, float, int, float, int]],
    stream_ids: tuple[str, ...],
    horizon: int,
    unplaced_penalty_days: float | None,
    keep_apart: np.ndarray,
) -> MatchingProblem:
    budgets = np.array(
        [snapshot.budget_remaining.get(s, np.inf) for s in stream_ids], dtype=np.float64
    )
    cols = np.array(rows, dtype=np.float64).reshape(-1, 6)
    return assemble_problem(
        horizon_days=horizon,
        unplaced_penalty_days=float(
            horizon if unplaced_penalty_days is None else unplaced_penalty_days
        ),
        facility_ids=tuple(f.id for f in snapshot.facilities),
        free_beds=snapshot.free_beds,
        case_ids=tuple(c.id for c in cases),
        case_beds=np.array([c.beds for c in cases], dtype=np.int32),
        case_weight=[priorities[c.id].weight for c in cases],
        options=OptionColumns(
            case=cols[:, 0].astype(np.int32),
            facility=cols[:, 1].astype(np.int32),
            penalty=cols[:, 2],
            stay=cols[:, 3].astype(np.int32),
            cost=cols[:, 4],
            stream=cols[:, 5].astype(np.int32),
        ),
        stream_ids=stream_ids,
        budget=budgets,
        keep_apart=keep_apart,
    )
