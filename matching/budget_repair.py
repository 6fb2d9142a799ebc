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

Any plan of the smaller MIP, with the kept placements, keeps every rule of the whole: the
kept placements' beds are taken off the free beds, their euros off the budgets, and a
case kept apart from a kept one loses its columns at that facility.
"""

from __future__ import annotations

import dataclasses
import math
import time

import highspy
import numpy as np
import numpy.typing as npt

from matching.evaluation import occupancy
from matching.formulation import Formulation
from matching.greedy import solve_greedy
from matching.heuristics import WHOLE, best_plan
from matching.lpmodel import assemble
from matching.mip import Plan, new_highs, pass_model, plan_of, run_checked, values_of
from matching.problem import NO_STREAM, MatchingProblem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# the smaller MIP keeps the free cases' columns with reduced cost up to this (weighted
# days), and the start's: on budget-region S seed 1, 840 of 6,800 columns; with all of
# them HiGHS finds the same plans, later (22,600 in 1 s with these, 23,300 with all)
FIX_REDUCED_COST = 2.0


def fix_and_optimise(
    form: Formulation,
    x_lp: FloatArray,
    rc: FloatArray,
    plan: Plan,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
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
    residual = residual_problem(p, kept)
    busy = np.zeros(p.n_cases, dtype=bool)
    busy[form.var_case[ones]] = True
    rest = [(k, d) for k, d in completion if not busy[p.opt_case[k]]]
    in_rest = np.isin(_keys(form, form.var_option, form.var_day), _plan_keys(form, rest))
    usable = ~busy[form.var_case] & ~_kept_apart(form, kept)
    columns = np.flatnonzero(usable & ((rc[:n] <= FIX_REDUCED_COST) | in_rest))
    if columns.size == 0 or time.perf_counter() >= deadline:
        return best
    sub = form.restrict(columns, problem=residual)
    model = assemble(sub, chain=True)

    def make() -> highspy.Highs:
        h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=1e-6)
        pass_model(h, model, integer=True)
        return h

    start = model.complete(values_of(sub, rest, model.n_cols))
    run = run_checked(make, model, deadline, start)
    if run.col_value is None:
        return best
    found = solve_greedy(p, form, start=kept + plan_of(sub, run.col_value)).plan
    return best_plan(form, best, found)


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


def _kept_apart(form: Formulation, kept: Plan) -> npt.NDArray[np.bool_]:
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


def _keys(
    form: Formulation, option: IntArray | npt.NDArray[np.int32], day: npt.ArrayLike
) -> IntArray:
    keys: IntArray = option.astype(np.int64) * (form.problem.horizon_days + 1) + np.asarray(day)
    return keys


def _plan_keys(form: Formulation, plan: Plan) -> IntArray:
    if not plan:
        return np.zeros(0, dtype=np.int64)
    option, day = np.array(plan, dtype=np.int64).T
    return _keys(form, option, day)
