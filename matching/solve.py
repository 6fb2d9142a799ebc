"""``solve``: pick a method, split the problem, guard the clock, check the plan."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from matching.cpsat_limits import check_buildable
from matching.decompose import components, subproblem
from matching.errors import InvalidParamsError, MatchingError
from matching.evaluation import plan_objective, plan_to_assignments, plan_violations
from matching.exact import solve_exact
from matching.flow import flow_is_exact, solve_flow
from matching.formulation import build_formulation
from matching.greedy import solve_greedy
from matching.large import solve_large
from matching.outcome import Observer, Outcome, Tracker, ignore
from matching.problem import MatchingProblem
from matching.result import MatchResult, Method, SolveParams, Status

GUARD_MARGIN = 0.05  # share of the time limit kept back for checking and reporting
GUARD_SECONDS = 0.2  # and at least this (HiGHS's cancel and the plan check, issue 11)
# parts with more (option, start day) columns go to column generation: at M and L, and at
# S with short stays (issue 11: 220,000 columns, simplex 50 s, column generation 3 s)
LARGE_COLUMNS = 40_000

Part = tuple[np.ndarray, np.ndarray]
Backend = Callable[[MatchingProblem, float, SolveParams, Tracker], Outcome]


def solve(
    problem: MatchingProblem,
    params: SolveParams | None = None,
    *,
    observer: Observer = ignore,
) -> MatchResult:
    """Propose placements that minimise priority-weighted waiting.

    Parameters
    ----------
    problem
        The matching problem.
    params
        Method, time limit, seed. The time limit is a wall-clock guard on the whole call.
    observer
        Called with a :class:`~matching.outcome.Progress` whenever a part's best plan or
        bound improves (for benchmarks and progress bars).

    Returns
    -------
    MatchResult
        The plan, its objective in original units, a proven lower bound, the status and
        which method ran. Deterministic for a seed when no stage is cut short by the clock.

    Raises
    ------
    InvalidParamsError
        When ``method="flow"`` is asked for a problem flow cannot solve exactly.
    """
    params = params or SolveParams()
    start = time.perf_counter()
    deadline = start + params.time_limit - max(GUARD_MARGIN * params.time_limit, GUARD_SECONDS)
    if params.method is Method.FLOW and not flow_is_exact(problem):
        raise InvalidParamsError(
            "method",
            "flow is exact only when every case needs one bed, no budget binds, "
            "no pair is kept apart and every stay lasts to the end of the horizon",
        )
    outcome = _dispatch(problem, params, deadline, observer, start)
    violations = plan_violations(problem, outcome.plan)
    if violations:  # never hand out a plan that breaks a rule
        raise MatchingError(f"{outcome.method} produced an infeasible plan: {violations[0]}")
    objective = plan_objective(problem, outcome.plan)
    # the weak bound is always proven, and stronger while column generation starts (issue 11)
    proven = max(outcome.bound, single_case_bound(problem))
    bound = min(objective, proven)
    closed = objective - bound <= params.relative_gap * max(abs(objective), 1e-9)
    status = Status.OPTIMAL if outcome.optimal or closed else Status.FEASIBLE
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


def _dispatch(
    problem: MatchingProblem,
    params: SolveParams,
    deadline: float,
    observer: Observer,
    start: float,
) -> Outcome:
    method = params.method
    if method is Method.AUTO and flow_is_exact(problem):
        method = Method.FLOW
    if method is Method.GREEDY:
        t0 = time.perf_counter()
        out = solve_greedy(problem)
        return Outcome(
            plan=out.plan,
            bound=-math.inf,
            optimal=False,
            method="greedy",
            build_seconds=0.0,
            solve_seconds=time.perf_counter() - t0,
        )
    if method is Method.FLOW:
        return solve_flow(problem)
    backend = {Method.CPSAT: _cpsat, Method.MIP: _exact}.get(method, _auto)
    return _solve_parts(problem, params, backend, deadline, observer, start)


def _exact(sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker) -> Outcome:
    return solve_exact(
        sub,
        deadline=deadline,
        seed=params.seed,
        threads=params.threads,
        relative_gap=params.relative_gap,
        tracker=tr,
    )


def _auto(sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker) -> Outcome:
    t0 = time.perf_counter()
    form = build_formulation(sub)
    build = time.perf_counter() - t0
    run = solve_exact if form.n_vars <= LARGE_COLUMNS else solve_large
    out = run(
        sub,
        deadline=deadline,
        seed=params.seed,
        threads=params.threads,
        relative_gap=params.relative_gap,
        tracker=tr,
        form=form,
    )
    return dataclasses.replace(out, build_seconds=out.build_seconds + build)


def _cpsat(sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker) -> Outcome:
    form = build_formulation(sub)
    check_buildable(form, deadline)
    from matching.cpsat import solve_cpsat  # OR-Tools only when it will be used

    greedy_plans = (solve_greedy(sub, form, per_bed=True).plan, solve_greedy(sub, form).plan)
    hint = min(greedy_plans, key=lambda plan: plan_objective(sub, plan))  # never worse than greedy
    out = solve_cpsat(
        sub, deadline=deadline, seed=params.seed, threads=params.threads, hint=hint, form=form
    )
    if plan_objective(sub, hint) < plan_objective(sub, out.plan) - 1e-9:
        note = "CP-SAT found no better plan in time; greedy plan kept"
        out = Outcome(
            plan=hint,
            bound=out.bound,
            optimal=False,
            method=out.method,
            build_seconds=out.build_seconds,
            solve_seconds=out.solve_seconds,
            notes=(*out.notes, note),
        )
    tr.update("cpsat", objective=plan_objective(sub, out.plan), bound=out.bound)
    return out


def _parts(problem: MatchingProblem, decompose: bool) -> list[Part]:
    everything = (
        np.arange(problem.n_cases, dtype=np.int32),
        np.arange(problem.n_facilities, dtype=np.int32),
    )
    parts = components(problem) if decompose else [everything]
    parts.sort(key=lambda p: (p[0].size, int(p[0][0]) if p[0].size else 0))
    return parts


def _solve_parts(
    problem: MatchingProblem,
    params: SolveParams,
    backend: Backend,
    deadline: float,
    observer: Observer,
    start: float,
) -> Outcome:
    """Solve each independent part with ``backend``, giving each a share of the time by size."""
    parts = _parts(problem, params.decompose)
    remaining = sum(int(cases.size) for cases, _ in parts)
    plan: list[tuple[int, int]] = []
    bound, optimal, build = 0.0, True, 0.0
    notes: list[str] = []
    methods: set[str] = set()
    for index, (cases, facilities) in enumerate(parts):
        whole = cases.size == problem.n_cases and facilities.size == problem.n_facilities
        sub, original = (
            (problem, np.arange(problem.n_options))
            if whole
            else subproblem(problem, cases, facilities)
        )
        now = time.perf_counter()
        share = (deadline - now) * cases.size / max(remaining, 1)
        remaining -= int(cases.size)
        out = backend(sub, now + share, params, Tracker(observer, index, len(parts), start))
        methods.add(out.method)
        plan.extend((int(original[k]), d) for k, d in out.plan)
        part_bound = max(out.bound, single_case_bound(sub))
        bound += part_bound - float(sub.unplaced_cost.sum())
        optimal &= out.optimal
        build += out.build_seconds
        notes.extend(out.notes)
    bound += float(problem.unplaced_cost.sum())
    summary = f"{len(parts)} independent parts" if params.decompose else "solved as one model"
    method = "+".join(sorted(methods)) or params.method.value
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=optimal,
        method=method,
        build_seconds=build,
        solve_seconds=0.0,
        notes=(summary, *sorted(set(notes))),
    )


def single_case_bound(problem: MatchingProblem) -> float:
    """A proven (weak) lower bound: every case as if alone.

    Each case at its cheapest option on day 0, or unplaced when that is cheaper.
    """
    best = problem.unplaced_cost.copy()
    np.minimum.at(best, problem.opt_case, problem.opt_penalty)
    return float(best.sum())
