"""LP-based plans: dive from the LP relaxation, then polish with a small MIP around it.

With the arc-flow rows the LP relaxation is nearly whole (on the S benchmarks 20 to 40 of
300 cases are split), but simple rounding of it is poor: the split cases sit in chains of
cases that would all have to move. Two classic MIP heuristics do better:

- **Diving**: fix the largest split values to 1 (a few at a time, in different facilities
  and cases), re-solve the LP from the last basis, repeat until the LP is whole. A fix
  the LP cannot carry is turned into a 0 instead.
- **RINS** (relaxation induced neighbourhood search): keep every variable on which the
  dive's plan and the LP relaxation agree, and solve the rest as a small MIP, started
  from the dive's plan.

The greedy then fills any room left. The result is the start of the exact search and the
answer when time is short.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import numpy.typing as npt

from matching.evaluation import plan_objective
from matching.formulation import Formulation
from matching.greedy import solve_greedy
from matching.lpmodel import LinearModel
from matching.mip import Plan, new_highs, pass_model, plan_of, run_guarded, values_of

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
WHOLE = 1e-6  # an LP value this close to 0 or 1 counts as whole
DIVE_BATCH = 5  # variables fixed per dive step
DIVE_STEPS = 30  # dive steps at most; the RINS repairs what is left
RINS_NODES = 500  # branch-and-bound nodes of the RINS MIP (a work limit keeps it repeatable)


def _dive_batch(form: Formulation, xs: FloatArray) -> IntArray:
    """The largest split values, at most one per case and one per facility; ``DIVE_BATCH``
    of them, or a quarter of the split cases on large rounds."""
    split = np.flatnonzero((xs > WHOLE) & (xs < 1 - WHOLE))
    size = max(DIVE_BATCH, np.unique(form.var_case[split]).size // 4)
    order = split[np.argsort(-xs[split], kind="stable")]
    picked: list[int] = []
    cases: set[int] = set()
    facilities: set[int] = set()
    for j in order.tolist():
        c, f = int(form.var_case[j]), int(form.var_facility[j])
        if c in cases or f in facilities:
            continue
        picked.append(j)
        cases.add(c)
        facilities.add(f)
        if len(picked) == size:
            break
    return np.array(picked, dtype=np.int32)


def dive(h: highspy.Highs, form: Formulation, x: FloatArray, *, deadline: float) -> FloatArray:
    """Dive from an optimal LP held in ``h`` (its column bounds are changed).

    Returns
    -------
    FloatArray
        The last LP solution: whole unless the steps or the time ran out.
    """
    n = form.n_vars
    for _ in range(DIVE_STEPS):
        batch = _dive_batch(form, x[:n])
        if batch.size == 0 or time.perf_counter() >= deadline:
            break
        ones = np.ones(batch.size)
        h.changeColsBounds(batch.size, batch, ones, ones)
        run = run_guarded(h, deadline, lp=True)
        if not run.optimal and time.perf_counter() < deadline:  # the fix cannot be carried
            zeros = np.zeros(batch.size)
            h.changeColsBounds(batch.size, batch, zeros, zeros)
            run = run_guarded(h, deadline, lp=True)
        if not run.optimal or run.col_value is None:
            break
        x = run.col_value
    return x


def whole_part(form: Formulation, x: FloatArray) -> Plan:
    """The placements an LP solution makes whole (a feasible partial plan)."""
    chosen = np.flatnonzero(x[: form.n_vars] >= 1 - WHOLE)
    return [(int(form.var_option[i]), int(form.var_day[i])) for i in chosen]


def rins(
    form: Formulation,
    model: LinearModel,
    x_lp: FloatArray,
    plan: Plan,
    *,
    deadline: float,
    seed: int,
    threads: int,
) -> Plan:
    """Re-solve, as a MIP started from ``plan``, the variables where it and the LP differ."""
    n = form.n_vars
    incumbent = values_of(form, plan, model.n_cols)[:n]
    agree = np.abs(incumbent - x_lp[:n]) <= WHOLE
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    lower[:n][agree & (incumbent > 0.5)] = 1.0
    upper[:n][agree & (incumbent < 0.5)] = 0.0
    h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=1e-6)
    h.setOptionValue("mip_max_nodes", RINS_NODES)
    pass_model(h, model.with_bounds(lower, upper), integer=True)
    start = values_of(form, plan, model.n_cols)
    h.setSolution(model.n_cols, np.arange(model.n_cols, dtype=np.int32), start)
    run = run_guarded(h, deadline)
    return plan if run.col_value is None else plan_of(form, run.col_value)


def lp_plan(
    h: highspy.Highs,
    form: Formulation,
    model: LinearModel,
    x_lp: FloatArray,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
) -> Plan:
    """A plan from an optimal LP in ``h``: dive, fill with the greedy, polish with RINS.

    Parameters
    ----------
    h
        HiGHS holding the solved LP relaxation of ``model`` (its bounds are changed).
    form, model
        The formulation and its assembled model.
    x_lp
        The LP solution.
    deadline
        Wall-clock time by which to return.
    seed, threads
        HiGHS settings.

    Returns
    -------
    Plan
        A feasible plan.
    """
    x = dive(h, form, x_lp, deadline=deadline)
    plan = solve_greedy(form.problem, form, start=whole_part(form, x)).plan
    polished = rins(form, model, x_lp, plan, deadline=deadline, seed=seed, threads=threads)
    polished = solve_greedy(form.problem, form, start=polished).plan
    return best_plan(form, plan, polished)


def best_plan(form: Formulation, *plans: Plan) -> Plan:
    """The plan with the lowest objective (the first among equals)."""
    scores = [plan_objective(form.problem, plan) for plan in plans]
    return plans[int(np.argmin(scores))]
