"""``solve``: pick a method, split the problem, guard the clock, check the plan."""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.capacity_bound import capacity_bound
from matching.cpsat_limits import check_buildable
from matching.decompose import components, subproblem
from matching.errors import InvalidParamsError, MatchingError
from matching.evaluation import plan_objective, plan_to_assignments, plan_violations
from matching.exact import solve_exact
from matching.flow import (
    flow_is_exact,
    solve_flow,
    unit_flow_applies,
    unit_flow_arcs,
    unit_flow_bound,
)
from matching.formulation import build_formulation, column_estimate
from matching.greedy import (
    PRICED_PASSES,
    greedy_orders,
    greedy_outcome,
    priced_orders,
    priced_plan,
    solve_greedy,
    stays_end_inside,
)
from matching.large import solve_large
from matching.mip import Plan, highs_scope
from matching.outcome import Observer, Outcome, Tracker, ignore
from matching.problem import MatchingProblem
from matching.result import MatchResult, Method, SolveParams, Status

FloatArray = npt.NDArray[np.float64]
GUARD_MARGIN = 0.05  # share of the time limit kept back for checking and reporting
GREEDY_SLACK = 1.5  # another greedy order runs when this many times the slowest fits
GREEDY_SHARE = 0.3  # in this share of the time left
# with no model to follow, an order after the priority order starts only when this share
# of the slowest order so far fits (the second and third orders took 0.8-0.95 times the
# first on the sweep's T = 1 s rounds): one cut short is a partial plan, and the bound in
# that time is the only proof the answer carries (issue 11: 14 of 44 sweep rounds at T =
# 1 s carried the single-case bound)
GREEDY_FINISH = 0.8
# the priced orders' prices take about this many passes of a greedy order to estimate
# (unseen sweep seed 2132, 6,000 cases: 0.18 s against 0.59 s for the priority order)
ESTIMATE_PASSES = 0.5
# and, with no model to follow, when it leaves the bound this share of the greedy's time
# (issue 11: the robustness sweep's seed 124 at T = 1 s, 6,000 cases: three orders that
# finished left the bound 0.07 s, and the answer the single-case bound)
BOUND_SHARE = 0.3
GUARD_SECONDS = 0.2  # and at least this (HiGHS's cancel and the plan check, issue 11)
# and this per case for checking and reporting the plan: 0.03 s for 20,000 cases at L
# (plan_violations, plan_objective, plan_to_assignments on a quiet machine, 2026-12-04),
# ten times that kept for load. It was 50 us a case (1.2 s at L, 0.5 s at 6,000 cases)
# from a wall time of 1-1.5 s under load 12-20 that included more than the check; at
# T = 1 s on 6,000 cases the greedy then had half the limit (the robustness sweep)
GUARD_SECONDS_PER_CASE = 15e-6
# parts with more (option, start day) columns go to column generation: at M and L, and at
# S with short stays (issue 11: 220,000 columns, simplex 50 s, column generation 3 s)
LARGE_COLUMNS = 40_000
# (option, start day) pairs the time left allows, and at most: beyond them the model keeps
# each option's first start days only (issue 11: at L with short stays the whole model has
# 17.7 million columns, built in 14-46 s and 1.6-2.4 GB; 3 million pairs build in 1.5 s)
# (S: 250,000 pairs of issue-11 build in 0.1 s, so a 1-s limit still gets the whole model)
BUILD_PAIRS_PER_SECOND = 1_000_000  # the whole model is built when it fits the time left
PAIRS_PER_SECOND = 100_000  # a restricted model's size: its build, LP and greedy must fit
MAX_PAIRS = 3_000_000
MIN_PAIRS = 100_000  # with room for fewer, the greedy plans are the answer
# a restricted round whose stays all last to the end gets the LP bound by min-cost flow
# (:func:`matching.flow.unit_flow_bound`, not interruptible) when its arcs at this speed fit
# this share of the time left after the greedy (issue 11: eligibility-30 L, 26.3 million
# arcs in 18.6-18.7 s, the gap 12.3 % -> 0.06 %; 1.4 million a second measured quiet)
FLOW_ARCS_PER_SECOND = 1_200_000
FLOW_SHARE = 0.7

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
    guard = GUARD_SECONDS + GUARD_SECONDS_PER_CASE * problem.n_cases
    deadline = start + params.time_limit - max(GUARD_MARGIN * params.time_limit, guard)
    if params.method is Method.FLOW and not flow_is_exact(problem):
        raise InvalidParamsError(
            "method",
            "flow is exact only when every case needs one bed, no budget binds, "
            "no pair is kept apart and every stay lasts to the end of the horizon",
        )
    with highs_scope():
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
        plan = solve_greedy(problem).plan
        return greedy_outcome(plan, solve_seconds=time.perf_counter() - t0)
    if method is Method.FLOW:
        return solve_flow(problem)
    backend = {Method.CPSAT: _cpsat, Method.MIP: _exact}.get(method, _auto)
    return _solve_parts(problem, params, backend, deadline, observer, start)


def _whole_model_fits(sub: MatchingProblem, deadline: float) -> tuple[bool, int]:
    """Whether the whole model can be built in the time left, and its (option, day) pairs."""
    pairs = column_estimate(sub)
    room = min(MAX_PAIRS, BUILD_PAIRS_PER_SECOND * (deadline - time.perf_counter()))
    return pairs <= max(LARGE_COLUMNS, room), pairs


def _refuse_unbuildable(sub: MatchingProblem, deadline: float, method: str) -> None:
    """Refuse, before any build, a whole model that cannot be built in time.

    An explicit ``mip`` or ``cpsat`` builds the whole model (issue 11: 15 s on ``issue-11``
    at L); ``auto`` restricts it instead.
    """
    fits, pairs = _whole_model_fits(sub, deadline)
    if not fits:
        raise InvalidParamsError(
            "method",
            f"{method} cannot build this round's whole model (up to {pairs:,} (option, start "
            "day) pairs) within the time limit; use method auto, which restricts the model "
            "to what fits, or a longer time limit",
        )


def _exact(sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker) -> Outcome:
    _refuse_unbuildable(sub, deadline, "mip")
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
    fits, pairs = _whole_model_fits(sub, deadline)
    if not fits:
        return _auto_restricted(sub, deadline, params, tr, pairs)
    form = build_formulation(sub)
    build = time.perf_counter() - t0
    if form.n_vars <= LARGE_COLUMNS:
        out = solve_exact(sub, form=form, **_settings(deadline, params, tr))
    else:
        out = solve_large(sub, form=form, **_settings(deadline, params, tr))
    return dataclasses.replace(out, build_seconds=out.build_seconds + build)


def _settings(deadline: float, params: SolveParams, tr: Tracker) -> dict[str, Any]:
    """The keyword arguments every back end takes."""
    return {
        "deadline": deadline,
        "seed": params.seed,
        "threads": params.threads,
        "relative_gap": params.relative_gap,
        "tracker": tr,
    }


def _auto_restricted(
    sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker, pairs: int
) -> Outcome:
    """Greedy plans without a model, then a model on each option's first start days.

    For rounds whose whole model does not fit the time (issue 11). The restricted model
    improves the plan; the bound is the Lagrangian bound over beds and budgets with every
    start day priced (:mod:`matching.capacity_bound`, run by :func:`solve_large`).
    """
    t0 = time.perf_counter()
    plans = _greedy_plans(sub, deadline, tr)
    plan = min(plans, key=lambda p: plan_objective(sub, p)) if plans else []
    notes = [f"the whole model has up to {pairs:,} (option, start day) pairs"]
    floor = _flow_floor(sub, deadline, tr, notes)
    objective = plan_objective(sub, plan)
    room = min(MAX_PAIRS, PAIRS_PER_SECOND * (deadline - time.perf_counter()))
    if not plans:
        notes.append("no time for the greedy: nobody placed")
    closed = objective - floor <= params.relative_gap * max(abs(objective), 1e-9)
    if room < MIN_PAIRS or closed:
        if not closed:
            notes.append("no time for a model: the best greedy plan")
            # no HiGHS run follows: the bound may use the guard's seconds, as the greedy did
            until = deadline + GUARD_SECONDS
            floor = max(floor, _lagrangian_floor(sub, until, tr, objective, notes))
        out = greedy_outcome(plan, solve_seconds=time.perf_counter() - t0, notes=tuple(notes))
        return _with_floor(out, floor, objective, params)
    t1 = time.perf_counter()
    form = build_formulation(sub, max_columns=int(room), keep=plan)
    build = time.perf_counter() - t1
    notes.append(
        f"restricted to each option's first start days: {form.n_vars:,} columns, "
        "so its LP proves nothing for the round"
    )
    out = solve_large(sub, form=form, plans=[plan], **_settings(deadline, params, tr))
    out = _with_floor(out, floor, plan_objective(sub, out.plan), params)
    return dataclasses.replace(
        out, build_seconds=out.build_seconds + build, notes=(*notes, *out.notes)
    )


def _flow_floor(sub: MatchingProblem, deadline: float, tr: Tracker, notes: list[str]) -> float:
    """The LP bound by min-cost flow when every stay lasts to the end and it fits the time.

    A restricted model proves nothing for the round and the Lagrangian over beds and
    budgets converges slowly at L (issue 11: eligibility-30 L, 12.3 % after 50 s); with
    stays to the end the LP relaxation is a transportation problem, solved exactly. The
    flow cannot be stopped, so it starts only when its estimate fits ``FLOW_SHARE`` of
    the time left. ``-inf`` when it does not apply or fit.
    """
    if not unit_flow_applies(sub):
        return -np.inf
    if unit_flow_arcs(sub) / FLOW_ARCS_PER_SECOND > FLOW_SHARE * (deadline - time.perf_counter()):
        return -np.inf
    floor = unit_flow_bound(sub)
    if np.isfinite(floor):
        tr.update("flow-bound", bound=floor)
        notes.append("bound by min-cost flow over every start day (the LP without budgets)")
    return floor


def _lagrangian_floor(
    sub: MatchingProblem, deadline: float, tr: Tracker, objective: float, notes: list[str]
) -> float:
    """The Lagrangian bound over beds and budgets with the time the greedy left.

    Without a model the answer carried the single-case bound: 20 of 200 sweep rounds at T
    = 1 s (800-6,000 cases), some answering after 0.17-0.3 s. The set-up goes by its
    measured pace (:class:`matching.capacity_bound.Relaxation`) and does not start when
    it and a step would not end by the deadline; with too little time for every start
    day, beds are priced on checkpoint days (:mod:`matching.checkpoint_pairs`). ``-inf``
    when no step ran.
    """
    found = capacity_bound(sub, deadline=deadline, incumbent=objective, plans=False)
    if np.isfinite(found.bound):
        tr.update("lagrangian-beds", bound=min(found.bound, objective))
        notes.append(found.note)
    return found.bound


def _with_floor(out: Outcome, floor: float, objective: float, params: SolveParams) -> Outcome:
    """``out`` with its bound raised to ``floor`` (never above its plan's objective)."""
    if floor <= out.bound:
        return out
    bound = min(floor, objective)
    closed = objective - bound <= params.relative_gap * max(abs(objective), 1e-9)
    return dataclasses.replace(out, bound=bound, optimal=out.optimal or closed)


def _greedy_plans(sub: MatchingProblem, deadline: float, tr: Tracker) -> list[Plan]:
    """The greedy orders without a model, as time allows.

    When a model follows, the order best on short stays goes first, then the priority
    order (and, with binding budgets, their prices and the first order that prices them),
    and another only when it can finish in a share of the time left. When none
    can follow, the priority order goes first and runs while time is left: it is the
    plan every answer must be at least as good as (the robustness sweep, seed 194 at T =
    1 s: the answer was 58.9 % worse than it after the per-bed-day order took 0.53 s and
    cut it short).
    Each order after it starts only when it can finish at the pace of the slowest so far
    and still leave the bound ``BOUND_SHARE`` of the greedy's time (seed 124: a third
    order left the bound 0.07 s, and the answer the single-case bound). Without time
    for any, none. With binding budgets the orders that price them
    (:func:`matching.greedy.priced_orders`) come after the first two plain orders.
    """
    plans: list[Plan] = []
    slowest = 0.0
    any_priced = False
    started = time.perf_counter()
    until = _greedy_until(deadline)  # the greedy's own deadline
    bound_from = until - BOUND_SHARE * (until - started)  # when no model follows
    orders: list[tuple[bool, bool, FloatArray | None]] = [
        (True, False, None),
        (False, False, None),
        (False, True, None),
    ]  # (per bed-day, per bed, budget prices)
    if not stays_end_inside(sub):
        orders = [(False, True, None), (False, False, None)]  # per bed-day is per bed then
    if not _model_fits(deadline - started):
        orders = [(False, False, None), *(o for o in orders if o[:2] != (False, False))]
    differ = greedy_orders(sub)
    orders = [o for o in orders if o[:2] in differ]
    # with binding budgets, the priced orders after the first two plain ones (issue 11:
    # better than every plain order by 1 % or more on 68 of 143 unseen sweep rounds). Of
    # the sequences tried on those rounds' 71 with 1,500 cases or more, with each order's
    # own time and 0.35 s for the greedy, this one came within 1 % of the best of all six
    # orders on 55 (the old orders 33; the priced ones right after the priority order 47)
    # Their prices are estimated when the first two have run: 0.14-0.18 s on 6,000 cases
    # (unseen sweep seed 2132, T = 1 s: estimated first, they cut the priority order short)
    queue: deque[tuple[bool, bool, FloatArray | None] | None] = deque(orders)
    if np.isfinite(sub.budget).any():  # None: the priced orders, to be estimated
        queue.insert(min(2, len(orders)), None)
    while queue:
        order = queue.popleft()
        t = time.perf_counter()
        if t >= until:
            break
        # the priced orders' turn: their prices, then the first, must fit as an order does
        # (unseen seeds 2009, 2039, 2080, 2092: estimated unchecked, they took the bound's time)
        estimate = order is None
        per_bed_day, per_bed, prices = (False, False, None) if order is None else order
        # the model gets the time (issue 11: 15-30 s per order at L under load)
        model_follows = _model_fits(deadline - t)
        if not model_follows:  # no longer: the greedy has the guard's seconds too
            until = max(until, _greedy_until(deadline))
        # the priority order runs whatever the pace: every answer must be at least as good
        # as its plan (unseen sweep seed 216, T = 2 s, 6,000 cases: the per-bed-day order
        # took 0.34 s, this rule skipped the priority order, and the answer was 31.8 %
        # worse than it; unseen seeds 2038 and 2077, T = 2 s, 6,000 cases: the per-bed-day
        # order took 0.6 s, left no time for a model, and the rule below skipped it: 35 %
        # and 28 % worse)
        priority = not estimate and prices is None and (per_bed_day, per_bed) == (False, False)
        priced = estimate or prices is not None
        # priced: a pass and a completion, and the prices' estimate before the first
        passes = (PRICED_PASSES if priced else 1.0) + ESTIMATE_PASSES * estimate
        pace = passes * slowest
        slow = GREEDY_SLACK * pace > GREEDY_SHARE * (deadline - t)
        # the budgets' prices and their first order too run whatever the pace when a model
        # follows: the plain orders spend the budgets on the first cases they place
        # (unseen sweep seed 2327, T = 5 s, 6,000 cases: the first two orders ended at
        # 0.76 s, the rule below skipped them, and the answer was the priority order's
        # plan, 731,518, where the first priced order gives 423,432; the restricted model
        # made up none of it in 3.5 s)
        first_priced = estimate or (prices is not None and not any_priced)
        if plans and model_follows and slow and not priority and not first_priced:
            break
        # without a model, the bound gets what the orders that can finish leave
        # (_lagrangian_floor)
        if plans and not model_follows and not priority and t + GREEDY_FINISH * pace > bound_from:
            break
        if estimate:
            found_orders = priced_orders(sub)
            queue.extendleft(reversed([(by_day, False, price) for by_day, price in found_orders]))
            continue
        if prices is None:
            plan = solve_greedy(sub, per_bed=per_bed, per_bed_day=per_bed_day, deadline=until)
            found = plan.plan
        else:
            found = priced_plan(sub, prices, per_bed_day=per_bed_day, deadline=until)
            any_priced = True
        plans.append(found)
        slowest = max(slowest, (time.perf_counter() - t) / passes)
        tr.update("greedy", objective=plan_objective(sub, found))
    return plans


def _model_fits(seconds: float) -> bool:
    """Whether a restricted model of at least ``MIN_PAIRS`` pairs fits ``seconds``."""
    return PAIRS_PER_SECOND * seconds >= MIN_PAIRS


def _greedy_until(deadline: float) -> float:
    """When the greedy orders (and then the bound) end, for a round's deadline.

    When no model can follow, no HiGHS run needs the guard's seconds for its cancel: the
    greedy and the bound after it may use them (the plan's check has the per-case part of
    the guard). A part that runs over its share leaves less to the next; the last part
    ends by the limit (the robustness sweep, seeds 39 and 50: at T = 1 s on 3,000-6,000
    cases the first order was cut short 0.2 s before the end, 2.7-47 % worse).
    """
    if not _model_fits(deadline - time.perf_counter()):
        return deadline + GUARD_SECONDS
    return deadline


def _cpsat(sub: MatchingProblem, deadline: float, params: SolveParams, tr: Tracker) -> Outcome:
    _refuse_unbuildable(sub, deadline, "cpsat")
    form = build_formulation(sub)
    check_buildable(form, deadline)
    from matching.cpsat import solve_cpsat  # OR-Tools only when it will be used

    plans = [
        solve_greedy(sub, form, per_bed=per_bed).plan
        for per_bed_day, per_bed in greedy_orders(sub)
        if not per_bed_day
    ]
    hint = min(plans, key=lambda plan: plan_objective(sub, plan))  # never worse than greedy
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
        # every event's bound at least the single-case bound: a first Lagrangian step
        # showed -19,347.7 against a plan of 7,817 (issue 11, `opvang solve` on issue-11 S)
        tracker = Tracker(observer, index, len(parts), start, bound=single_case_bound(sub))
        out = backend(sub, now + share, params, tracker)
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
