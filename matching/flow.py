"""Min-cost flow: exact when every case needs one bed and only capacity binds.

When every stay lasts to the end of the horizon, a placement on day d holds its bed on
every later day, so what a facility offers from day d on is the fewest beds free on any
day from d to the end; those counts never fall, and the free beds are a set of bed
units, each released on a day. A plan is then a matching of cases to units (a case
placed on day d takes a unit released by d), and the cheapest matching places each case
on the release day of its unit. That is a transportation problem, solved exactly by
OR-Tools' min-cost flow at any size. With families it is the LP relaxation
(:func:`unit_flow_bound`).
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matching.formulation import binding_streams
from matching.outcome import Outcome
from matching.problem import MatchingProblem

COST_SCALE = 1_000_000  # integer cost units per weighted waiting day
IntArray = npt.NDArray[np.int64]


def flow_is_exact(problem: MatchingProblem) -> bool:
    """Whether min-cost flow solves this problem exactly (see the module docstring)."""
    return bool(
        unit_flow_applies(problem)  # options, every stay to the end
        and (problem.case_beds == 1).all()
        and binding_streams(problem).size == 0
        and problem.keep_apart.shape[0] == 0
    )


def solve_flow(problem: MatchingProblem) -> Outcome:
    """Solve by min-cost flow; only call when :func:`flow_is_exact` holds.

    The bound is the flow's optimum minus the largest error the integer scaling of costs
    can make (half a unit per case), so it is a proven lower bound.
    """
    t0 = time.perf_counter()
    net = _Network(problem)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    status = net.smcf.solve()
    solve = time.perf_counter() - t1
    if status != net.smcf.OPTIMAL:
        return Outcome(
            plan=[],
            bound=-np.inf,
            optimal=False,
            method="flow",
            build_seconds=build,
            solve_seconds=solve,
            notes=(f"min-cost flow status {status}",),
        )
    flows = net.smcf.flows(np.arange(net.first_option_arc, net.first_option_arc + net.n_arcs))
    chosen = np.flatnonzero(flows > 0)
    plan = [(int(net.arc_opt[a]), int(net.arc_day[a])) for a in chosen]
    return Outcome(
        plan=plan,
        bound=net.bound(),
        optimal=True,
        method="flow",
        build_seconds=build,
        solve_seconds=solve,
    )


def unit_flow_applies(problem: MatchingProblem) -> bool:
    """Whether :func:`unit_flow_bound` may be used: every stay lasts to the horizon's end."""
    return bool(problem.n_options > 0 and (problem.stay_to >= problem.horizon_days).all())


def unit_flow_arcs(problem: MatchingProblem) -> int:
    """How many (option, release day) arcs :func:`unit_flow_bound`'s network has, at most."""
    releases = (np.diff(_free_to_end(problem), axis=1, prepend=0) > 0).sum(axis=1)
    return int(releases[problem.opt_facility].sum())


def unit_flow_bound(problem: MatchingProblem) -> float:
    """The LP relaxation's optimum over every start day, by min-cost flow (issue 11).

    Only when every stay lasts to the end of the horizon (:func:`unit_flow_applies`).
    A case of ``b`` beds becomes ``b`` units, each at ``1/b`` of its placement's or its
    waiting's cost, which may go to different facilities and days: with stays to the end
    that is the LP relaxation of the time-indexed model without budgets and keep-apart
    pairs (``y = b x``), a relaxation of the round, so its optimum is a proven lower
    bound. Free beds that fall inside the horizon count as their lowest from that day on
    (a stay to the end holds its bed on every later day). Budgets and keep-apart pairs are
    left out (still a bound, a weaker one when they bind).

    Exact (OR-Tools' min-cost flow) and not interruptible: the caller sizes it by
    :func:`unit_flow_arcs` (about 1.4 million arcs a second on a quiet machine: 26 million
    at ``eligibility-30`` L in 19 s). Returns ``-inf`` when the flow does not solve.
    """
    net = _Network(problem, units=True)
    if net.smcf.solve() != net.smcf.OPTIMAL:
        return -np.inf
    return net.bound()


OPTION_CHUNK = 1_000_000  # options whose arcs are built at once (memory at L)


def _free_to_end(problem: MatchingProblem) -> IntArray:
    """Per facility and day, the fewest free beds from that day to the horizon's end."""
    lowest = np.minimum.accumulate(problem.free_beds[:, ::-1], axis=1)[:, ::-1]
    return np.maximum(lowest, 0).astype(np.int64)


class _Network:
    """The transportation network: source, cases, bed units by release day, sink.

    A unit of facility ``f`` released on day ``d`` (a bed free from ``d`` to the end) is
    one node per ``(f, d)`` with the number released as its capacity to the sink; a case
    reaches every release day of each of its options' facilities at the cost of starting
    there, or the sink at its waiting cost. With ``units`` a case sends its beds as units
    at ``1/beds`` of each cost (:func:`unit_flow_bound`); without, one unit
    (:func:`solve_flow`, every case one bed). Arcs are added a chunk of options at a
    time, so the numpy temporaries stay small at L.
    """

    def __init__(self, problem: MatchingProblem, *, units: bool = False) -> None:
        p = problem
        n_c, n_f = p.n_cases, p.n_facilities
        free = _free_to_end(p)
        increments = np.diff(free, axis=1, prepend=0)
        unit_f, unit_day = np.nonzero(increments > 0)  # row-major: by facility, then day
        first_unit = 1 + n_c  # node numbers: 0 source, 1..n_c cases, then units, then sink
        sink = first_unit + unit_f.size
        f_first = np.searchsorted(unit_f, np.arange(n_f + 1))  # each facility's units
        beds = p.case_beds.astype(np.int64) if units else np.ones(n_c, dtype=np.int64)
        share = 1.0 / beds  # of a case's cost, per unit
        self.units = int(beds.sum())
        self.smcf = min_cost_flow.SimpleMinCostFlow()
        cases = np.arange(n_c, dtype=np.int64)
        self._add(np.zeros(n_c), 1 + cases, beds, np.zeros(n_c))  # source -> case
        self._add(1 + cases, np.full(n_c, sink), beds, p.unplaced_cost * share)  # waiting
        self.first_option_arc = 2 * n_c
        opt_parts: list[IntArray] = []
        day_parts: list[IntArray] = []
        for lo in range(0, p.n_options, OPTION_CHUNK):
            opts = np.arange(lo, min(lo + OPTION_CHUNK, p.n_options), dtype=np.int64)
            fac = p.opt_facility[opts]
            counts = f_first[fac + 1] - f_first[fac]
            arc_opt = np.repeat(opts, counts)
            offset = np.arange(arc_opt.size) - np.repeat(np.cumsum(counts) - counts, counts)
            arc_unit = np.repeat(f_first[fac], counts) + offset
            arc_day = unit_day[arc_unit]
            arc_case = p.opt_case[arc_opt]
            cost = p.case_weight[arc_case] * arc_day + p.opt_penalty[arc_opt]
            useful = cost < p.unplaced_cost[arc_case]
            arc_opt, arc_unit, arc_case = arc_opt[useful], arc_unit[useful], arc_case[useful]
            self._add(
                1 + arc_case,
                first_unit + arc_unit,
                beds[arc_case],
                cost[useful] * share[arc_case],
            )
            opt_parts.append(arc_opt.astype(np.int32))
            day_parts.append(arc_day[useful].astype(np.int32))
        self.arc_opt = np.concatenate(opt_parts) if opt_parts else np.zeros(0, np.int32)
        self.arc_day = np.concatenate(day_parts) if day_parts else np.zeros(0, np.int32)
        self.n_arcs = int(self.arc_opt.size)
        self._add(first_unit + np.arange(unit_f.size), np.full(unit_f.size, sink),
                  increments[unit_f, unit_day], np.zeros(unit_f.size))  # fmt: skip
        self.smcf.set_node_supply(0, self.units)
        self.smcf.set_node_supply(int(sink), -self.units)

    def _add(self, tails: npt.ArrayLike, heads: npt.ArrayLike, caps: npt.ArrayLike,
             costs: npt.ArrayLike) -> None:  # fmt: skip
        self.smcf.add_arcs_with_capacity_and_unit_cost(
            np.asarray(tails).astype(np.int32),
            np.asarray(heads).astype(np.int32),
            np.asarray(caps).astype(np.int64),
            np.rint(np.asarray(costs, dtype=np.float64) * COST_SCALE).astype(np.int64),
        )

    def bound(self) -> float:
        """The optimum, less what the integer costs can have taken off it.

        Each unit of flow crosses one arc with a cost, rounded by at most half an integer unit.
        """
        return float(self.smcf.optimal_cost()) / COST_SCALE - 0.5 * self.units / COST_SCALE
