"""Priority greedy: highest weight first, each case at its cheapest feasible option and day.

A fast feasible plan, used as the baseline in benchmarks, as the hint of the exact
methods and as the fallback when they find nothing in time.
"""

from __future__ import annotations

import numpy as np

from matching.formulation import candidate_days
from matching.outcome import Outcome
from matching.problem import NO_STREAM, MatchingProblem


def solve_greedy(problem: MatchingProblem) -> Outcome:
    """Place cases in order of weight (ties by id) at their cheapest fitting option and day.

    The plan respects capacity on every day, budgets and keep-apart pairs; it proves no
    bound.
    """
    h = problem.horizon_days
    residual = problem.free_beds.astype(np.int64).copy()
    spent = np.zeros(len(problem.stream_ids))
    days = candidate_days(problem)
    stay = problem.stay_to
    by_case = problem.options_of_case()
    apart: dict[int, set[int]] = {}
    for a, b in problem.keep_apart.tolist():
        apart.setdefault(a, set()).add(b)
        apart.setdefault(b, set()).add(a)
    facility_of: dict[int, int] = {}
    order = sorted(
        range(problem.n_cases), key=lambda c: (-problem.case_weight[c], problem.case_ids[c])
    )
    plan: list[tuple[int, int]] = []
    for c in order:
        w, beds = float(problem.case_weight[c]), int(problem.case_beds[c])
        banned = {facility_of[o] for o in apart.get(c, ()) if o in facility_of}
        best: tuple[float, int, int] | None = None
        for k in by_case[c].tolist():
            f = int(problem.opt_facility[k])
            s = int(problem.opt_stream[k])
            if f in banned or (
                s != NO_STREAM and spent[s] + problem.opt_cost[k] > problem.budget[s]
            ):
                continue
            for d in days[f].tolist():
                cost = w * d + float(problem.opt_penalty[k])
                if best is not None and cost >= best[0]:
                    break  # later days only cost more
                if residual[f, d : min(h, d + int(stay[k]))].min() >= beds:
                    best = (cost, k, d)
                    break
        if best is None or best[0] >= problem.unplaced_cost[c]:
            continue
        _, k, d = best
        f = int(problem.opt_facility[k])
        residual[f, d : min(h, d + int(stay[k]))] -= beds
        if problem.opt_stream[k] != NO_STREAM:
            spent[problem.opt_stream[k]] += problem.opt_cost[k]
        facility_of[c] = f
        plan.append((k, d))
    return Outcome(plan, -np.inf, False, "greedy")
