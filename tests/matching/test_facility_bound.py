"""The Lagrangian bound by facility (issue 11): valid at any prices, at least the LP's.

Small instances of every shape are checked against the independent reference's optimum
(``reference.mip_optimum``, every start day); at column generation's duals the bound is
at least the LP's and, where families split over facilities in the LP, above it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.matching.shapes import shape_problem
from matching.capacity_bound import Relaxation
from matching.colgen import MasterLP, column_generation
from matching.facility_bound import FacilityBound, bed_prices, facility_bound, split_facilities
from matching.formulation import Formulation, build_formulation
from matching.large import solve_large
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict

Shaped = Callable[[int, str], tuple[MatchingProblem, float]]  # the `shaped` fixture

TOL = 1e-6
SHAPES = ("short-stays", "families", "binding-budgets", "keep-apart", "mixed", "region-budgets")


def complete_lp(problem: MatchingProblem) -> tuple[Formulation, MasterLP]:
    form = build_formulation(problem)
    master = column_generation(
        form, deadline=time.perf_counter() + 30, start=np.zeros(0, np.int64), max_rounds=500
    )
    assert master.complete
    return form, master


def every_facility(problem: MatchingProblem) -> range:
    return range(problem.n_facilities)


def at_the_duals(form: Formulation, master: MasterLP, facilities: object) -> FacilityBound:
    lam, mu = bed_prices(form, master)
    return facility_bound(
        Relaxation(form.problem),
        lam,
        mu,
        deadline=time.perf_counter() + 10,
        facilities=facilities,  # type: ignore[arg-type]
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(SHAPES))
def test_at_the_lp_duals_it_lies_between_the_lp_and_the_optimum(
    shaped: Shaped, seed: int, shape: str
) -> None:
    problem, optimum = shaped(seed, shape)
    form, master = complete_lp(problem)
    found = at_the_duals(form, master, every_facility(problem))
    tol = TOL * max(1.0, abs(optimum))
    if problem.keep_apart.shape[0] == 0:  # keep-apart rows are priced at 0 here
        assert found.lp_bound == pytest.approx(master.bound, abs=tol)
    assert found.lp_bound - tol <= found.bound <= optimum + tol


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shape=st.sampled_from(SHAPES),
    prices=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 10.0, 100.0]),
)
def test_any_prices_give_a_bound_at_most_the_optimum(
    shaped: Shaped, seed: int, shape: str, prices: int, scale: float
) -> None:
    """Weak duality: the bound holds whatever the prices, not only at good ones."""
    problem, optimum = shaped(seed, shape)
    relax = Relaxation(problem)
    rng = np.random.default_rng(prices)
    shape_ = problem.free_beds.shape
    lam = scale * rng.exponential(size=shape_) * (rng.random(shape_) < 0.5)
    mu = scale / 100 * rng.exponential(size=len(problem.stream_ids))
    found = facility_bound(
        relax, lam, mu, deadline=time.perf_counter() + 10, facilities=every_facility(problem)
    )
    tol = TOL * max(1.0, abs(optimum))
    assert found.lp_bound == pytest.approx(relax.solve(lam, mu[relax.streams])[0], abs=tol)
    assert found.lp_bound - tol <= found.bound <= optimum + tol


def two_families() -> dict[str, object]:
    """Four free beds and two families of three: the LP places one and a third."""
    return {
        "format": "opvang-problem/1",
        "horizon_days": 6,
        "facilities": [{"id": "F", "free_beds": [4, 4, 4, 4, 4, 4]}],
        "cases": [
            {"id": "A", "beds": 3, "weight": 2.0},
            {"id": "B", "beds": 3, "weight": 1.0},
        ],
        "options": [
            {"case": "A", "facility": "F", "penalty": 0.0, "cost": 0.0},
            {"case": "B", "facility": "F", "penalty": 0.0, "cost": 0.0},
        ],
    }


def test_a_facility_solved_whole_closes_the_families_gap(ref: ModuleType) -> None:
    data = two_families()
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    form, master = complete_lp(problem_from_dict(data))
    assert master.lp_value < optimum - 1.0  # the LP splits family B
    assert split_facilities(form, master.columns, master.x).tolist() == [0]
    found = at_the_duals(form, master, [0])
    assert found.bound == pytest.approx(optimum, abs=1e-4)  # less the safety margin
    assert (found.solved, found.tried) == (1, 1)
    nothing = at_the_duals(form, master, [])
    assert nothing.bound == pytest.approx(master.bound, abs=1e-6)


def test_no_time_leaves_the_lp_bound(ref: ModuleType) -> None:
    form, master = complete_lp(problem_from_dict(two_families()))
    lam, mu = bed_prices(form, master)
    relax = Relaxation(form.problem)
    found = facility_bound(relax, lam, mu, deadline=time.perf_counter() - 1, facilities=[0])
    assert found.tried == 0
    assert found.bound == pytest.approx(master.bound, abs=1e-6)


def three_families_taking_turns() -> dict[str, object]:
    """Four free beds, three families of three with two-day stays: six start days each."""
    return {
        "format": "opvang-problem/1",
        "horizon_days": 12,
        "facilities": [{"id": "F", "free_beds": [4] * 12}],
        "cases": [
            {"id": "A", "beds": 3, "weight": 2.0},
            {"id": "B", "beds": 3, "weight": 1.0},
            {"id": "C", "beds": 3, "weight": 1.5},
        ],
        "options": [
            {"case": c, "facility": "F", "penalty": 0.0, "cost": 0.0, "stay_days": 2} for c in "ABC"
        ],
    }


def test_large_rounds_report_it_on_short_stays(ref: ModuleType) -> None:
    """After a complete column generation the bound is the optimum (the LP's is 4.67)."""
    data = three_families_taking_turns()
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    _, master = complete_lp(problem_from_dict(data))
    assert master.lp_value < optimum - 1.0
    out = solve_large(problem_from_dict(data), deadline=time.perf_counter() + 10)
    assert out.bound == pytest.approx(optimum, abs=1e-4)
    assert out.optimal
    assert any("facilities solved whole" in note for note in out.notes)


def test_rounds_with_few_start_days_an_option_skip_it() -> None:
    """Stays to the horizon: one start day an option; the LP's gap is left to the MIP."""
    out = solve_large(problem_from_dict(two_families()), deadline=time.perf_counter() + 10)
    assert not any("facilities solved whole" in note for note in out.notes)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(SHAPES))
def test_large_rounds_bound_stays_between_the_lp_and_the_optimum(
    shaped: Shaped, seed: int, shape: str
) -> None:
    problem, optimum = shaped(seed, shape)
    _, master = complete_lp(problem)
    out = solve_large(problem, deadline=time.perf_counter() + 10)
    tol = TOL * max(1.0, abs(optimum))
    assert master.bound - tol <= out.bound <= optimum + tol


@pytest.mark.slow
def test_on_the_issue_s_round_it_closes_most_of_the_lp_gap() -> None:
    """``issue-11`` S seed 1: LP 5,429.14, the reference's bound after 60 s of branch and
    cut 5,480.3; the split facilities solved whole gave 5,476.1 (no clock cut short here).
    """
    form, master = complete_lp(shape_problem("issue-11", "S", 1))
    assert master.lp_value == pytest.approx(5_429.14, abs=0.01)
    lam, mu = bed_prices(form, master)
    found = facility_bound(
        Relaxation(form.problem),
        lam,
        mu,
        deadline=time.perf_counter() + 300,
        facilities=split_facilities(form, master.columns, master.x),
    )
    assert found.solved == found.tried > 40
    assert 5_470 < found.bound <= 5_542.5  # a plan measured (benchmarks/README.md)
