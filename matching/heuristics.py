"""LP-based plans: dive from the LP relaxation until it is whole.

With the arc-flow rows the LP relaxation is nearly whole (on the S benchmarks 20 to 40 of
300 cases are split), but rounding it is poor: the split cases sit in chains of cases that
would all have to move. Diving does better: fix the largest split values to 1 (a few at a
time, in different facilities and cases), re-solve the LP from the last basis, repeat until
the LP is whole; a fix the LP cannot carry is turned into a 0 instead. The greedy then
fills any room left. On the S benchmarks the plan is 0.01 to 2 % above the optimum in
about half a second; the polishing MIP of :mod:`matching.exact` takes it from there.

Tried and dropped: RINS (re-solving, as a MIP, the variables where the dive's plan and the
LP differ) gained little once the polishing MIP runs after it, and cost up to 2 s.
"""

from __future__ import annotations

import time

import highspy
import numpy as np
import numpy.typing as npt

from matching.evaluation import plan_objective
from matching.formulation import Formulation
from matching.greedy import solve_greedy
from matching.mip import Plan, run_guarded

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
WHOLE = 1e-6  # an LP value this close to 0 or 1 counts as whole
DIVE_BATCH = 5  # variables fixed per dive step
DIVE_STEPS = 20  # dive steps at most (a work limit, so runs repeat); the greedy fills the rest


def _dive_batch(form: Formulation, xs: FloatArray) -> IntArray:
    """The largest split values, at most one per case and one per facility.

    ``DIVE_BATCH`` of them, or a quarter of the split cases on large rounds.
    """
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


def lp_plan(
    h: highspy.Highs,
    form: Formulation,
    x_lp: FloatArray,
    *,
    deadline: float,
) -> Plan:
    """A plan from an optimal LP in ``h``: dive until whole, then fill with the greedy.

    Parameters
    ----------
    h
        HiGHS holding the solved LP relaxation (its column bounds are changed).
    form
        The formulation whose columns come first in the LP.
    x_lp
        The LP solution.
    deadline
        Wall-clock time by which to return.

    Returns
    -------
    Plan
        A feasible plan.
    """
    x = dive(h, form, x_lp, deadline=deadline)
    return solve_greedy(form.problem, form, start=whole_part(form, x)).plan


def best_plan(form: Formulation, *plans: Plan) -> Plan:
    """The plan with the lowest objective (the first among equals)."""
    scores = [plan_objective(form.problem, plan) for plan in plans]
    return plans[int(np.argmin(scores))]
