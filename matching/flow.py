"""Min-cost flow: exact when every case needs one bed and only capacity binds.

When free beds never fall over the horizon and every stay lasts to its end, the free beds
of a facility are a set of bed units, each released on a day. A plan is then a matching of
cases to units (a case placed on day d takes a unit released by d), and the cheapest
matching places each case on the release day of its unit. That is a transportation
problem, solved exactly by OR-Tools' min-cost flow at any size.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.formulation import binding_streams
from matching.outcome import Outcome
from matching.problem import MatchingProblem

COST_SCALE = 1_000_000  # integer cost units per weighted waiting day


def flow_is_exact(problem: MatchingProblem) -> bool:
    """Whether min-cost flow solves this problem exactly (see the module docstring)."""
    return bool(
        problem.n_options > 0
        and (problem.case_beds == 1).all()
        and binding_streams(problem).size == 0
        and problem.keep_apart.shape[0] == 0
        and (problem.stay_to >= problem.horizon_days).all()
        and (np.diff(problem.free_beds, axis=1) >= 0).all()
    )


def solve_flow(problem: MatchingProblem) -> Outcome:
    """Solve by min-cost flow; only call when :func:`flow_is_exact` holds.

    The bound is the flow's optimum minus the largest error the integer scaling of costs
    can make (half a unit per case), so it is a proven lower bound.
    """
    t0 = time.perf_counter()
    n_c, n_f, h = problem.n_cases, problem.n_facilities, problem.horizon_days
    increments = np.diff(problem.free_beds, axis=1, prepend=0)
    unit_f, unit_day = np.nonzero(increments > 0)
    unit_node = np.full((n_f, h), -1, dtype=np.int64)
    first_unit = 1 + n_c  # node numbers: 0 source, 1..n_c cases, then units, then sink
    unit_node[unit_f, unit_day] = first_unit + np.arange(unit_f.size)
    sink = first_unit + unit_f.size

    # option arcs: case -> each release day of its facility
    per_fac = [unit_day[unit_f == f] for f in range(n_f)]
    counts = np.array([per_fac[f].size for f in problem.opt_facility.tolist()], dtype=np.int64)
    arc_opt = np.repeat(np.arange(problem.n_options), counts)
    arc_day = (
        np.concatenate([per_fac[f] for f in problem.opt_facility.tolist()])
        if arc_opt.size
        else arc_opt
    )
    arc_case = problem.opt_case[arc_opt]
    cost = problem.case_weight[arc_case] * arc_day + problem.opt_penalty[arc_opt]
    useful = cost < problem.unplaced_cost[arc_case]
    arc_opt, arc_day, arc_case, cost = (
        arc_opt[useful],
        arc_day[useful],
        arc_case[useful],
        cost[useful],
    )

    tails = np.concatenate(
        [np.zeros(n_c), 1 + np.arange(n_c), 1 + arc_case, unit_node[unit_f, unit_day]]
    )
    heads = np.concatenate(
        [
            1 + np.arange(n_c),
            np.full(n_c, sink),
            unit_node[problem.opt_facility[arc_opt], arc_day],
            np.full(unit_f.size, sink),
        ]
    )
    caps = np.concatenate(
        [np.ones(n_c), np.ones(n_c), np.ones(arc_opt.size), increments[unit_f, unit_day]]
    )
    costs = np.concatenate([np.zeros(n_c), problem.unplaced_cost, cost, np.zeros(unit_f.size)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        caps.astype(np.int64),
        np.rint(costs * COST_SCALE).astype(np.int64),
    )
    smcf.set_node_supply(0, n_c)
    smcf.set_node_supply(int(sink), -n_c)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    status = smcf.solve()
    solve = time.perf_counter() - t1
    if status != smcf.OPTIMAL:
        return Outcome(
            plan=[],
            bound=-np.inf,
            optimal=False,
            method="flow",
            build_seconds=build,
            solve_seconds=solve,
            notes=(f"min-cost flow status {status}",),
        )
    first_option_arc = 2 * n_c
    flows = smcf.flows(np.arange(first_option_arc, first_option_arc + arc_opt.size))
    chosen = np.flatnonzero(flows > 0)
    plan = [(int(arc_opt[a]), int(arc_day[a])) for a in chosen]
    bound = smcf.optimal_cost() / COST_SCALE - 0.5 * n_c / COST_SCALE
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=True,
        method="flow",
        build_seconds=build,
        solve_seconds=solve,
    )
