"""Plans from the Lagrangian prices on beds and budgets (issue 11).

The prices of :mod:`matching.capacity_bound` say what a bed on a day and a euro of a
budget are worth to the round. A list schedule turns them into a plan:

1. every usable (option, start day) of the round gets its reduced cost, its saving plus
   ``beds x (prices over the days of the stay) + cost x mu``;
2. cases go in order of their best reduced cost (the most they save at these prices
   first), each at its cheapest still-feasible pair by reduced cost, among the pairs that
   save waiting at all; feasibility on the true free beds, budgets and keep-apart pairs
   (the greedy's state, :class:`matching.greedy.PlacingState`);
3. a left-shift pass: each placed case, earliest start first, is taken out and put back at
   its cheapest fitting pair by its true saving (never worse), and the cases left
   unplaced are tried again, as the hindsight plan's left shift did
   (``scenarios/policies/leftshift.py``).

Every step keeps the plan feasible; the caller keeps the best plan of several price
vectors and of the greedy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.capacity_bound import CapacityBound, Relaxation
from matching.evaluation import plan_objective
from matching.greedy import CHECK_EVERY, PlacingState
from matching.mip import Plan

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class _Pairs:
    """The relaxation's pairs of each case that save waiting, with their true saving."""

    def __init__(self, relax: Relaxation) -> None:
        p = relax.problem
        self.relax = relax
        # narrow types: 17.7 million pairs at L with short stays (issue 11)
        saves = np.flatnonzero(relax.static < 0).astype(np.int32)
        self.index = saves
        self.option = relax.option[saves]
        self.day = relax.start[saves] % np.int32(relax.h + 1)
        self.saving = relax.static[saves]
        case = p.opt_case[self.option]
        self.bounds = np.searchsorted(case, np.arange(p.n_cases + 1))  # pairs grouped by case

    def of_case(self, c: int) -> slice:
        return slice(int(self.bounds[c]), int(self.bounds[c + 1]))


def priced_plan(
    relax: Relaxation,
    lam: FloatArray,
    mu: FloatArray,
    *,
    deadline: float,
    pairs: _Pairs | None = None,
    per_bed_day: bool = False,
) -> Plan:
    """A feasible plan: the list schedule at prices ``lam`` (beds) and ``mu`` (budget rows).

    ``mu`` is per budget row of the relaxation (``relax.streams``). Cases go in order of
    their best reduced cost, or with ``per_bed_day`` of it per bed-day of that pair's stay
    (neither order won on both ``short-stays`` S and M). Cases not reached by the deadline
    stay unplaced.
    """
    pairs = _Pairs(relax) if pairs is None else pairs
    p = relax.problem
    reduced = relax.priced(lam, mu)[pairs.index]
    best = np.full(p.n_cases, np.inf)
    has = np.diff(pairs.bounds) > 0
    starts = pairs.bounds[:-1][has]
    best[has] = np.minimum.reduceat(reduced, starts) if starts.size else best[has]
    if per_bed_day:  # the most saved per bed-day of the best pair first
        sizes = np.diff(pairs.bounds)[has]
        hits = np.flatnonzero(reduced == np.repeat(best[has], sizes))
        first = hits[np.searchsorted(hits, starts)]
        bed_days = p.case_beds[has] * np.maximum(p.stay_to[pairs.option[first]], 1)
        best[has] = best[has] / bed_days
    order = np.lexsort((np.arange(p.n_cases), best))
    state = PlacingState(p)
    for n, c in enumerate(order[has[order]].tolist()):
        if n % CHECK_EVERY == 0 and time.perf_counter() > deadline:
            break
        own = pairs.of_case(c)
        rank = np.argsort(reduced[own], kind="stable")
        opt, day = pairs.option[own][rank].astype(np.int64), pairs.day[own][rank].astype(np.int64)
        i = state.first_fit(c, opt, day)
        if i >= 0:
            state.take(c, int(opt[i]), int(day[i]))
    return left_shift(relax, state.plan, deadline=deadline, pairs=pairs)


def left_shift(
    relax: Relaxation, plan: Sequence[tuple[int, int]], *, deadline: float, pairs: _Pairs
) -> Plan:
    """The left shift: each case moved to its cheapest fitting pair by its true saving.

    The placed cases go first, earliest start first, then the cases left unplaced. Never
    worse than ``plan``.
    """
    p = relax.problem
    state = PlacingState(p)
    at: dict[int, tuple[int, int]] = {}
    for k, d in plan:
        c = int(p.opt_case[k])
        state.take(c, int(k), int(d))
        at[c] = (int(k), int(d))
    placed = sorted(at, key=lambda c: (at[c][1], c))
    unplaced = [
        c for c in range(p.n_cases) if c not in at and pairs.bounds[c + 1] > pairs.bounds[c]
    ]
    for n, c in enumerate(placed + unplaced):
        if n % CHECK_EVERY == 0 and time.perf_counter() > deadline:
            break
        if c in at:
            _release(state, c, *at[c])
        own = pairs.of_case(c)
        rank = np.argsort(pairs.saving[own], kind="stable")
        opt, day = pairs.option[own][rank].astype(np.int64), pairs.day[own][rank].astype(np.int64)
        i = state.first_fit(c, opt, day)
        if i >= 0:  # the case's own pair fits again: a moved case is never worse off
            at[c] = (int(opt[i]), int(day[i]))
        if c in at:
            state.take(c, *at[c])
    return list(at.values())


def _release(state: PlacingState, c: int, k: int, d: int) -> None:
    """Give back what case ``c`` at (option ``k``, day ``d``) took."""
    p = state.problem
    f = int(p.opt_facility[k])
    end = min(d + int(state.stay[k]), p.horizon_days)
    state.free.take(f, d, end, -int(p.case_beds[c]))
    state.spent[state.stream_of[k]] -= p.opt_cost[k]
    state.facility_of[c] = -1


def plans_from_prices(found: CapacityBound, incumbent: Plan, *, deadline: float) -> Plan:
    """The best of ``incumbent``, its left shift and the list schedules at ``found``'s prices.

    The best prices first, then the earlier ones of its trail (latest first), while time is
    left; never worse than ``incumbent``.
    """
    relax = found.relaxation
    if relax is None or time.perf_counter() >= deadline:
        return incumbent
    p = relax.problem
    pairs = _Pairs(relax)
    best, value = incumbent, plan_objective(p, incumbent)
    candidates = [left_shift(relax, incumbent, deadline=deadline, pairs=pairs)]
    for n, (lam, mu) in enumerate(_price_order(found.trail)):
        if time.perf_counter() >= deadline:
            break
        candidates.append(
            priced_plan(relax, lam, mu, deadline=deadline, pairs=pairs, per_bed_day=n % 2 == 1)
        )
    for plan in candidates:
        objective = plan_objective(p, plan)
        if objective < value:
            best, value = plan, objective
    return best


def _price_order(
    trail: Sequence[tuple[FloatArray, FloatArray]],
) -> list[tuple[FloatArray, FloatArray]]:
    """The best prices twice (one for each order of cases), then the earlier ones."""
    latest = list(reversed(trail))
    return latest[:1] + latest
