"""Greedy plans with binding budgets priced (issue 11: ``matching.budget_prices``)."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import numpy as np
import pytest

from matching.budget_prices import estimated_prices
from matching.evaluation import plan_objective, plan_violations
from matching.formulation import binding_streams, build_formulation
from matching.greedy import greedy_orders, greedy_plans, priced_orders, priced_plan, solve_greedy
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict


def budget_spent_first() -> MatchingProblem:
    """Two cases, one budget for one placement: the heavier case could also go unpaid.

    ``a`` (weight 3) can take the paid bed at P (no penalty) or the unpaid bed at U (a
    penalty of 2 weighted days); ``b`` (weight 2) has only a paid bed at Q. The priority order gives
    ``a`` the paid bed, spends the budget, and ``b`` waits the horizon and its penalty.
    """
    return problem_from_dict(
        {
            "format": "opvang-problem/1",
            "horizon_days": 10,
            "unplaced_penalty_days": 30,
            "facilities": [
                {"id": "P", "free_beds": [1] * 10},
                {"id": "U", "free_beds": [1] * 10},
                {"id": "Q", "free_beds": [1] * 10},
            ],
            "cases": [
                {"id": "a", "beds": 1, "weight": 3.0},
                {"id": "b", "beds": 1, "weight": 2.0},
            ],
            "options": [
                {"case": "a", "facility": "P", "cost": 100.0, "stream": "S"},
                {"case": "a", "facility": "U", "penalty": 2.0},
                {"case": "b", "facility": "Q", "cost": 100.0, "stream": "S"},
            ],
            "budgets": [{"stream": "S", "amount": 100.0}],
        }
    )


def placed(p: MatchingProblem, plan: list[tuple[int, int]]) -> dict[str, str]:
    return {p.case_ids[int(p.opt_case[k])]: p.facility_ids[int(p.opt_facility[k])] for k, _ in plan}


def test_a_priced_plan_keeps_the_budget_for_the_case_with_nothing_cheaper() -> None:
    p = budget_spent_first()
    assert placed(p, solve_greedy(p).plan) == {"a": "P"}
    form = build_formulation(p)
    for per_bed_day, prices in priced_orders(p):
        for f in (None, form):
            plan = priced_plan(p, prices, f, per_bed_day=per_bed_day)
            assert placed(p, plan) == {"a": "U", "b": "Q"}
            assert not plan_violations(p, plan)
    plain = min(
        plan_objective(p, solve_greedy(p, per_bed=b, per_bed_day=d).plan)
        for d, b in greedy_orders(p)
    )
    best = min(plan_objective(p, plan) for plan in greedy_plans(p, form))
    assert best == pytest.approx(2.0)  # a's penalty (weighted days); both from day 0
    assert best < plain


def test_no_priced_orders_without_a_binding_budget() -> None:
    p = budget_spent_first()
    loose = dataclasses.replace(p, budget=np.array([200.0]))
    assert priced_orders(loose) == []
    assert len(greedy_plans(loose, build_formulation(loose))) == len(greedy_orders(loose))


def demanded(p: MatchingProblem, prices: np.ndarray) -> np.ndarray:
    """Per stream, what each case's best priced option at day 0 spends (a plain loop)."""
    spent = np.zeros(len(p.stream_ids))
    for c in range(p.n_cases):
        best, pick = 0.0, -1
        for k in np.flatnonzero(p.opt_case == c).tolist():
            s = int(p.opt_stream[k])
            value = p.opt_penalty[k] - p.unplaced_cost[c]
            if s >= 0 and p.opt_cost[k] > 0:
                value += prices[s] * p.opt_cost[k]
            if value < best:
                best, pick = value, k
        if pick >= 0 and p.opt_stream[pick] >= 0:
            spent[int(p.opt_stream[pick])] += p.opt_cost[pick]
    return spent


@pytest.mark.parametrize("seed", range(8))
def test_the_estimated_price_meets_the_budget_between_a_little_less_and_a_little_more(
    ref: ModuleType, seed: int
) -> None:
    """One stream, checked by a plain loop: at 0.9 x its price the cases ask for more
    than its budget, at 1.1 x for at most it. With a budget the cases' best options fit
    even at no price, no price and no priced orders."""
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=40, n_facilities=5, horizon=12, n_streams=1, budget_share=1.0
        )
    )
    asked = demanded(p, np.zeros(1))[0]
    assert asked > 0
    if binding_streams(p).size and asked <= p.budget[0]:
        assert estimated_prices(p).tolist() == [0.0]
        assert priced_orders(p) == []
    tight = dataclasses.replace(p, budget=np.array([0.3 * asked]))
    (price,) = estimated_prices(tight)
    assert demanded(tight, np.array([0.9 * price]))[0] > tight.budget[0]
    assert demanded(tight, np.array([1.1 * price]))[0] <= tight.budget[0]
    assert priced_orders(tight)


@pytest.mark.parametrize("seed", range(8))
def test_only_streams_that_can_bind_are_priced(ref: ModuleType, seed: int) -> None:
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=40, n_facilities=5, horizon=12, n_streams=3, budget_share=0.5
        )
    )
    prices = estimated_prices(p)
    binding = set(binding_streams(p).tolist())
    assert set(np.flatnonzero(prices).tolist()) <= binding


@pytest.mark.parametrize("seed", range(16))
def test_priced_plans_keep_every_rule_and_are_the_same_with_or_without_a_formulation(
    ref: ModuleType, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    p = problem_from_dict(
        ref.random_instance(
            seed,
            n_cases=30,
            n_facilities=5,
            horizon=14,
            n_streams=3,
            budget_share=float(rng.choice([0.0, 0.5, 1.0])),
            n_keep_apart=3,
        )
    )
    form = build_formulation(p)
    orders = priced_orders(p)
    if not estimated_prices(p).any():
        assert orders == []
    else:
        assert len(orders) == 2 + int(any(d for d, _ in orders))
    for per_bed_day, prices in orders:
        plan = priced_plan(p, prices, per_bed_day=per_bed_day)
        assert not plan_violations(p, plan)
        assert plan == priced_plan(p, prices, form, per_bed_day=per_bed_day)
