"""The vectorised greedy against a plain loop over cases, options and days."""

from __future__ import annotations

import dataclasses
import time
from types import ModuleType

import numpy as np
import pytest

from matching.evaluation import plan_objective, plan_violations
from matching.formulation import build_formulation, candidate_days
from matching.greedy import (
    greedy_orders,
    greedy_plans,
    priced_orders,
    solve_greedy,
    stays_end_inside,
)
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict
from tests.matching.plain_loop import apart_of, book, cheapest_pair

Plan = list[tuple[int, int]]


def loop_greedy(p: MatchingProblem, *, per_bed: bool = False) -> Plan:
    """Cases by priority (ties by id), each at its cheapest (option, day) that still fits."""
    free = p.free_beds.astype(int).copy()
    spent = np.zeros(len(p.stream_ids))
    days = candidate_days(p)
    apart = apart_of(p)
    where: dict[int, int] = {}
    priority = p.case_weight / p.case_beds if per_bed else p.case_weight
    plan: Plan = []
    for c in sorted(range(p.n_cases), key=lambda c: (-priority[c], p.case_ids[c])):
        best = cheapest_pair(p, c, free, spent, where, days, apart)
        if best is None or best[0] >= p.unplaced_cost[c]:
            continue
        _, k, d = best
        book(p, c, k, d, free, spent, where)
        plan.append((k, d))
    return plan


def instance(ref: ModuleType, seed: int) -> MatchingProblem:
    return problem_from_dict(
        ref.random_instance(
            seed, n_cases=12, n_facilities=4, horizon=10, n_keep_apart=3, budget_share=0.4
        )
    )


@pytest.mark.parametrize("per_bed", [False, True])
@pytest.mark.parametrize("seed", range(30))
def test_greedy_places_as_the_plain_loop_does(ref: ModuleType, seed: int, per_bed: bool) -> None:
    p = instance(ref, seed)
    plan = solve_greedy(p, per_bed=per_bed).plan
    assert not plan_violations(p, plan)
    assert plan_objective(p, plan) == pytest.approx(
        plan_objective(p, loop_greedy(p, per_bed=per_bed))
    )


@pytest.mark.parametrize("per_bed", [False, True])
@pytest.mark.parametrize("seed", range(20))
def test_ties_go_to_the_first_option_and_day_as_in_the_plain_loop(
    ref: ModuleType, seed: int, per_bed: bool
) -> None:
    """Whole weights and penalties make many pairs cost the same: the greedy without a
    model looks at each option's earliest fitting day only, and must still pick the pair
    the plain loop finds first (families, short stays, budgets and keep-apart pairs)."""
    rng = np.random.default_rng(seed)
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=25, n_facilities=5, horizon=14, n_keep_apart=4, max_family_beds=4
        )
    )
    p = dataclasses.replace(
        p,
        case_weight=rng.integers(1, 3, p.n_cases).astype(np.float64),
        opt_penalty=rng.integers(0, 3, p.n_options).astype(np.float64),
    )
    plan = solve_greedy(p, per_bed=per_bed).plan
    assert plan
    assert plan == loop_greedy(p, per_bed=per_bed)


@pytest.mark.parametrize("seed", range(10))
def test_greedy_keeps_a_start_plan_and_fills_around_it(ref: ModuleType, seed: int) -> None:
    p = instance(ref, seed)
    first = solve_greedy(p, per_bed=True).plan
    kept = first[: len(first) // 2]
    plan = solve_greedy(p, start=kept).plan
    assert plan[: len(kept)] == kept
    assert not plan_violations(p, plan)


def test_per_bed_order_puts_two_singles_before_a_heavier_family() -> None:
    p = problem_from_dict(
        {
            "format": "opvang-problem/1",
            "horizon_days": 2,
            "facilities": [{"id": "F", "free_beds": [2, 2]}],
            "cases": [
                {"id": "fam", "beds": 2, "weight": 3.0},
                {"id": "a", "beds": 1, "weight": 2.0},
                {"id": "b", "beds": 1, "weight": 2.0},
            ],
            "options": [{"case": c, "facility": "F"} for c in ("fam", "a", "b")],
        }
    )
    by_weight = {p.case_ids[int(p.opt_case[k])] for k, _ in solve_greedy(p).plan}
    by_bed = {p.case_ids[int(p.opt_case[k])] for k, _ in solve_greedy(p, per_bed=True).plan}
    assert by_weight == {"fam"}
    assert by_bed == {"a", "b"}
    assert (False, True) in greedy_orders(p)  # ranks the cases otherwise: it runs


@pytest.mark.parametrize("family_share", [0.0, 0.3])
@pytest.mark.parametrize("seed", range(12))
def test_the_per_bed_order_is_left_out_only_when_its_plan_is_the_priority_orders(
    ref: ModuleType, seed: int, family_share: float
) -> None:
    """With every case on one bed the per-bed order ranks the cases as the priority order
    does, so its plan is the same and it is not run (a third of the greedy's time on the
    robustness sweep's single-bed rounds at T = 1 s on 6,000 cases); ``greedy_plans``
    then makes one plan per order left."""
    p = problem_from_dict(
        ref.random_instance(
            seed,
            n_cases=20,
            n_facilities=4,
            horizon=10,
            family_share=family_share,
            max_family_beds=4,
            n_keep_apart=2,
        )
    )
    orders = greedy_orders(p)
    if not family_share:
        assert orders == [(False, False), *([(True, False)] * stays_end_inside(p))]
    if (False, True) not in orders:
        assert solve_greedy(p, per_bed=True).plan == solve_greedy(p).plan
    assert len(greedy_plans(p, build_formulation(p))) == len(orders) + len(priced_orders(p))


def test_past_the_deadline_only_the_priority_order_runs(ref: ModuleType) -> None:
    """Sweep seed 1949 (5,900 cases in one part, T = 1 s): three plain orders of 0.38 s
    each ran whatever the time left, and the answer came after 1.55-1.64 s."""
    p = problem_from_dict(
        ref.random_instance(3, n_cases=20, n_facilities=4, horizon=10, family_share=0.3)
    )
    form = build_formulation(p)
    assert len(greedy_orders(p)) >= 2
    late = greedy_plans(p, form, deadline=time.perf_counter() - 1.0)
    assert late == [solve_greedy(p, form).plan]
    plenty = greedy_plans(p, form, deadline=time.perf_counter() + 60)
    assert len(plenty) == len(greedy_orders(p)) + len(priced_orders(p))


@pytest.mark.parametrize("seed", range(6))
def test_per_bed_day_comes_second_where_stays_end_inside_the_horizon(
    ref: ModuleType, seed: int
) -> None:
    """When time allows two orders only, the second is the per-bed-day order: the better
    of it and the per-bed order on sweep seeds 1949 and 1974 (1,335,978 against 1,384,059;
    660,324 against 866,655) and 1997 (331,356; the priority order 452,047)."""
    p = problem_from_dict(
        ref.random_instance(seed, n_cases=20, n_facilities=4, horizon=10, family_share=0.5)
    )
    orders = greedy_orders(p)
    assert orders[0] == (False, False)
    if stays_end_inside(p):
        assert orders[1] == (True, False)


# issue 11: without a formulation the greedy walks the candidate start days itself (the
# model at L with short stays has 17.7 million columns); the plan must be the same


@pytest.mark.parametrize("order", ["priority", "per_bed", "per_bed_day"])
@pytest.mark.parametrize("seed", range(20))
def test_greedy_without_a_formulation_gives_the_formulations_plan(
    ref: ModuleType, seed: int, order: str
) -> None:
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=30, n_facilities=4, horizon=12, short_stay_share=0.5, n_keep_apart=3
        )
    )
    kwargs = {"per_bed": order == "per_bed", "per_bed_day": order == "per_bed_day"}
    plan = solve_greedy(p, **kwargs).plan
    assert plan
    assert plan == solve_greedy(p, build_formulation(p), **kwargs).plan


@pytest.mark.parametrize("order", ["priority", "per_bed_day"])
@pytest.mark.parametrize("seed", range(12))
def test_the_same_plan_without_a_formulation_with_stays_of_every_length(
    ref: ModuleType, seed: int, order: str
) -> None:
    """Stays of any length and families of up to 5 beds (each stay and bed count is its
    own pass when the greedy without a model finds each option's earliest fitting day)."""
    rng = np.random.default_rng(seed)
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=30, n_facilities=5, horizon=20, max_family_beds=5, max_free=4
        )
    )
    stay = rng.integers(1, 24, p.n_options).astype(np.int32)
    p = dataclasses.replace(p, opt_stay=np.where(rng.random(p.n_options) < 0.7, stay, -1))
    kwargs = {"per_bed_day": order == "per_bed_day"}
    plan = solve_greedy(p, **kwargs).plan
    assert plan
    assert plan == solve_greedy(p, build_formulation(p), **kwargs).plan


def test_a_greedy_past_its_deadline_keeps_only_its_start_plan(ref: ModuleType) -> None:
    p = instance(ref, 3)
    start = solve_greedy(p).plan[:2]
    assert solve_greedy(p, start=start, deadline=time.perf_counter() - 1.0).plan == start


@pytest.mark.parametrize("seed", range(10))
def test_with_every_stay_to_the_horizon_per_bed_day_is_the_per_bed_order(
    ref: ModuleType, seed: int
) -> None:
    """A case's bed-days are then its beds x the horizon: the same order, and the same
    plan, without the bed-days' set-up (9 s of 11 on eligibility-30 L)."""
    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=30, n_facilities=5, horizon=15, max_family_beds=4, short_stay_share=0.0
        )
    )
    assert not stays_end_inside(p)
    per_bed = sorted(loop_greedy(p, per_bed=True))
    for form in (None, build_formulation(p)):
        assert sorted(solve_greedy(p, form, per_bed_day=True).plan) == per_bed


@pytest.mark.parametrize("seed", range(6))
def test_the_per_bed_day_set_up_in_parts_gives_the_same_plan(
    ref: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The set-up looks at the clock between parts of the options (15.5 million unsorted
    binary searches took 4 s); parts of any size give the same order."""
    import matching.greedy as greedy_module

    p = problem_from_dict(
        ref.random_instance(
            seed, n_cases=30, n_facilities=5, horizon=20, max_family_beds=4, short_stay_share=0.6
        )
    )
    whole = solve_greedy(p, per_bed_day=True).plan
    monkeypatch.setattr(greedy_module, "SET_UP_OPTIONS", 7)
    assert solve_greedy(p, per_bed_day=True).plan == whole
    late = solve_greedy(p, per_bed_day=True, deadline=time.perf_counter() - 1.0)
    assert late.plan == []


def test_the_per_bed_day_set_up_stops_between_parts_past_its_deadline(
    ref: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """15.5 million earliest-day searches took 4 s: past the deadline the set-up looks up
    no more parts (before, one search over every option could not be stopped)."""
    import matching.greedy as greedy_module
    from matching.free_beds import FreeBeds

    p = problem_from_dict(
        ref.random_instance(3, n_cases=30, n_facilities=5, horizon=20, short_stay_share=0.6)
    )
    looked: list[int] = []
    earliest = FreeBeds.earliest

    def counted(self: FreeBeds, beds: object, f: np.ndarray, stay: np.ndarray) -> np.ndarray:
        looked.append(f.size)
        return earliest(self, beds, f, stay)  # type: ignore[arg-type]

    monkeypatch.setattr(FreeBeds, "earliest", counted)
    monkeypatch.setattr(greedy_module, "SET_UP_OPTIONS", 7)
    solve_greedy(p, per_bed_day=True, deadline=time.perf_counter() - 1.0)
    assert looked == []
    solve_greedy(p, per_bed_day=True)
    assert looked[: -(-p.n_options // 7)] == [7] * (p.n_options // 7) + (
        [p.n_options % 7] if p.n_options % 7 else []
    )
