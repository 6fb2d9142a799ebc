"""The time-indexed formulation built from arrays, checked against plain loops."""

from __future__ import annotations

import dataclasses
from types import ModuleType

import numpy as np
import pytest

from matching.evaluation import plan_violations
from matching.formulation import (
    build_formulation,
    candidate_days,
    candidate_mask,
    column_estimate,
    fit_reach,
    open_start_days,
    window_min,
)
from matching.greedy import solve_greedy
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict


def small(ref: ModuleType, seed: int, **kwargs: object) -> MatchingProblem:
    settings: dict[str, object] = {"n_cases": 8, "n_facilities": 3, "horizon": 9, "max_free": 3}
    settings.update(kwargs)
    return problem_from_dict(ref.random_instance(seed, **settings))


def test_window_min_matches_slices() -> None:
    rng = np.random.default_rng(0)
    values = rng.integers(0, 9, (4, 13)).astype(np.int32)
    rows = rng.integers(0, 4, 500)
    start = rng.integers(0, 13, 500)
    end = np.minimum(start + rng.integers(1, 14, 500), 13)
    expected = [values[r, a:b].min() for r, a, b in zip(rows, start, end, strict=True)]
    assert window_min(values, rows, start, end).tolist() == expected


def test_fit_reach_is_the_first_short_day_from_each_day_on() -> None:
    rng = np.random.default_rng(1)
    free = rng.integers(0, 5, (6, 11)).astype(np.int32)
    reach = fit_reach(free, 4)
    for b in range(5):
        for f in range(6):
            for d in range(11):
                short = [t for t in range(d, 11) if free[f, t] < b]
                assert reach[b, f, d] == (short[0] if short else 11)


@pytest.mark.parametrize("seed", range(20))
def test_columns_are_the_fitting_useful_pairs_on_candidate_days(ref: ModuleType, seed: int) -> None:
    p = small(ref, seed)
    form = build_formulation(p)
    days = candidate_days(p)
    stay = p.stay_to
    expected = set()
    for k in range(p.n_options):
        c, f = int(p.opt_case[k]), int(p.opt_facility[k])
        for d in days[f].tolist():
            end = min(d + int(stay[k]), p.horizon_days)
            cost = p.case_weight[c] * d + p.opt_penalty[k]
            if p.free_beds[f, d:end].min() >= p.case_beds[c] and cost < p.unplaced_cost[c]:
                expected.add((k, d))
    got = list(zip(form.var_option.tolist(), form.var_day.tolist(), strict=True))
    assert got == sorted(expected)


@pytest.mark.parametrize("seed", range(40))
def test_capacity_rows_hold_exactly_when_every_day_has_room(ref: ModuleType, seed: int) -> None:
    """Random one-per-case choices of columns: the rows agree with a day-by-day check."""
    p = small(ref, seed, n_cases=10, n_facilities=2, max_free=2, n_streams=0)
    form = build_formulation(p)
    rows, cols, vals, rhs = form.capacity_rows()
    rng = np.random.default_rng(seed)
    for _ in range(30):
        x = np.zeros(form.n_vars)
        for c in range(p.n_cases):
            own = np.flatnonzero(form.var_case == c)
            if own.size and rng.random() < 0.7:
                x[rng.choice(own)] = 1.0
        use = np.zeros(rhs.size)
        np.add.at(use, rows, vals * x[cols])
        plan = [(int(form.var_option[i]), int(form.var_day[i])) for i in np.flatnonzero(x)]
        over = [v for v in plan_violations(p, plan) if "over capacity" in v]
        assert bool((use <= rhs).all()) == (not over)


def test_capacity_is_checked_on_a_day_the_free_beds_fall() -> None:
    p = problem_from_dict(
        {
            "format": "opvang-problem/1",
            "horizon_days": 4,
            "facilities": [{"id": "F", "free_beds": [2, 2, 1, 1]}],
            "cases": [{"id": "A", "beds": 1, "weight": 1.0}, {"id": "B", "beds": 1, "weight": 1.0}],
            "options": [{"case": "A", "facility": "F"}, {"case": "B", "facility": "F"}],
        }
    )
    form = build_formulation(p)
    assert form.check_days[0].tolist() == [0, 2]  # day 0 starts; day 2 the beds fall
    rows, _, _, rhs = form.capacity_rows()
    assert rhs.tolist() == [1.0]
    assert rows.size == 2


def test_budget_rows_only_for_streams_that_can_bind(ref: ModuleType) -> None:
    p = small(ref, 3, n_streams=3, budget_share=1.0)
    form = build_formulation(p)
    rows, cols, vals, rhs = form.budget_rows()
    for r, s in enumerate(form.binding_streams.tolist()):
        members = cols[rows == r]
        assert (p.opt_stream[form.var_option[members]] == s).all()
        assert rhs[r] == p.budget[s]
        assert np.allclose(vals[rows == r], p.opt_cost[form.var_option[members]])


def test_subset_rows_are_the_whole_rows_restricted(ref: ModuleType) -> None:
    p = small(ref, 5)
    form = build_formulation(p)
    subset = np.arange(0, form.n_vars, 3)
    r_all, c_all, v_all, rhs_all = form.capacity_rows()
    r_sub, c_sub, v_sub, rhs_sub = form.capacity_rows(subset)
    keep = np.isin(c_all, subset)
    assert np.array_equal(rhs_all, rhs_sub)
    assert np.array_equal(r_all[keep], r_sub)
    assert np.array_equal(c_all[keep], c_sub)
    assert np.array_equal(v_all[keep], v_sub)


# issue 11: a formulation restricted to each option's first start days, for rounds whose
# whole model does not fit the time


@pytest.mark.parametrize("seed", range(10))
def test_a_restricted_formulation_is_part_of_the_whole_and_keeps_the_plan(
    ref: ModuleType, seed: int
) -> None:
    p = small(ref, seed, n_cases=20, horizon=15, short_stay_share=0.6)
    whole = build_formulation(p)
    plan = solve_greedy(p, whole, per_bed_day=True).plan
    part = build_formulation(p, max_columns=column_estimate(p) // 3, keep=plan)
    pairs = set(zip(whole.var_option.tolist(), whole.var_day.tolist(), strict=True))
    kept = list(zip(part.var_option.tolist(), part.var_day.tolist(), strict=True))
    assert part.restricted
    assert not whole.restricted
    assert set(kept) <= pairs
    assert len(kept) < len(pairs)
    assert kept == sorted(set(kept))  # sorted by option, then day, each once
    assert set(plan) <= set(kept)
    # capacity is checked on the whole model's days, so its slots and rows are the same
    assert all(np.array_equal(a, b) for a, b in zip(part.check_days, whole.check_days, strict=True))


def test_a_formulation_within_its_column_limit_is_the_whole(ref: ModuleType) -> None:
    p = small(ref, 1, short_stay_share=0.6)
    whole = build_formulation(p)
    same = build_formulation(p, max_columns=column_estimate(p))
    assert not same.restricted
    assert same.var_option.tolist() == whole.var_option.tolist()
    assert same.var_day.tolist() == whole.var_day.tolist()
    assert column_estimate(p) >= whole.n_vars


def _closure(p: MatchingProblem, f: int) -> list[int]:
    """Candidate days of facility ``f`` by search: day 0 and the rises, then chains of stays."""
    h = p.horizon_days
    start = {0} | {d for d in range(1, h) if p.free_beds[f, d] > p.free_beds[f, d - 1]}
    stays = {int(s) for s in p.stay_to[p.opt_facility == f].tolist() if 0 < s < h}
    seen, todo = set(start), list(start)
    while todo:
        d = todo.pop()
        for s in stays:
            if d + s < h and d + s not in seen:
                seen.add(d + s)
                todo.append(d + s)
    return sorted(seen)


@pytest.mark.parametrize("seed", range(30))
def test_candidate_days_are_the_rises_and_every_chain_of_stays_from_them(
    ref: ModuleType, seed: int
) -> None:
    """Against a plain search, with stays of every length (the sweep found 4.2 s there)."""
    rng = np.random.default_rng(seed)
    horizon = int(rng.integers(2, 40))
    p = small(ref, seed, n_cases=12, n_facilities=4, horizon=horizon, short_stay_share=0.7)
    if seed % 2:  # stays of any length, not only the reference's few
        stay = rng.integers(1, horizon + 3, p.n_options).astype(np.int32)
        p = dataclasses.replace(p, opt_stay=np.where(rng.random(p.n_options) < 0.8, stay, -1))
    mask = candidate_mask(p)
    for f in range(p.n_facilities):
        assert np.flatnonzero(mask[f]).tolist() == _closure(p, f)


@pytest.mark.parametrize("seed", range(5))
def test_open_start_days_are_the_candidate_days_with_a_free_bed_once_per_problem(
    ref: ModuleType, seed: int
) -> None:
    """Issue 11: each greedy order and the bound made the mask again (0.05 s a time on a
    1-s round of 6,000 cases); a problem is immutable, so once is enough."""
    p = small(ref, seed, short_stay_share=0.5)
    days = open_start_days(p)
    assert days.tolist() == (candidate_mask(p) & (p.free_beds > 0)).tolist()
    assert open_start_days(p) is days
    assert not days.flags.writeable
    other = dataclasses.replace(p, free_beds=np.zeros_like(p.free_beds))
    assert not open_start_days(other).any()  # another problem, its own days
