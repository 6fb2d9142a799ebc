"""Rounds whose whole time-indexed model does not fit the time limit (issue 11).

At L with short stays the model has 17.7 million (option, start day) columns; ``solve``
then runs the greedy without a model and a model restricted to each option's first start
days, whose bounds are not bounds of the round; the bound reported is the Lagrangian bound
over beds and budgets with every start day priced (``matching.capacity_bound``).
"""

from __future__ import annotations

import dataclasses
import importlib
import time
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from benchmarks.matching.shapes import Shape, generate, shape_problem
from matching import Method, SolveParams, problem_from_dict, solve
from matching.errors import InvalidParamsError
from matching.problem import NO_STAY, MatchingProblem
from matching.solve import single_case_bound

GREEDY = SolveParams(method=Method.GREEDY)
solve_module = importlib.import_module("matching.solve")  # the module, not its function


def _restrict(monkeypatch: pytest.MonkeyPatch, min_pairs: int | None = None) -> None:
    """Make a small round take the restricted path: its whole model counts as too large
    (``LARGE_COLUMNS``, ``MAX_PAIRS``); ``min_pairs`` sets how small a restricted model
    may be (1: always one; 10**12: never, so no model follows the greedy)."""
    monkeypatch.setattr(solve_module, "LARGE_COLUMNS", 10)
    monkeypatch.setattr(solve_module, "MAX_PAIRS", 60)
    if min_pairs is not None:
        monkeypatch.setattr(solve_module, "MIN_PAIRS", min_pairs)


def _short_stay_round(ref: ModuleType) -> tuple[MatchingProblem, float]:
    """The small round with short stays the restricted-path tests solve, and its optimum
    by the independent reference."""
    data = ref.random_instance(3, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.6)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    return problem_from_dict(data), optimum


@pytest.mark.parametrize("seed", range(6))
def test_a_restricted_round_reports_a_bound_of_the_whole_round(
    ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restricted model's LP bound is no bound of the round and must not be reported;
    the Lagrangian bound over every start day is one (at or below the exact optimum)."""
    _restrict(monkeypatch, min_pairs=1)
    data = ref.random_instance(seed, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.6)
    p = problem_from_dict(data)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    result = solve(p, SolveParams(time_limit=20.0))
    assert any("restricted" in note for note in result.notes)
    tol = 1e-6 * max(1.0, abs(optimum))
    assert min(single_case_bound(p), result.objective) - tol <= result.bound <= optimum + tol
    assert result.objective <= solve(p, GREEDY).objective + 1e-6
    assert result.status.value != "optimal" or result.objective == pytest.approx(result.bound)


@pytest.mark.parametrize("seed", range(4))
def test_a_restricted_round_with_stays_to_the_end_gets_the_lp_bound_by_flow(
    ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11 (eligibility-30 L: the Lagrangian's 12.3 %): the LP by min-cost flow."""
    _restrict(monkeypatch, min_pairs=1)
    data = ref.random_instance(
        seed, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.0, budget_share=0.0
    )
    p = problem_from_dict(data)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    lp, _ = ref.mip_optimum(ref.Reference.from_dict(data), relaxed=True)
    result = solve(p, SolveParams(time_limit=20.0))
    tol = 1e-6 * max(1.0, abs(optimum))
    assert any("min-cost flow" in note for note in result.notes)
    assert min(lp, result.objective) - tol <= result.bound <= optimum + tol
    restricted = any("restricted" in note for note in result.notes)
    assert restricted or result.status.value == "optimal"  # the greedy plan proven
    assert result.status.value != "optimal" or result.objective == pytest.approx(result.bound)
    monkeypatch.setattr(solve_module, "FLOW_ARCS_PER_SECOND", 1e-3)  # as if it did not fit
    slow = solve(p, SolveParams(time_limit=20.0))
    assert not any("min-cost flow" in note for note in slow.notes)
    assert slow.bound <= optimum + tol


LIMIT_MARGIN_S = 1.5  # seconds past T + 0.5 s allowed: the machine is shared (goal: none)


@pytest.mark.slow
def test_the_time_limit_holds_on_a_round_whose_whole_model_takes_longer_to_build() -> None:
    """``short-stays`` at M: 2.5 million columns, whose build alone took 2.5-7 s under load."""
    problem = shape_problem("short-stays", "M", 1)
    started = time.perf_counter()
    result = solve(problem, SolveParams(time_limit=2.0))
    elapsed = time.perf_counter() - started
    assert elapsed <= 2.0 + 0.5 + LIMIT_MARGIN_S, f"{elapsed:.2f} s"
    assert result.assignments
    assert result.bound <= result.objective


def _stays_of_every_length(problem: MatchingProblem, seed: int) -> MatchingProblem:
    rng = np.random.default_rng(seed)
    h = problem.horizon_days
    stay = rng.integers(1, h + 5, problem.n_options).astype(np.int32)
    short = rng.random(problem.n_options) < 0.5
    return dataclasses.replace(problem, opt_stay=np.where(short, stay, NO_STAY))


@pytest.mark.slow
def test_the_time_limit_holds_with_stays_of_every_length_in_many_parts() -> None:
    """A robustness sweep's round (6,000 cases, 58 parts, 180 days, stays of 1-184 days):
    at T = 1 s it took 4.2 s, all of it finding candidate start days, unguarded."""
    shape = Shape(
        horizon_days=180,
        options_per_case=2.0,
        family_share=0.8,
        max_family_beds=6,
        short_share=0.3,
        occupancy=0.7,
        keep_apart_share=0.05,
    )
    problem = _stays_of_every_length(generate(shape, (6_000, 3_122), 13), 13)
    started = time.perf_counter()
    result = solve(problem, SolveParams(time_limit=1.0))
    elapsed = time.perf_counter() - started
    assert elapsed <= 1.0 + 0.5 + LIMIT_MARGIN_S, f"{elapsed:.2f} s"
    assert result.bound <= result.objective


@pytest.mark.slow
def test_a_short_limit_on_a_round_of_many_options_still_places_cases() -> None:
    """A robustness sweep's round (6,000 cases x 60 options, 14 days) at T = 1 s: nobody was
    placed, after 0.07 s, because the greedy's set-up was estimated at 1.1 s (it takes 0.06)."""
    shape = Shape(horizon_days=14, options_per_case=60.0, short_share=0.6, occupancy=0.7)
    problem = generate(shape, (6_000, 1_821), 20)
    started = time.perf_counter()
    result = solve(problem, SolveParams(time_limit=1.0))
    elapsed = time.perf_counter() - started
    assert result.assignments
    assert elapsed <= 1.0 + 0.5 + LIMIT_MARGIN_S, f"{elapsed:.2f} s"


def test_without_time_for_a_greedy_nobody_is_placed_and_it_says_so(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restrict(monkeypatch)
    monkeypatch.setattr(solve_module, "GUARD_MARGIN", 5.0)  # the deadline is past at once
    p = problem_from_dict(
        ref.random_instance(1, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.6)
    )
    result = solve(p, SolveParams(time_limit=1.0))
    assert not result.assignments
    assert "no time for the greedy: nobody placed" in result.notes
    assert result.bound <= result.objective


@pytest.mark.parametrize("method", [Method.MIP, Method.CPSAT])
def test_an_explicit_method_that_needs_the_whole_model_refuses_one_that_does_not_fit(
    ref: ModuleType, method: Method, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``mip`` and ``cpsat`` build the whole model: refused before the build, naming method."""
    _restrict(monkeypatch)
    p = problem_from_dict(
        ref.random_instance(2, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.6)
    )
    with pytest.raises(InvalidParamsError) as refused:
        solve(p, SolveParams(method=method, time_limit=5.0))
    assert refused.value.field == "method"
    assert f"{method.value} cannot build this round's whole model" in str(refused.value)
    assert "use method auto" in str(refused.value)


class _Clock:
    """A clock that moves only when a fake greedy order runs."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


def _orders_run(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    *,
    limit: float,
    problem: MatchingProblem | None = None,
) -> list[tuple[Any, bool]]:
    """The greedy orders ``_greedy_plans`` runs, (per bed-day, per bed) each, when the
    n-th order takes ``seconds[n]`` and the round's deadline is ``limit`` s away (on
    ``problem``, by default ``issue-11`` S without its budgets, so that no order prices
    them). An order with budgets priced is ``("priced", per bed-day)``."""
    clock = _Clock()
    orders: list[tuple[Any, bool]] = []

    def greedy(sub: MatchingProblem, **kw: object) -> object:
        clock.now += seconds[len(orders)]
        orders.append((bool(kw["per_bed_day"]), bool(kw["per_bed"])))
        return solve_module.greedy_outcome([])

    def priced(sub: MatchingProblem, prices: object, **kw: object) -> list[tuple[int, int]]:
        clock.now += seconds[len(orders)]
        orders.append(("priced", bool(kw["per_bed_day"])))
        return []

    monkeypatch.setattr(solve_module, "time", clock)
    monkeypatch.setattr(solve_module, "solve_greedy", greedy)
    monkeypatch.setattr(solve_module, "priced_plan", priced)
    tracker = solve_module.Tracker(solve_module.ignore, 0, 1, clock.now)
    if problem is None:
        problem = shape_problem("issue-11", "S", 1)
        problem = dataclasses.replace(problem, budget=np.full(problem.budget.shape, np.inf))
    solve_module._greedy_plans(problem, clock.now + limit, tracker)
    return orders


# with binding budgets and a model to follow: per bed-day, priority, the priced ones, per bed
EVERY_ORDER_BEFORE_A_MODEL: list[tuple[Any, bool]] = [
    (True, False),
    (False, False),
    ("priced", False),
    ("priced", True),
    ("priced", False),
    (False, True),
]


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        # no model follows: priority, per bed-day, the priced ones, per bed
        (
            0.7,
            [
                (False, False),
                (True, False),
                ("priced", False),
                ("priced", True),
                ("priced", False),
                (False, True),
            ],
        ),
        # a model follows: per bed-day, priority, the priced ones, per bed
        (2.0, EVERY_ORDER_BEFORE_A_MODEL),
    ],
)
def test_with_binding_budgets_the_priced_orders_come_after_the_first_two_plain_ones(
    monkeypatch: pytest.MonkeyPatch, limit: float, expected: list[tuple[Any, bool]]
) -> None:
    """Issue 11, unseen sweep seeds 1801-2000: the priced orders placed 1 % or more better
    than every plain order on 68 of 143 budget rounds; right after the priority order
    they left the per-bed-day order no time on seed 1894 (30 % better there)."""
    problem = shape_problem("issue-11", "S", 1)
    assert _orders_run(monkeypatch, (0.01,) * 6, limit=limit, problem=problem) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # the second priced order, at twice the slowest plain one's 0.15 s, would end 0.01
        # s inside the bound's share (a plain order at 0.15 s would not): not started
        (
            (0.15, 0.15, 0.1, 0.1, 0.1, 0.1),
            [(False, False), (True, False), ("priced", False)],
        ),
        # the first one quick: the second fits, the third does not
        (
            (0.15, 0.15, 0.05, 0.1, 0.1, 0.1),
            [(False, False), (True, False), ("priced", False), ("priced", True)],
        ),
    ],
)
def test_a_priced_order_counts_as_two_passes_of_the_slowest_plain_one(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    expected: list[tuple[Any, bool]],
) -> None:
    """A priced plan is a priced pass and a completion (``PRICED_PASSES``): with no model
    to follow (0.7 s: the greedy until 0.9 s, the bound from 0.63 s), it starts only when
    ``GREEDY_FINISH`` x twice the slowest plain order ends before the bound's share."""
    problem = shape_problem("issue-11", "S", 1)
    assert _orders_run(monkeypatch, seconds, limit=0.7, problem=problem) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # every order finishes and leaves the bound its share
        ((0.2, 0.2, 0.2), [(False, False), (True, False), (False, True)]),
        # sweep seed 124: the third order would finish, but leave the bound 0.07 s
        ((0.2, 0.3, 0.2), [(False, False), (True, False)]),
        # the second order would end inside the bound's share: the bound gets the time
        ((0.4, 0.4, 0.4), [(False, False)]),
    ],
)
def test_with_no_model_to_follow_an_order_after_the_priority_one_starts_only_if_it_can_finish(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    expected: list[tuple[bool, bool]],
) -> None:
    """Sweep seeds 15, 59, 130 and 137 (T = 1 s): a last order cut short at the greedy's
    deadline (a partial plan) left no time for the bound, and the answer carried the
    single-case bound; seed 124: three orders that finished did the same. An order after
    the priority one starts when it can finish at the pace of the slowest so far before
    the bound's share (``BOUND_SHARE``) of the greedy's time."""
    assert _orders_run(monkeypatch, seconds, limit=0.7) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # unseen sweep seed 216 (T = 2 s): the slack rule would skip the second order
        ((0.34, 0.3, 0.3), [(True, False), (False, False)]),
        # quick orders: all three
        ((0.01, 0.01, 0.01), [(True, False), (False, False), (False, True)]),
        # unseen sweep seeds 2038 and 2077 (T = 2 s): the first order left no time for a
        # model, and the rule that leaves the bound its share skipped the priority order
        ((1.2, 0.3, 0.3), [(True, False), (False, False)]),
    ],
)
def test_with_a_model_to_follow_the_priority_order_runs_whatever_the_pace(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    expected: list[tuple[bool, bool]],
) -> None:
    """Unseen sweep seed 216 (6,000 cases, T = 2 s, a restricted model follows): the
    per-bed-day order took 0.34 s, the rule that leaves the model its time skipped the
    priority order, and the answer was 31.8 % worse than the priority greedy. The
    priority order runs second whatever the pace; the order after it keeps the rule. Also
    when the first order leaves no time for a model (unseen seeds 2038 and 2077, at a
    slower machine's pace: 35 % and 28 % worse than the priority greedy)."""
    assert _orders_run(monkeypatch, seconds, limit=2.0) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # slow orders: the priority order, then the budgets' prices and their first order
        ((0.34, 0.34, 0.34, 0.34), [(True, False), (False, False), ("priced", False)]),
        # quick ones: every order, as before
        ((0.01,) * 6, EVERY_ORDER_BEFORE_A_MODEL),
    ],
)
def test_with_binding_budgets_and_a_model_to_follow_the_first_priced_order_runs_whatever_the_pace(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    expected: list[tuple[Any, bool]],
) -> None:
    """Unseen sweep seed 2327 (6,000 cases, T = 5 s, binding budgets): the first two plain
    orders ended at 0.76 s, the rule that leaves the model its time skipped the priced
    orders, and the answer was the priority order's plan, 731,518, where the first priced
    order gives 423,432; the restricted model made up none of it. The prices and their
    first order run whatever the pace when a model follows, as the priority order does;
    the orders after them keep the rule."""
    problem = shape_problem("issue-11", "S", 1)
    assert _orders_run(monkeypatch, seconds, limit=2.0, problem=problem) == expected


@pytest.mark.parametrize("limit", [0.7, 2.0])
def test_on_a_round_of_single_beds_the_per_bed_order_is_not_run(
    monkeypatch: pytest.MonkeyPatch, limit: float
) -> None:
    """Every case on one bed: the per-bed order is the priority order, and its time goes
    to the bound or the model (unseen sweep seeds 751 and 780, T = 1 s, 6,000 cases)."""
    singles = shape_problem("issue-11", "S", 1)
    singles = dataclasses.replace(
        singles,
        case_beds=np.ones(singles.n_cases, dtype=np.int32),
        budget=np.full(singles.budget.shape, np.inf),  # no priced orders
    )
    orders = _orders_run(monkeypatch, (0.01, 0.01, 0.01), limit=limit, problem=singles)
    assert sorted(orders) == [(False, False), (True, False)]


@pytest.mark.parametrize(("left", "extra"), [(0.7, solve_module.GUARD_SECONDS), (5.0, 0.0)])
def test_without_a_model_to_follow_the_greedy_has_the_guards_seconds_too(
    monkeypatch: pytest.MonkeyPatch, left: float, extra: float
) -> None:
    """Sweep seed 50 (T = 1 s, 3,000 cases): the order best on short stays was cut short
    0.2 s before the end, kept back for a HiGHS cancel no run there needed: 47 % worse
    than the priority greedy, 22 % better with those seconds. With a model to follow, the
    greedy stops at the deadline as before."""
    clock = _Clock()
    deadlines: list[object] = []

    def greedy(sub: MatchingProblem, **kw: object) -> object:
        deadlines.append(kw["deadline"])
        clock.now += 0.1
        return solve_module.greedy_outcome([])

    monkeypatch.setattr(solve_module, "time", clock)
    monkeypatch.setattr(solve_module, "solve_greedy", greedy)
    tracker = solve_module.Tracker(solve_module.ignore, 0, 1, clock.now)
    start = clock.now
    solve_module._greedy_plans(shape_problem("issue-11", "S", 1), start + left, tracker)
    assert deadlines
    assert deadlines[0] == pytest.approx(start + left + extra)


def test_a_restricted_round_whose_bound_share_is_too_short_still_gets_the_bound(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue-11 L at T = 10: 60 % of the time after the greedy did not hold the bound's
    set-up, and the answer carried the single-case bound (gap 99.4 %) while later stages
    gained 0.002 %. Here its share is next to nothing: it takes what it needs instead."""
    large = importlib.import_module("matching.large")
    _restrict(monkeypatch, min_pairs=1)
    monkeypatch.setattr(large, "RESTRICTED_CAPACITY_SHARE", 1e-9)
    p, optimum = _short_stay_round(ref)
    result = solve(p, SolveParams(time_limit=20.0))
    assert any("restricted" in note for note in result.notes)
    assert "bound by Lagrangian prices on beds and budgets over every start day" in result.notes
    assert single_case_bound(p) + 1e-6 < result.bound <= optimum + 1e-6 * max(1.0, optimum)


def test_a_restricted_round_whose_bound_was_skipped_at_first_tries_it_again(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep round (seed 17, T = 2 s): the Lagrangian over beds and budgets was skipped
    by its estimate right after the greedy, column generation on the restricted model
    ended early, and the answer carried the single-case bound with 0.7 s unused. Here the
    first attempt finds no time: a later one, with the time left, gives the bound."""
    large = importlib.import_module("matching.large")
    _restrict(monkeypatch, min_pairs=1)
    real = large.capacity_bound
    calls: list[float] = []

    def skipped_first(problem: MatchingProblem, **kw: Any) -> Any:
        calls.append(kw["deadline"])
        if len(calls) == 1:  # as when its set-up did not fit
            return real(problem, **{**kw, "deadline": time.perf_counter()})
        return real(problem, **kw)

    monkeypatch.setattr(large, "capacity_bound", skipped_first)
    p, optimum = _short_stay_round(ref)
    result = solve(p, SolveParams(time_limit=20.0))
    assert any("restricted" in note for note in result.notes)
    assert len(calls) >= 2, result.notes
    assert "bound by Lagrangian prices on beds and budgets over every start day" in result.notes
    assert single_case_bound(p) + 1e-6 < result.bound <= optimum + 1e-6 * max(1.0, optimum)


def test_a_restricted_round_whose_bound_does_not_go_first_gets_it_after_the_plans(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the estimate made before its set-up says the bound would not fit ahead of the
    plans' stages (on sweep rounds, going first anyway cost the budget stages' plans 4-19
    %), it does not go first; the set-up then goes by its measured pace with the time the
    plans' stages leave (seed 197: 6,000 cases, T = 10 s, the single-case bound before)."""
    large = importlib.import_module("matching.large")
    _restrict(monkeypatch, min_pairs=1)
    monkeypatch.setattr("matching.capacity_bound.SETUP_ENTRIES_PER_SECOND", 1e-3)  # hours
    real = large.capacity_bound
    started: list[float] = []  # when each call that took a step began

    def timed(problem: MatchingProblem, **kw: Any) -> Any:
        began = time.perf_counter()
        found = real(problem, **kw)
        if found.steps:
            started.append(began)
        return found

    monkeypatch.setattr(large, "capacity_bound", timed)
    plans: list[float] = []
    real_colgen = large.column_generation

    def colgen(*args: Any, **kw: Any) -> Any:
        plans.append(time.perf_counter())
        return real_colgen(*args, **kw)

    monkeypatch.setattr(large, "column_generation", colgen)
    p, optimum = _short_stay_round(ref)
    result = solve(p, SolveParams(time_limit=20.0))
    assert any("restricted" in note for note in result.notes)
    assert plans, result.notes
    assert started, result.notes  # a step ran, with the old estimate saying hours
    assert min(started) > min(plans)  # not first: after column generation's plans
    assert "bound by Lagrangian prices on beds and budgets over every start day" in result.notes
    assert single_case_bound(p) + 1e-6 < result.bound <= optimum + 1e-6 * max(1.0, optimum)


def test_a_restricted_round_whose_plans_take_all_their_time_leaves_the_bound_its_set_up(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sweep round (seed 243: 6,000 cases, T = 2 s): the bound did not go first, the
    plans' stages took all but 0.07 s, and the answer carried the single-case bound (99.7
    % under the plan; 0.25 s gave 301,000 against a plan of 480,297). Here the bound does
    not go first, column generation takes all the time it is given, and a checkpoint
    day's set-up counts as 0.2 s: that much is kept back for the bound."""
    large = importlib.import_module("matching.large")
    capacity = importlib.import_module("matching.capacity_bound")
    _restrict(monkeypatch, min_pairs=1)
    monkeypatch.setattr(capacity, "SETUP_ENTRIES_PER_SECOND", 1e-3)  # not first: hours
    monkeypatch.setattr(large, "BOUND_SHARE", 1.0)
    p, optimum = _short_stay_round(ref)
    pace = 2 * p.n_options / (capacity.CHECKPOINT_SETUP_SHARE * 0.2)
    monkeypatch.setattr(capacity, "CHECKPOINT_ENTRIES_PER_SECOND", pace)
    real = large.column_generation

    def to_its_deadline(*args: Any, **kw: Any) -> Any:
        out = real(*args, **kw)
        time.sleep(max(0.0, kw["deadline"] - time.perf_counter()))
        return out

    monkeypatch.setattr(large, "column_generation", to_its_deadline)
    result = solve(p, SolveParams(time_limit=3.0))
    assert any("restricted" in note for note in result.notes)
    assert any(note.startswith("bound by Lagrangian prices on beds") for note in result.notes)
    assert single_case_bound(p) + 1e-6 < result.bound <= optimum + 1e-6 * max(1.0, optimum)


@pytest.mark.parametrize(
    ("every_day_fits", "days"), [(True, "over every start day"), (False, "on checkpoint days")]
)
def test_a_round_without_time_for_a_model_still_gets_the_lagrangian_bound(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch, every_day_fits: bool, days: str
) -> None:
    """Sweep rounds at T = 1 s (20 of 200, 800-6,000 cases) answered with the greedy plan
    and the single-case bound, some after 0.17-0.3 s: with no model, the time the greedy
    leaves goes to the Lagrangian over beds and budgets. Where that time is too short for
    every start day (4-52 million open pairs there), beds are priced on checkpoint days
    (set up in 0.02-0.3 s there)."""
    _restrict(monkeypatch, min_pairs=10**12)  # as if no model could fit
    if not every_day_fits:
        capacity = importlib.import_module("matching.capacity_bound")
        monkeypatch.setattr(capacity, "FULL_MIN_STEPS", 10**12)
    p, optimum = _short_stay_round(ref)
    result = solve(p, SolveParams(time_limit=5.0))
    assert "no time for a model: the best greedy plan" in result.notes
    assert f"bound by Lagrangian prices on beds and budgets {days}" in result.notes
    assert single_case_bound(p) + 1e-6 < result.bound <= optimum + 1e-6 * max(1.0, optimum)
    assert result.bound <= result.objective


@pytest.mark.parametrize(
    ("seconds", "estimated_at", "runs"),
    [
        ((0.01,) * 6, [0.02], 6),
        # the greedy stops after the priority order: no estimate
        ((0.4,) * 6, [], 1),
        # the estimate and a priced order (2.5 passes of 0.16 s at GREEDY_FINISH) would
        # end 0.01 s inside the bound's share (from 0.63 s): not estimated
        ((0.16,) * 6, [], 2),
        # 0.15 s: they end 0.03 s before it
        ((0.15, 0.15, 0.01, 0.01, 0.01, 0.01), [0.3], 6),
    ],
)
def test_the_priced_orders_prices_are_estimated_when_reached(
    monkeypatch: pytest.MonkeyPatch,
    seconds: tuple[float, ...],
    estimated_at: list[float],
    runs: int,
) -> None:
    """Unseen sweep seed 2132 (6,000 cases, T = 1 s): the prices (0.14-0.18 s there) were
    estimated before the first order and cut the priority order short. They are
    estimated after the first two orders, when the estimate and a priced order fit as an
    order must (seeds 2009, 2039, 2080 and 2092: estimated unchecked, they took the
    bound's time), and not at all when the greedy stops before."""
    start = _Clock().now
    at: list[float] = []
    real = solve_module.priced_orders

    def spied(sub: MatchingProblem) -> list[tuple[bool, Any]]:
        at.append(solve_module.time.perf_counter() - start)
        return real(sub)

    monkeypatch.setattr(solve_module, "priced_orders", spied)
    problem = shape_problem("issue-11", "S", 1)  # binding budgets
    orders = _orders_run(monkeypatch, seconds, limit=0.7, problem=problem)
    assert at == pytest.approx(estimated_at)
    assert len(orders) == runs
