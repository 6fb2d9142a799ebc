"""``solve``: pick a method, split the problem, guard the clock, check the plan."""

from __future__ import annotations

import math
import time

import numpy as np

from matching.decompose import components, subproblem
from matching.errors import InvalidParamsError, MatchingError
from matching.evaluation import plan_objective, plan_to_assignments, plan_violations
from matching.flow import flow_is_exact, solve_flow
from matching.formulation import build_formulation
from matching.greedy import solve_greedy
from matching.mip import solve_mip
from matching.outcome import Outcome
from matching.problem import MatchingProblem
from matching.result import MatchResult, Method, SolveParams, Status

GUARD_MARGIN = 0.05  # share of the time limit kept back for checking and reporting


def solve(problem: MatchingProblem, params: SolveParams | None = None) -> MatchResult:
    """Propose placements that minimise priority-weighted waiting.

    Parameters
    ----------
    problem
        The matching problem.
    params
        Method, time limit, seed. The time limit is a wall-clock guard on the whole call.

    Returns
    -------
    MatchResult
        The plan, its objective in original units, a proven lower bound, the status and
        which method ran. Deterministic for a seed.

    Raises
    ------
    InvalidParamsError
        When ``method="flow"`` is asked for a problem flow cannot solve exactly.
    """
    params = params or SolveParams()
    start = time.perf_counter()
    deadline = start + params.time_limit * (1 - GUARD_MARGIN)
    if params.method is Method.FLOW and not flow_is_exact(problem):
        raise InvalidParamsError(
            "method",
            "flow is exact only when every case needs one bed, no budget binds, "
            "no pair is kept apart and every stay lasts to the end of the horizon",
        )
    outcome = _dispatch(problem, params, deadline)
    violations = plan_violations(problem, outcome.plan)
    if violations:  # never hand out a plan that breaks a rule
        raise MatchingError(f"{outcome.method} produced an infeasible plan: {violations[0]}")
    objective = plan_objective(problem, outcome.plan)
    bound = min(objective, max(outcome.bound, single_case_bound(problem)))
    status = (
        Status.OPTIMAL
        if outcome.optimal or math.isclose(bound, objective, rel_tol=1e-9)
        else Status.FEASIBLE
    )
    assignments, unplaced = plan_to_assignments(problem, outcome.plan)
    total = time.perf_counter() - start
    return MatchResult(
        status=status,
        objective=objective,
        bound=bound,
        assignments=assignments,
        unplaced=unplaced,
        method=outcome.method,
        build_seconds=outcome.build_seconds,
        solve_seconds=max(0.0, total - outcome.build_seconds),
        seed=params.seed,
        notes=outcome.notes,
    )


def _dispatch(problem: MatchingProblem, params: SolveParams, deadline: float) -> Outcome:
    method = params.method
    if method is Method.AUTO:
        method = Method.FLOW if flow_is_exact(problem) else Method.MIP
    if method is Method.GREEDY:
        t0 = time.perf_counter()
        out = solve_greedy(problem)
        return Outcome(out.plan, -math.inf, False, "greedy", 0.0, time.perf_counter() - t0)
    if method is Method.FLOW:
        return solve_flow(problem)
    return _solve_parts(problem, params, method, deadline)


def _solve_parts(
    problem: MatchingProblem, params: SolveParams, method: Method, deadline: float
) -> Outcome:
    """Solve each independent part exactly, with the greedy plan as hint and fallback."""
    from matching.cpsat import solve_cpsat

    parts = (
        components(problem)
        if params.decompose
        else [
            (
                np.arange(problem.n_cases, dtype=np.int32),
                np.arange(problem.n_facilities, dtype=np.int32),
            )
        ]
    )
    parts.sort(key=lambda p: (p[0].size, int(p[0][0]) if p[0].size else 0))
    sizes = [int(cs.size) for cs, _ in parts]
    remaining_size = sum(sizes)
    plan: list[tuple[int, int]] = []
    bound, optimal, build = 0.0, True, 0.0
    notes: list[str] = []
    methods: set[str] = set()
    for (cases, facs), size in zip(parts, sizes, strict=True):
        sub, original = subproblem(problem, cases, facs)
        now = time.perf_counter()
        share = (deadline - now) * size / max(remaining_size, 1)
        remaining_size -= size
        hint = solve_greedy(sub).plan
        if method is Method.CPSAT:
            out = solve_cpsat(
                sub, deadline=now + share, seed=params.seed, threads=params.threads, hint=hint
            )
        else:
            out = solve_mip(
                sub,
                deadline=now + share,
                seed=params.seed,
                threads=params.threads,
                relative_gap=params.relative_gap,
                hint=hint,
            )
        if not out.plan and hint:
            out = Outcome(
                hint,
                out.bound,
                False,
                f"{out.method}+greedy",
                out.build_seconds,
                out.solve_seconds,
                (*out.notes, "exact method found no plan in time; greedy plan kept"),
            )
        elif _clearly_better(plan_objective(sub, hint), plan_objective(sub, out.plan)):
            out = Outcome(
                hint, out.bound, False, out.method, out.build_seconds, out.solve_seconds, out.notes
            )
        methods.add(out.method)
        plan.extend((int(original[k]), d) for k, d in out.plan)
        part_bound = out.bound if math.isfinite(out.bound) else single_case_bound(sub)
        bound += part_bound - float(sub.unplaced_cost.sum())
        optimal &= out.optimal
        build += out.build_seconds
        notes.extend(out.notes)
    bound += float(problem.unplaced_cost.sum())
    summary = f"{len(parts)} independent parts" if params.decompose else "solved as one model"
    return Outcome(
        plan,
        bound,
        optimal,
        "+".join(sorted(methods)) or method.value,
        build,
        0.0,
        (summary, *sorted(set(notes))),
    )


def _clearly_better(a: float, b: float) -> bool:
    """``a`` is lower than ``b`` by more than floating-point noise (sums in another order)."""
    return a < b - 1e-9 * max(1.0, abs(b))


def single_case_bound(problem: MatchingProblem) -> float:
    """A proven (weak) lower bound: every case at its cheapest option as if alone."""
    form = build_formulation(problem)
    best = np.zeros(problem.n_cases)
    np.minimum.at(best, form.var_case, form.var_saving)
    return form.constant + float(best.sum())
