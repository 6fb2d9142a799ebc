"""The LP bound by min-cost flow for rounds whose stays all last to the end (issue 11).

Checked against the independent reference (``reference.mip_optimum``: the time-indexed
model over every start day, written from the format): equal to its LP relaxation without
budgets and keep-apart pairs, at most its optimum with them, exact with one bed a case.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import problem_from_dict
from matching.flow import unit_flow_applies, unit_flow_arcs, unit_flow_bound
from matching.solve import single_case_bound

TOL = 1e-6


def to_the_end(ref: ModuleType, seed: int, *, falling: bool = True, **rules: Any) -> dict[str, Any]:
    """A small round whose stays all last to the end; families, budgets and pairs as asked."""
    return ref.random_instance(
        seed,
        n_cases=int(6 + seed % 7),
        n_facilities=int(2 + seed % 3),
        horizon=int(4 + seed % 5),
        short_stay_share=0.0,
        falling_beds=falling,
        **rules,
    )


def without_rules(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "budgets": [], "keep_apart": []}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), falling=st.booleans())
def test_it_is_the_lp_relaxation_without_budgets_and_pairs(
    ref: ModuleType, seed: int, falling: bool
) -> None:
    """Families of up to 5 beds, free beds that fall inside the horizon or only rise."""
    data = without_rules(to_the_end(ref, seed, falling=falling, max_family_beds=5))
    problem = problem_from_dict(data)
    assert unit_flow_applies(problem)
    lp, _ = ref.mip_optimum(ref.Reference.from_dict(data), relaxed=True)
    assert unit_flow_bound(problem) == pytest.approx(lp, rel=TOL, abs=1e-4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_with_budgets_and_pairs_it_is_still_a_bound(ref: ModuleType, seed: int) -> None:
    data = to_the_end(ref, seed, n_keep_apart=3, budget_share=1.0)
    problem = problem_from_dict(data)
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    found = unit_flow_bound(problem)
    assert single_case_bound(problem) - TOL <= found <= optimum + TOL * max(1.0, abs(optimum))


@pytest.mark.parametrize("seed", range(4))
def test_with_one_bed_a_case_it_is_the_optimum(ref: ModuleType, seed: int) -> None:
    data = without_rules(to_the_end(ref, seed, family_share=0.0))
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    assert unit_flow_bound(problem_from_dict(data)) == pytest.approx(optimum, abs=1e-4)


def test_it_refuses_stays_that_end_inside_the_horizon_and_counts_its_arcs(
    ref: ModuleType,
) -> None:
    short = problem_from_dict(ref.random_instance(1, n_cases=8, n_facilities=3, horizon=6))
    assert not unit_flow_applies(short)
    data = without_rules(to_the_end(ref, 3, falling=False))
    problem = problem_from_dict(data)
    releases = {  # (facility, day) where free beds rise, by the format's own reading
        (f["id"], d)
        for f in data["facilities"]
        for d, beds in enumerate(f["free_beds"])
        if beds > (f["free_beds"][d - 1] if d else 0)
    }
    expected = sum(1 for o in data["options"] for f, _ in releases if f == o["facility"])
    assert unit_flow_arcs(problem) == expected
