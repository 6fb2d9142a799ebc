"""RINS on the priced columns (issue 11): feasible, never worse than its start, never
better than the independent exact optimum; and the rounds with many start days take it.
"""

from __future__ import annotations

import time
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.matching.shapes import shape_problem
from matching import large
from matching.capacity_bound import CapacityBound, capacity_bound
from matching.evaluation import plan_objective, plan_violations
from matching.formulation import build_formulation
from matching.greedy import solve_greedy
from matching.mip import Plan
from matching.outcome import Tracker
from matching.priced_rins import PRICED_REACH, priced_columns, rins
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict

TOL = 1e-6
SHAPES = ("short-stays", "families", "binding-budgets", "keep-apart", "mixed", "region-budgets")
LATER = 60.0  # seconds: a deadline no small case reaches


def priced(problem: MatchingProblem, plan: Plan, steps: int = 200) -> CapacityBound:
    return capacity_bound(
        problem,
        deadline=time.perf_counter() + LATER,
        incumbent=plan_objective(problem, plan),
        max_steps=steps,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(SHAPES), empty=st.booleans())
def test_rins_keeps_every_rule_never_loses_and_never_beats_the_optimum(
    ref: ModuleType, seed: int, shape: str, empty: bool
) -> None:
    data = ref.shaped_instance(seed, shape)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    problem = problem_from_dict(data)
    form = build_formulation(problem)
    start: Plan = [] if empty else solve_greedy(problem, form).plan
    found = priced(problem, start or solve_greedy(problem, form).plan)
    plan = rins(form, found, start, deadline=time.perf_counter() + LATER)
    assert plan_violations(problem, plan) == []
    value = plan_objective(problem, plan)
    tol = TOL * max(1.0, abs(optimum))
    assert optimum - tol <= value <= plan_objective(problem, start) + tol


def test_the_priced_columns_are_near_their_cases_cheapest_and_hold_the_plan() -> None:
    problem = shape_problem("short-stays", "S", 1)
    form = build_formulation(problem)
    plan = solve_greedy(problem, form).plan
    found = priced(problem, plan, steps=50)
    columns, reach = priced_columns(form, found, plan)
    assert np.all(np.diff(columns) > 0)
    assert set(large.plan_columns(form, plan).tolist()) <= set(columns.tolist())
    near = np.isfinite(reach)
    assert np.all(reach[near] >= -TOL)
    assert np.all(reach[near] <= PRICED_REACH + TOL)
    # a few a case, not every start day of every option
    assert problem.n_cases <= columns.size < form.n_vars / 4


def test_on_the_short_stay_shape_rins_beats_the_prices_plan() -> None:
    """``short-stays`` S: from the greedy plan, the sub-MIPs find a better one."""
    problem = shape_problem("short-stays", "S", 1)
    form = build_formulation(problem)
    greedy = solve_greedy(problem, form).plan
    found = priced(problem, greedy)
    told: list[float] = []
    plan = rins(
        form,
        found,
        greedy,
        deadline=time.perf_counter() + LATER,
        on_plan=lambda better: told.append(plan_objective(problem, better)),
    )
    assert plan_violations(problem, plan) == []
    assert found.bound <= plan_objective(problem, plan) < plan_objective(problem, greedy)
    assert told
    assert min(told) == pytest.approx(plan_objective(problem, plan))


def test_only_rounds_with_many_start_days_an_option_skip_column_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(large, "RINS_MIN_COLUMNS", 0)
    short = build_formulation(shape_problem("short-stays", "S", 1))
    long = build_formulation(shape_problem("families", "S", 1))
    assert large.many_start_days(short)
    assert not large.many_start_days(long)
    monkeypatch.undo()
    assert not large.many_start_days(short)  # 300 cases: column generation completes


def test_solve_large_on_a_round_of_many_start_days_runs_rins_within_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(large, "RINS_MIN_COLUMNS", 0)
    monkeypatch.setattr(large, "RINS_MIN_SECONDS", 1.0)
    problem = shape_problem("short-stays", "S", 2)
    form = build_formulation(problem)
    greedy = solve_greedy(problem, form).plan
    stages: list[str] = []
    tracker = Tracker(lambda event: stages.append(event.stage), 0, 1, 0.0)
    limit = 4.0
    t0 = time.perf_counter()
    out = large.solve_large(
        problem, deadline=t0 + limit, form=form, plans=[greedy], tracker=tracker
    )
    assert time.perf_counter() - t0 <= limit + 0.5
    assert "colgen" not in stages
    assert "lagrangian-beds" in stages
    assert any("RINS" in note for note in out.notes)
    assert plan_violations(problem, out.plan) == []
    assert out.bound <= plan_objective(problem, out.plan) <= plan_objective(problem, greedy)
