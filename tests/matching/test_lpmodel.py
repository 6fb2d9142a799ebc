"""The assembled model and the bound any duals prove."""

from __future__ import annotations

import time
from types import ModuleType

import numpy as np
import pytest

from matching import lpmodel
from matching.arcflow import build_arcflow
from matching.formulation import Formulation, build_formulation
from matching.lpmodel import LinearModel, assemble, lagrangian_bound, reduced_costs
from matching.mip import new_highs, pass_model, run_guarded
from matching.problem_io import problem_from_dict


def solved_lp(data: dict[str, object]) -> tuple[object, object, float, np.ndarray]:
    form = build_formulation(problem_from_dict(data))
    model = assemble(form, build_arcflow(form))
    h = new_highs(seed=0, threads=1, time_limit=10, relative_gap=0)
    pass_model(h, model, integer=False)
    run = run_guarded(h, time.perf_counter() + 10, lp=True)
    assert run.optimal
    assert run.row_dual is not None
    return form, model, run.objective, run.row_dual


@pytest.mark.parametrize("seed", range(15))
def test_bound_from_optimal_duals_is_the_lp_optimum(ref: ModuleType, seed: int) -> None:
    data = ref.random_instance(seed, n_cases=10, n_facilities=3, horizon=8, n_keep_apart=2)
    _, model, value, duals = solved_lp(data)
    assert lagrangian_bound(model, duals) == pytest.approx(value, abs=1e-6)


@pytest.mark.parametrize("seed", range(15))
def test_any_duals_give_a_bound_below_the_optimum(ref: ModuleType, seed: int) -> None:
    data = ref.random_instance(seed, n_cases=8, n_facilities=3, horizon=6, n_keep_apart=1)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    _, model, _, duals = solved_lp(data)
    rng = np.random.default_rng(seed)
    for scale in (0.0, 0.5, 2.0):
        noisy = duals * scale + rng.normal(0, 5, duals.size)  # wrong signs included
        assert lagrangian_bound(model, noisy) <= optimum + 1e-6


def test_reduced_costs_vanish_on_basic_columns(ref: ModuleType) -> None:
    data = ref.random_instance(1, n_cases=10, n_facilities=3, horizon=8)
    _form, model, _, duals = solved_lp(data)
    h = new_highs(seed=0, threads=1, time_limit=10, relative_gap=0)
    pass_model(h, model, integer=False)
    run = run_guarded(h, time.perf_counter() + 10, lp=True)
    assert run.col_value is not None
    inside = (run.col_value > 1e-7) & (run.col_value < 1 - 1e-7)
    assert np.allclose(reduced_costs(model, duals)[inside], 0.0, atol=1e-6)


def test_columns_subset_keeps_the_whole_row_set(ref: ModuleType) -> None:
    form = build_formulation(
        problem_from_dict(ref.random_instance(2, n_cases=10, n_facilities=3, horizon=8))
    )
    whole = assemble(form)
    part = assemble(form, columns=np.arange(0, form.n_vars, 2))
    assert part.n_rows == whole.n_rows
    assert np.allclose(part.matrix.toarray(), whole.matrix.toarray()[:, ::2])


def _lp_value(model) -> float:
    h = new_highs(seed=0, threads=1, time_limit=10, relative_gap=0)
    pass_model(h, model, integer=False)
    run = run_guarded(h, time.perf_counter() + 10, lp=True)
    assert run.optimal
    assert run.row_dual is not None
    assert lagrangian_bound(model, run.row_dual) == pytest.approx(run.objective, abs=1e-6)
    return run.objective


@pytest.mark.parametrize("seed", range(12))
def test_the_capacity_chain_is_the_same_lp_with_far_fewer_entries(ref: ModuleType, seed: int):
    data = ref.random_instance(seed, n_cases=12, n_facilities=3, horizon=10, n_keep_apart=1)
    form = build_formulation(problem_from_dict(data))
    plain, chain = assemble(form), assemble(form, chain=True)
    assert _lp_value(chain) == pytest.approx(_lp_value(plain), abs=1e-6)
    assert chain.matrix.nnz <= plain.matrix.nnz + 3 * chain.n_rows


@pytest.mark.parametrize("seed", range(12))
def test_a_plan_completed_on_the_chain_satisfies_every_row(ref: ModuleType, seed: int):
    from matching.greedy import solve_greedy
    from matching.mip import values_of

    data = ref.random_instance(seed, n_cases=12, n_facilities=3, horizon=10, n_keep_apart=1)
    form = build_formulation(problem_from_dict(data))
    model = assemble(form, chain=True)
    plan = solve_greedy(form.problem, form, per_bed_day=True).plan
    x = model.complete(values_of(form, plan, model.n_cols))
    _assert_satisfies_every_row(model, x)


# issue 11: a budget row over 50,000 columns kept HiGHS's dual simplex 2-3 s in one
# iteration, past its time limit; long budget rows are written as blocks instead


@pytest.mark.parametrize("seed", range(12))
def test_budget_rows_split_into_blocks_give_the_same_lp_and_bound(
    ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = _with_blocks_of(3, ref, seed, monkeypatch)
    whole = assemble(form, build_arcflow(form), chain=True)
    split = assemble(form, build_arcflow(form), chain=True, split=True)
    rows = form.budget_rows()[0]
    long = np.bincount(rows) > 3 if rows.size else np.zeros(0, dtype=bool)
    assert (split.n_blocks > 0) == bool(long.any())
    assert split.n_rows == whole.n_rows + split.n_blocks
    # the same optimum, and the bound its duals prove is that optimum (in _lp_value)
    assert _lp_value(split) == pytest.approx(_lp_value(whole), abs=1e-6)


@pytest.mark.parametrize("seed", range(12))
def test_a_plan_completed_with_split_budget_rows_satisfies_every_row(
    ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching.greedy import solve_greedy
    from matching.mip import values_of

    form = _with_blocks_of(2, ref, seed, monkeypatch)
    model = assemble(form, chain=True, split=True)
    plan = solve_greedy(form.problem, form).plan
    x = model.complete(values_of(form, plan, model.n_cols))
    _assert_satisfies_every_row(model, x)


def _assert_satisfies_every_row(model: LinearModel, x: np.ndarray) -> None:
    ax = model.matrix @ x
    assert (ax <= model.row_upper + 1e-9).all()
    assert (ax >= model.row_lower - 1e-9).all()
    assert (x >= model.col_lower - 1e-9).all()
    assert (x <= model.col_upper + 1e-9).all()


def _with_blocks_of(
    entries: int, ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> Formulation:
    """A small round with two budgets, and budget rows split every ``entries`` entries."""
    monkeypatch.setattr(lpmodel, "LONG_BUDGET_ROW", entries)
    monkeypatch.setattr(lpmodel, "BUDGET_BLOCK", entries)
    data = ref.random_instance(seed, n_cases=12, n_facilities=3, horizon=10, n_streams=2)
    return build_formulation(problem_from_dict(data))
