"""The bound with the budgets kept whole (issue 11): valid at any bed prices, at least the LP's.

Small rounds with budgets are checked against the independent reference's optimum
(``reference.mip_optimum``, every start day); at column generation's duals the bound is at
least the LP's, and on a round where a budget pays for part of a placement in the LP
(unseen sweep seed 3533's kind: the LP at 41 % of the optimum) it is the optimum.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.large as large
from matching.capacity_bound import Relaxation
from matching.colgen import MasterLP, column_generation
from matching.facility_bound import bed_prices
from matching.formulation import Formulation, build_formulation
from matching.knapsack_bound import MAX_COLUMNS, knapsack_bound, knapsack_fits
from matching.large import solve_large
from matching.mip import Plan
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict

Shaped = Callable[[int, str], tuple[MatchingProblem, float]]  # the `shaped` fixture
TOL = 1e-6
BUDGET_SHAPES = ("binding-budgets", "region-budgets", "mixed")
KEPT = "bound with the budgets kept whole"


def complete_lp(problem: MatchingProblem) -> tuple[Formulation, MasterLP]:
    form = build_formulation(problem)
    master = column_generation(
        form, deadline=time.perf_counter() + 30, start=np.zeros(0, np.int64), max_rounds=500
    )
    assert master.complete
    return form, master


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(BUDGET_SHAPES))
def test_at_the_lp_duals_it_lies_between_the_lp_and_the_optimum(
    shaped: Shaped, seed: int, shape: str
) -> None:
    problem, optimum = shaped(seed, shape)
    form, master = complete_lp(problem)
    lam, _ = bed_prices(form, master)
    found = knapsack_bound(Relaxation(problem), lam, deadline=time.perf_counter() + 30)
    tol = TOL * max(1.0, abs(optimum))
    assert found.bound <= optimum + tol
    if found.optimal and problem.keep_apart.shape[0] == 0:  # keep-apart rows priced at 0
        assert found.bound >= master.bound - tol


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shape=st.sampled_from(BUDGET_SHAPES),
    prices=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 10.0, 100.0]),
)
def test_any_bed_prices_give_a_bound_at_most_the_optimum_and_above_pricing_the_budgets(
    shaped: Shaped, seed: int, shape: str, prices: int, scale: float
) -> None:
    """Weak duality whatever the prices; and keeping the budgets whole can only gain on
    pricing them (the Lagrangian over beds and budgets at the same bed prices, any budget
    prices)."""
    problem, optimum = shaped(seed, shape)
    relax = Relaxation(problem)
    rng = np.random.default_rng(prices)
    cells = problem.free_beds.shape
    lam = scale * rng.exponential(size=cells) * (rng.random(cells) < 0.5)
    mu = scale / 100 * rng.exponential(size=relax.streams.size)
    found = knapsack_bound(relax, lam, deadline=time.perf_counter() + 30)
    tol = TOL * max(1.0, abs(optimum))
    assert found.bound <= optimum + tol
    if relax.streams.size and found.optimal:
        assert found.bound >= relax.solve(lam, mu)[0] - tol


def a_budget_for_one_and_a_half() -> dict[str, object]:
    """Three cases, beds for all, a budget that pays for one and a half placements.

    The LP places one and a half; whole, one case goes and two wait (issue 11: sweep seed
    3533 has this in each of its eight regions).
    """
    return {
        "format": "opvang-problem/1",
        "horizon_days": 10,
        "facilities": [{"id": "F", "free_beds": [3] * 10}],
        "cases": [
            {"id": c, "beds": 1, "weight": w} for c, w in zip("ABC", (3.0, 2.0, 1.0), strict=True)
        ],
        "options": [
            {"case": c, "facility": "F", "penalty": 0.0, "cost": 2.0, "stream": "S"} for c in "ABC"
        ],
        "budgets": [{"stream": "S", "amount": 3.0}],
    }


def test_a_budget_for_part_of_a_placement_is_kept_whole(ref: ModuleType) -> None:
    data = a_budget_for_one_and_a_half()
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    problem = problem_from_dict(data)
    form, master = complete_lp(problem)
    assert master.bound < optimum - 1.0  # the budget pays for half of B in the LP
    lam, _ = bed_prices(form, master)
    found = knapsack_bound(Relaxation(problem), lam, deadline=time.perf_counter() + 10)
    assert found.optimal
    assert found.columns == 3
    assert found.bound == pytest.approx(optimum, abs=1e-4)  # less the safety margin


def test_no_time_proves_nothing_and_no_binding_budget_is_not_tried() -> None:
    problem = problem_from_dict(a_budget_for_one_and_a_half())
    relax = Relaxation(problem)
    lam = np.zeros(problem.free_beds.shape)
    late = knapsack_bound(relax, lam, deadline=time.perf_counter() - 1)
    assert late.bound == -np.inf
    loose = a_budget_for_one_and_a_half()
    loose["budgets"] = [{"stream": "S", "amount": 6.0}]  # pays for all three
    assert not knapsack_fits(build_formulation(problem_from_dict(loose)))
    assert knapsack_bound(Relaxation(problem_from_dict(loose)), lam, deadline=np.inf).bound == (
        -np.inf
    )


def many_paid_options(n: int) -> MatchingProblem:
    data = a_budget_for_one_and_a_half()
    data["cases"] = [{"id": f"c{i}", "beds": 1, "weight": 1.0} for i in range(n)]
    data["options"] = [
        {"case": f"c{i}", "facility": "F", "penalty": 0.0, "cost": 2.0, "stream": "S"}
        for i in range(n)
    ]
    return problem_from_dict(data)


def test_rounds_with_many_paid_options_are_left_to_the_other_bounds() -> None:
    """The MIP over thousands of a budget's options did not close in 30 s (budget shapes
    at S): such rounds are not tried."""
    assert knapsack_fits(build_formulation(many_paid_options(MAX_COLUMNS)))
    assert not knapsack_fits(build_formulation(many_paid_options(MAX_COLUMNS + 1)))


def test_large_rounds_report_it_after_a_complete_column_generation(ref: ModuleType) -> None:
    """The answer's bound is the optimum (60), where column generation's LP proves 40."""
    data = a_budget_for_one_and_a_half()
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    out = solve_large(problem_from_dict(data), deadline=time.perf_counter() + 10)
    assert out.bound == pytest.approx(optimum, abs=1e-4)
    assert any(KEPT in note for note in out.notes)


def test_after_an_incomplete_column_generation_the_lagrangian_keeps_them_whole(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Column generation stops after one round (as at T = 1 s on seed 3533): the Lagrangian
    over beds and budgets runs, and its bed prices with the budget kept whole prove the
    optimum."""
    data = a_budget_for_one_and_a_half()
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    real = large.column_generation

    def one_round(*args: Any, **kw: Any) -> Any:
        return real(*args, **{**kw, "max_rounds": 1})

    def nothing(form: Any, master: Any, plan: Plan, *args: Any) -> tuple[Plan, float]:
        return plan, -float("inf")

    monkeypatch.setattr(large, "column_generation", one_round)
    monkeypatch.setattr(large, "_budget_stage", nothing)
    problem = problem_from_dict(data)
    form = build_formulation(problem)
    master = one_round(form, deadline=time.perf_counter() + 10, start=np.zeros(0, np.int64))
    assert not master.complete
    out = solve_large(problem, deadline=time.perf_counter() + 5)
    assert out.bound == pytest.approx(optimum, abs=1e-4)
    assert any(KEPT in note for note in out.notes)


@pytest.mark.slow
def test_the_sweep_round_whose_lp_proved_two_fifths_of_its_optimum() -> None:
    """Unseen sweep seed 3533 (80 cases over 180 days, a budget per region at 70 % of what
    the greedy spends): answered with the optimal plan and a gap of 59 % at T = 1-10 s
    (column generation's LP and the facilities' bound, 360.6 against 884.5); with the
    budgets kept whole 0.5-1.2 %. The margin here is for a busy machine."""
    from benchmarks.matching.sweep import draw
    from matching import SolveParams, solve

    problem, _, _ = draw(3533)
    out = solve(problem, SolveParams(time_limit=5.0))
    assert out.bound <= out.objective
    assert out.objective - out.bound < 0.1 * out.objective
