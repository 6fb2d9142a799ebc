"""Column generation: it ends at the whole LP, and every round's bound is proven."""

from __future__ import annotations

import importlib
import math
import time
from types import ModuleType

import numpy as np
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


def test_no_columns_are_added_once_the_deadline_has_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding columns cannot be stopped, and none added after the last solve is ever used.

    A robustness sweep's round (6,000 cases over 180 days, T = 5 s) added 234,816 columns
    after the deadline had passed during pricing: 4.4 s, and the round answered at 9-11 s.
    """
    colgen = importlib.import_module("matching.colgen")
    problem = random_problem(SIZES["S"], 1)
    form = build_formulation(problem)
    start = plan_columns(form, solve_greedy(problem, form, per_bed=True).plan)
    deadline = time.perf_counter() + 60
    price = colgen._price

    def slow_price(*args: object) -> object:  # pricing runs past the deadline
        out = price(*args)
        clock = time.perf_counter
        monkeypatch.setattr(colgen.time, "perf_counter", lambda: clock() + 120)
        return out

    monkeypatch.setattr(colgen, "_price", slow_price)
    master = column_generation(form, deadline=deadline, start=start, threads=1)
    assert master.rounds == 1
    assert not master.complete  # columns priced out, but none went in
    assert master.columns.size == master.x.size == master.highs.getNumCol()
    assert (
        master.columns.size
        == colgen.initial_columns(form, colgen.Groups(form.var_case, problem.n_cases), start).size
    )


def test_new_columns_are_cut_to_what_fits_the_time_left() -> None:
    """The most negative columns first, as many as their entries fit."""
    colgen = importlib.import_module("matching.colgen")
    form = build_formulation(random_problem(SIZES["S"], 1))
    first, last = form.var_slots
    new = np.arange(40, dtype=np.int64)
    rc = -np.arange(40, 0, -1, dtype=np.float64)  # column 0 most negative
    entries = 1 + last[new] - first[new]
    assert np.array_equal(colgen._affordable(form, new, rc, 1e9), new)
    seconds = float(entries[:10].sum()) / colgen.ADD_ENTRIES_PER_SECOND
    kept = colgen._affordable(form, new, rc, seconds)
    assert np.array_equal(kept, new[:10])
    assert colgen._affordable(form, new, rc, 0.0).size == 0
