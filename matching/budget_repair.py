"""Plans when budgets bind: keep what the LP settles, solve the rest as a small MIP (issue 11).

With binding budgets the LP relaxation is far from whole (``budget-region`` at S: 255
split variables over 115 of 300 cases, 25 budget rows), and every way of rounding it the
engine had ends well above the optimum: the LP-guided greedy 11 %, the dive 6 %, and the
polishing MIPs and the full MIP (12,000 columns and the arc-flow rows) find nothing better
in the seconds left. The plain MIP of the reference ends 2.1 % above its bound after 60 s.

What works is fix-and-optimise: keep every placement the LP makes whole (133 cases there),
and solve what is left as a MIP of its own: the other cases, on the beds and budgets the
kept placements leave, only on their columns of small reduced cost. That MIP is small
(about 800 columns) and starts from the greedy completion of the kept placements, guided
by the LP; it reaches 22,300-22,600 in 1-3 s where the optimum lies between 22,087 and
22,562 (the reference's bound and plan after 60 s).

Then, with many budgets (one per region), a neighbourhood search: the placements at the
facilities of three budgets at a time are freed, with the unplaced cases, and re-solved
as a MIP of a few hundred columns within what the rest of the plan leaves of the budgets
(22,344 to 22,174 in 1.7 s on that instance, 0.6 % above the LP bound).

Any plan of a smaller MIP, with the kept placements, keeps every rule of the whole: the
kept placements' beds are taken off the free beds, their euros off the budgets, and a
case kept apart from a kept one loses its columns at that facility.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matching.evaluation import occupancy, plan_objective
from matching.formulation import Formulation, pair_keys
from matching.greedy import solve_greedy
from matching.heuristics import WHOLE, best_plan
from matching.improving import ImprovingPlans
from matching.lpmodel import assemble
from matching.mip import Plan, model_value, plan_of, values_of
from matching.mip_process import MipTask, run_mip
from matching.problem import NO_STREAM, MatchingProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# the smaller MIP keeps the free cases' columns with reduced cost up to this (weighted
# days), and the start's: on budget-region S seed 1, 840 of 6,800 columns; with all of
# them HiGHS finds the same plans, later (22,600 in 1 s with these, 23,300 with all)
FIX_REDUCED_COST = 2.0
# the neighbourhood search: the streams freed at a time (only when that is at most a
# seventh of the binding streams: budget-region's 25 and the demo's 39, not budget-stream's
# 8, where an area of 3 streams is no smaller a MIP than the whole and found nothing in
# 1.8 s), the reduced cost of the columns it may use, one sub-MIP's time at most, and the
# rounds without a better plan after which it stops (budget-region S seed 1: 22,344 to
# 22,174 in 1.7 s)
SEARCH_STREAMS = 3
SEARCH_MIN_STREAMS = 7 * SEARCH_STREAMS
SEARCH_REDUCED_COST = 5.0
SEARCH_MIP_SECONDS = 1.0
SEARCH_PATIENCE = 15
# a budget counts as binding at the LP optimum when its LP spend is within this share of it
TIGHT_SHARE = 1e-6


def budgets_bind(form: Formulation, x_lp: FloatArray) -> bool:
    """Whether the LP solution spends any budget to its limit.

    A budget that can bind in some plan (``form.binding_streams``) may still have room at
    the LP optimum: ``budget-loose`` at S, 300 % of the greedy's spending. Then the LP is as
    whole as without budgets, and the dive rounds it as well as it does there (0.01 %
    above the bound in 0.03 s on seed 1, where fix-and-optimise kept 1.2 %; issue 11).

    Parameters
    ----------
    form
        The formulation whose columns come first in the LP.
    x_lp
        The LP solution.

    Returns
    -------
    bool
    """
    rows, cols, cost, budget = form.budget_rows()
    if budget.size == 0:
        return False
    spent = np.bincount(rows, cost * x_lp[cols], minlength=budget.size)
    return bool(np.any(spent >= budget * (1 - TIGHT_SHARE)))


def fix_and_optimise(
    form: Formulation,
    x_lp: FloatArray,
    rc: FloatArray,
    plan: Plan,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    reach: float = FIX_REDUCED_COST,
    on_plan: Callable[[Plan], None] | None = None,
) -> Plan:
    """The LP's whole placements kept, the other cases placed by a small MIP; or ``plan``.

    Parameters
    ----------
    form
        The formulation whose columns come first in the LP.
    x_lp, rc
        The LP solution and its reduced costs (the formulation's columns first).
    plan
        The best plan so far (returned when nothing better is found).
    deadline
        Wall-clock time by which to return.
    seed, threads
        HiGHS settings.
    reach
        The free cases' columns of reduced cost up to this are the MIP's (and the start's).
    on_plan
        Called with each better plan of the MIP, with the kept placements and completed
        by the greedy, as HiGHS finds it (:class:`~matching.improving.ImprovingPlans`).

    Returns
    -------
    Plan
        The best of ``plan``, the greedy completion of the kept placements and the MIP's.
    """
    n = form.n_vars
    p = form.problem
    ones = np.flatnonzero(x_lp[:n] >= 1 - WHOLE)
    kept = [(int(form.var_option[i]), int(form.var_day[i])) for i in ones]
    placed = np.bincount(form.var_case, x_lp[:n], minlength=p.n_cases).astype(np.float64)
    guide = (placed, rc[:n])
    completion = solve_greedy(p, form, start=kept, guide=guide).plan
    best = best_plan(form, plan, completion)
    busy = np.zeros(p.n_cases, dtype=bool)
    busy[form.var_case[ones]] = True
    rest = [(k, d) for k, d in completion if not busy[p.opt_case[k]]]
    in_rest = np.isin(pair_keys(form, form.var_option, form.var_day), _plan_keys(form, rest))
    usable = ~busy[form.var_case] & ~kept_apart(form, kept)
    columns = np.flatnonzero(usable & ((rc[:n] <= reach) | in_rest))
    tell = None if on_plan is None else completed(form, kept, on_plan)
    found = sub_mip(form, kept, rest, columns, deadline, seed, threads, tell)
    if found is None:
        return best
    return best_plan(form, best, solve_greedy(p, form, start=kept + found).plan)


def completed(
    form: Formulation, kept: Plan, on_plan: Callable[[Plan], None]
) -> Callable[[Plan], None]:
    """``on_plan`` for a sub-MIP's plans: told them with ``kept``, completed by the greedy."""

    def tell(plan: Plan) -> None:
        on_plan(solve_greedy(form.problem, form, start=kept + plan).plan)

    return tell


def neighbourhood_search(
    form: Formulation,
    rc: FloatArray,
    plan: Plan,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
) -> Plan:
    """Free the placements in a few streams' facilities at a time and re-solve them as a MIP.

    Each round picks ``SEARCH_STREAMS`` binding streams at random and keeps every
    placement at the facilities none of their options is paid by; the cases
    placed in those facilities and the unplaced cases may then take any of their columns
    there of reduced cost up to ``SEARCH_REDUCED_COST``, within the budgets the kept
    placements leave. The facilities' beds are all the freed cases': nothing else is there.

    Returns
    -------
    Plan
        The best plan found (``plan`` when none is better).
    """
    p = form.problem
    if form.binding_streams.size < SEARCH_MIN_STREAMS:
        return plan
    rng = np.random.default_rng(seed)
    fac_streams = np.zeros((p.n_facilities, len(p.stream_ids) + 1), dtype=bool)
    fac_streams[p.opt_facility, p.opt_stream] = True  # NO_STREAM: the last column
    best, value = plan, plan_objective(p, plan)
    idle = 0
    while idle < SEARCH_PATIENCE and time.perf_counter() < deadline:
        picked = rng.choice(form.binding_streams, SEARCH_STREAMS, replace=False)
        area = np.asarray(fac_streams[:, picked].any(axis=1), dtype=bool)
        until = min(deadline, time.perf_counter() + SEARCH_MIP_SECONDS)
        found = _resolve_area(form, rc, best, area, until, seed, threads)
        found_value = plan_objective(p, found)
        idle = 0 if found_value < value - 1e-9 else idle + 1
        if found_value < value - 1e-9:
            best, value = found, found_value
    return best


def _resolve_area(
    form: Formulation,
    rc: FloatArray,
    plan: Plan,
    area: npt.NDArray[np.bool_],
    deadline: float,
    seed: int,
    threads: int,
) -> Plan:
    """``plan`` with its placements at the facilities ``area`` re-solved by a MIP."""
    p = form.problem
    inside = [(k, d) for k, d in plan if area[p.opt_facility[k]]]
    kept = [(k, d) for k, d in plan if not area[p.opt_facility[k]]]
    busy = np.zeros(p.n_cases, dtype=bool)
    busy[[int(p.opt_case[k]) for k, _ in kept]] = True
    current = np.isin(pair_keys(form, form.var_option, form.var_day), _plan_keys(form, inside))
    cheap = rc[: form.n_vars] <= SEARCH_REDUCED_COST
    usable = area[form.var_facility] & ~busy[form.var_case] & (cheap | current)
    found = sub_mip(form, kept, inside, np.flatnonzero(usable), deadline, seed, threads)
    return plan if found is None else kept + found


def sub_mip(
    form: Formulation,
    kept: Plan,
    start: Plan,
    columns: IntArray,
    deadline: float,
    seed: int,
    threads: int,
    tell: Callable[[Plan], None] | None = None,
) -> Plan | None:
    """The MIP on ``columns`` with what ``kept`` leaves, from ``start``; its plan or None.

    ``tell``, if given, is told of each better plan of the MIP as HiGHS finds it.
    """
    if columns.size == 0 or time.perf_counter() >= deadline:
        return None
    sub = form.restrict(columns, problem=residual_problem(form.problem, kept))
    model = assemble(sub, chain=True)
    values = model.complete(values_of(sub, start, model.n_cols))
    watch = None
    if tell is not None:
        on_sub_plan = tell
        watch = ImprovingPlans(
            lambda found: on_sub_plan(plan_of(sub, found)), start_value=model_value(model, values)
        )
    # in a worker, when large and one is ready, killed at the deadline: HiGHS answered its
    # cancel 0.7-1.2 s late on a neighbourhood of 25,058 columns (unseen sweep seed 1732,
    # 6,000 cases at T = 5 s: the bound after it got no time, the single-case bound). Else
    # aside, left behind if it does not answer: unseen sweep seed 3428 (3,000 cases, a
    # national budget, T = 5 s) had a sub-MIP of 888 columns on what its budget left in
    # HiGHS's presolve for over ten minutes, one run in three (matching.highs_run)
    task = MipTask(model, (), values, seed, threads, 1e-6)
    run = run_mip(task, deadline, watch=watch, aside=True)
    return None if run.col_value is None else plan_of(sub, run.col_value)


def residual_problem(problem: MatchingProblem, kept: Plan) -> MatchingProblem:
    """The problem with the beds and budgets that the placements ``kept`` take removed."""
    if not kept:
        return problem
    options = np.array([k for k, _ in kept], dtype=np.int64)
    stream = problem.opt_stream[options]
    paid = stream != NO_STREAM
    spent = np.bincount(stream[paid], problem.opt_cost[options[paid]], len(problem.stream_ids))
    free = problem.free_beds - occupancy(problem, kept)
    return dataclasses.replace(
        problem,
        free_beds=free.astype(problem.free_beds.dtype),
        budget=np.where(np.isfinite(problem.budget), problem.budget - spent, math.inf),
    )


def kept_apart(form: Formulation, kept: Plan) -> npt.NDArray[np.bool_]:
    """Per column: whether its case must be kept apart from a kept case at its facility."""
    p = form.problem
    pairs = p.keep_apart
    if pairs.shape[0] == 0 or not kept:
        return np.zeros(form.n_vars, dtype=bool)
    at = np.full(p.n_cases, -1, dtype=np.int64)
    options = np.array([k for k, _ in kept], dtype=np.int64)
    at[p.opt_case[options]] = p.opt_facility[options]
    a, b = pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
    other = np.concatenate([b[at[a] >= 0], a[at[b] >= 0]])
    where = np.concatenate([at[a][at[a] >= 0], at[b][at[b] >= 0]])
    banned = other * p.n_facilities + where
    return np.isin(form.var_case.astype(np.int64) * p.n_facilities + form.var_facility, banned)


def _plan_keys(form: Formulation, plan: Plan) -> IntArray:
    if not plan:
        return np.zeros(0, dtype=np.int64)
    option, day = np.array(plan, dtype=np.int64).T
    return pair_keys(form, option, day)
