"""Column generation: it ends at the whole LP, and every round's bound is proven."""

from __future__ import annotations

import math
import time
from types import ModuleType

import pytest

from matching.colgen import column_generation
from matching.formulation import build_formulation, plan_columns
from matching.greedy import solve_greedy
from matching.instances import SIZES, random_problem
from matching.lpmodel import assemble
from matching.mip import new_highs, pass_model, run_guarded
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict


def whole_lp(problem: MatchingProblem) -> float:
    form = build_formulation(problem)
    h = new_highs(seed=0, threads=1, time_limit=30, relative_gap=0)
    pass_model(h, assemble(form), integer=False)
    run = run_guarded(h, time.perf_counter() + 30, lp=True)
    assert run.optimal
    return run.objective


def generate(problem: MatchingProblem, max_rounds: int = 60) -> object:
    form = build_formulation(problem)
    start = plan_columns(form, solve_greedy(problem, form, per_bed=True).plan)
    return column_generation(
        form, deadline=time.perf_counter() + 60, start=start, threads=1, max_rounds=max_rounds
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_column_generation_ends_at_the_whole_lp_on_s(seed: int) -> None:
    problem = random_problem(SIZES["S"], seed)
    master = generate(problem)
    assert master.complete
    assert master.bound == pytest.approx(whole_lp(problem), rel=1e-7)
    assert master.lp_value == pytest.approx(master.bound, rel=1e-7)


@pytest.mark.parametrize("seed", range(12))
def test_every_round_proves_a_bound_below_the_optimum(ref: ModuleType, seed: int) -> None:
    data = ref.random_instance(seed, n_cases=9, n_facilities=3, horizon=7, n_keep_apart=2)
    problem = problem_from_dict(data)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    for rounds in (1, 2, 60):
        master = generate(problem, max_rounds=rounds)
        assert master.bound <= optimum + 1e-6
    assert master.complete
    assert master.bound == pytest.approx(whole_lp(problem), abs=1e-6)


def test_no_columns_gives_the_all_unplaced_bound() -> None:
    problem = problem_from_dict(
        {
            "format": "opvang-problem/1",
            "horizon_days": 2,
            "facilities": [{"id": "F", "free_beds": [0, 0]}],
            "cases": [{"id": "A", "beds": 1, "weight": 1.0}],
            "options": [{"case": "A", "facility": "F"}],
        }
    )
    master = generate(problem)
    assert master.complete
    assert not math.isinf(master.bound)
    assert master.bound == pytest.approx(4.0)
