"""Large rounds (thousands of cases): a quick plan, a bound by column generation, then a
better plan from the columns that matter.

1. Build the formulation from arrays (millions of columns at L).
2. The per-bed greedy: a feasible plan within seconds (issue 3: L within 10 s).
3. Column generation (:mod:`matching.colgen`) until the LP relaxation is complete or time
   is up; every round proves a Lagrangian bound. The bound comes first: at L the per-bed
   greedy is already within 0.2 % of the LP optimum, and the bound is what is missing.
4. If time is left, the exact machinery (:func:`matching.exact.improve`) on the kept
   columns only, started from the best plan: it finds better plans, but its bound is that
   of the restricted model, so the bound reported stays the Lagrangian one.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from matching.colgen import column_generation
from matching.evaluation import plan_objective
from matching.exact import improve
from matching.formulation import Formulation, build_formulation
from matching.greedy import solve_greedy
from matching.heuristics import best_plan
from matching.mip import Plan
from matching.outcome import Outcome, Tracker, ignore
from matching.problem import MatchingProblem

IMPROVE_MIN_SECONDS = 2.0  # the restricted MIP is not started with less time than this


def plan_columns(form: Formulation, plan: Plan) -> npt.NDArray[np.int64]:
    """The formulation's column of each (option, start day) of a plan."""
    key = form.var_option.astype(np.int64) * (form.problem.horizon_days + 1) + form.var_day
    order = np.argsort(key, kind="stable")
    wanted = np.array([k * (form.problem.horizon_days + 1) + d for k, d in plan], dtype=np.int64)
    pos = np.searchsorted(key[order], wanted)
    pos = np.minimum(pos, max(key.size - 1, 0))
    found = key[order][pos] == wanted if key.size else np.zeros(0, dtype=bool)
    columns: npt.NDArray[np.int64] = order[pos[found]].astype(np.int64)
    return columns


def solve_large(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    relative_gap: float = 1e-6,
    tracker: Tracker | None = None,
) -> Outcome:
    """A plan and a proven bound for a round too large for the full MIP.

    Parameters
    ----------
    problem
        The (part of the) matching problem.
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    seed, threads
        HiGHS settings.
    relative_gap
        Stop once the plan is this close to the bound.
    tracker
        Receives the best plan value and bound as they improve.

    Returns
    -------
    Outcome
        The best plan, the column generation bound and the notes on what ran.
    """
    t0 = time.perf_counter()
    tracker = tracker or Tracker(ignore, 0, 1, t0)
    form = build_formulation(problem)
    build = time.perf_counter() - t0
    if form.n_vars == 0:
        return Outcome([], form.constant, True, "colgen", build)
    plan = solve_greedy(problem, form, per_bed=True).plan
    objective = plan_objective(problem, plan)
    tracker.update("greedy", objective=objective)
    master = column_generation(
        form,
        deadline=deadline,
        start=plan_columns(form, plan),
        seed=seed,
        threads=threads,
        on_bound=lambda bound: tracker.update("colgen", bound=min(bound, objective)),
    )
    notes = [f"column generation: {master.rounds} rounds, {master.columns.size} columns kept"]
    if not master.complete:
        notes.append("column generation stopped before the LP was complete")
    room = deadline - time.perf_counter()
    if objective - master.bound > relative_gap * abs(objective) and room > IMPROVE_MIN_SECONDS:
        kept = form.restrict(master.columns)
        better = improve(kept, plan, deadline=deadline, seed=seed, threads=threads, tracker=tracker)
        better = solve_greedy(problem, form, start=better).plan
        plan = best_plan(form, plan, better)
        tracker.update("restricted-mip", objective=plan_objective(problem, plan))
    bound = min(master.bound, plan_objective(problem, plan))
    solve = time.perf_counter() - t0 - build
    return Outcome(plan, bound, False, "colgen", build, solve, tuple(notes))
