"""Objective and feasibility of a plan, computed straight from the problem's definition.

Every solver's plan passes through here before it is returned, so a reported objective is
always the documented one and a plan that breaks a rule is never handed out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from matching.problem import NO_STREAM, MatchingProblem
from matching.result import Assignment

Plan = Sequence[tuple[int, int]]  # (option index, start day) per placed case


def plan_objective(problem: MatchingProblem, plan: Plan) -> float:
    """Objective of a plan given as (option, start day) pairs."""
    placed = np.zeros(problem.n_cases, dtype=bool)
    total = 0.0
    for k, day in plan:
        c = int(problem.opt_case[k])
        placed[c] = True
        total += float(problem.case_weight[c]) * day + float(problem.opt_penalty[k])
    total += float(problem.unplaced_cost[~placed].sum())
    return total


def plan_violations(problem: MatchingProblem, plan: Plan) -> list[str]:
    """Every rule of the format the plan breaks (empty when it is feasible)."""
    out: list[str] = []
    h = problem.horizon_days
    use = np.zeros_like(problem.free_beds, dtype=np.int64)
    spent = np.zeros(len(problem.stream_ids))
    seen: set[int] = set()
    facility_of: dict[int, int] = {}
    stay = problem.stay_to
    for k, day in plan:
        c, f = int(problem.opt_case[k]), int(problem.opt_facility[k])
        if c in seen:
            out.append(f"case {problem.case_ids[c]} placed twice")
        seen.add(c)
        facility_of[c] = f
        if not 0 <= day < h:
            out.append(f"case {problem.case_ids[c]} starts on day {day}, outside the horizon")
            continue
        use[f, day : min(h, day + int(stay[k]))] += int(problem.case_beds[c])
        if problem.opt_stream[k] != NO_STREAM:
            spent[problem.opt_stream[k]] += problem.opt_cost[k]
    over = np.argwhere(use > problem.free_beds)
    for f, d in over[:10]:
        out.append(
            f"facility {problem.facility_ids[f]} over capacity on day {d}: "
            f"{use[f, d]} beds used, {problem.free_beds[f, d]} free"
        )
    for s in np.flatnonzero(spent > problem.budget * (1 + 1e-9) + 1e-6):
        out.append(
            f"stream {problem.stream_ids[s]} over budget: {spent[s]:.2f} > {problem.budget[s]:.2f}"
        )
    for a, b in problem.keep_apart.tolist():
        if a in facility_of and facility_of.get(b) == facility_of[a]:
            out.append(
                f"cases {problem.case_ids[a]} and {problem.case_ids[b]} are kept apart but both "
                f"at facility {problem.facility_ids[facility_of[a]]}"
            )
    return out


def plan_to_assignments(
    problem: MatchingProblem, plan: Plan
) -> tuple[tuple[Assignment, ...], tuple[str, ...]]:
    """Assignments sorted by case id, and the ids of the unplaced cases."""
    placed: set[int] = set()
    out = []
    for k, day in plan:
        c = int(problem.opt_case[k])
        placed.add(c)
        out.append(
            Assignment(
                problem.case_ids[c], problem.facility_ids[int(problem.opt_facility[k])], int(day)
            )
        )
    out.sort(key=lambda a: a.case)
    unplaced = tuple(sorted(problem.case_ids[c] for c in range(problem.n_cases) if c not in placed))
    return tuple(out), unplaced


def assignments_to_plan(
    problem: MatchingProblem, assignments: Iterable[Assignment]
) -> list[tuple[int, int]]:
    """Map named assignments back to (option, start day); unknown pairs raise ``KeyError``."""
    cases, facs = problem.case_index(), problem.facility_index()
    key_to_option = {
        (int(c), int(f)): k
        for k, (c, f) in enumerate(zip(problem.opt_case, problem.opt_facility, strict=True))
    }
    return [(key_to_option[(cases[a.case], facs[a.facility])], a.start_day) for a in assignments]


def occupancy(problem: MatchingProblem, plan: Plan) -> npt.NDArray[np.int64]:
    """Beds taken by the plan per facility per day."""
    use = np.zeros_like(problem.free_beds, dtype=np.int64)
    stay = problem.stay_to
    for k, day in plan:
        f = int(problem.opt_facility[k])
        use[f, day : min(problem.horizon_days, day + int(stay[k]))] += int(
            problem.case_beds[int(problem.opt_case[k])]
        )
    return use
