"""Shadow prices: the LP value of one more bed agrees with re-solving with that bed."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capacity import PlacementType
from matching import MatchingError, MatchingProblem, SolveParams, bed_values, shadow, solve
from matching.formulation import build_formulation
from matching.instances import SIZES, random_problem
from matching.mip import load_model, new_highs
from matching.shadow import facility_bed_values


def problem(free_a: int, free_b: int) -> MatchingProblem:
    """Three single cases; A is full for everyone, B has room for whoever may go there."""
    h = 10
    return MatchingProblem(
        horizon_days=h,
        unplaced_penalty_days=10.0,
        facility_ids=("A", "B"),
        free_beds=np.array([[free_a] * h, [free_b] * h], dtype=np.int32),
        case_ids=("C1", "C2", "C3"),
        case_beds=np.ones(3, dtype=np.int32),
        case_weight=np.array([3.0, 2.0, 1.0]),
        opt_case=np.array([0, 1, 2, 2], dtype=np.int32),
        opt_facility=np.array([0, 0, 0, 1], dtype=np.int32),
        opt_penalty=np.zeros(4),
        opt_stay=np.full(4, -1, dtype=np.int32),
        opt_cost=np.zeros(4),
        opt_stream=np.full(4, -1, dtype=np.int32),
    )


def test_a_binding_facility_is_worth_what_one_more_bed_saves():
    base = problem(1, 1)
    values = facility_bed_values(base)
    saved = solve(base, SolveParams()).objective - solve(problem(2, 1), SolveParams()).objective
    assert saved == pytest.approx(
        2.0 * 20
    )  # C2 no longer waits past the horizon (20 days x weight 2)
    assert values[0] == pytest.approx(saved)
    assert values[1] == 0.0  # B has a bed to spare


def test_no_binding_rows_no_value():
    values = facility_bed_values(problem(5, 5))
    assert values.tolist() == [0.0, 0.0]


def two_binding() -> MatchingProblem:
    """A and B each have one bed and two cases that can only go there: both are binding."""
    h = 10
    return MatchingProblem(
        horizon_days=h,
        unplaced_penalty_days=10.0,
        facility_ids=("A", "B"),
        free_beds=np.ones((2, h), dtype=np.int32),
        case_ids=("C1", "C2", "C3", "C4"),
        case_beds=np.ones(4, dtype=np.int32),
        case_weight=np.array([4.0, 3.0, 2.0, 1.0]),
        opt_case=np.arange(4, dtype=np.int32),
        opt_facility=np.array([0, 0, 1, 1], dtype=np.int32),
        opt_penalty=np.zeros(4),
        opt_stay=np.full(4, -1, dtype=np.int32),
        opt_cost=np.zeros(4),
        opt_stream=np.full(4, -1, dtype=np.int32),
    )


def out_of_time_after(monkeypatch: pytest.MonkeyPatch, runs: int, status: str) -> list[int]:
    """Let ``runs`` LPs finish, then make every further run end with ``status``."""
    calls: list[int] = []
    real = shadow.run_guarded

    def run(h, deadline, *, lp=False):
        calls.append(1)
        out = real(h, deadline, lp=lp)
        if len(calls) > runs:
            return replace(out, optimal=False, status=status, row_dual=None)
        return out

    monkeypatch.setattr(shadow, "run_guarded", run)
    return calls


def test_a_tiny_time_budget_values_nothing_and_says_so():
    values = facility_bed_values(two_binding(), time_limit=1e-9)
    assert np.isnan(values).all()


def test_time_running_out_between_re_solves_keeps_the_values_already_found(monkeypatch):
    full = facility_bed_values(two_binding())
    assert (full > 0).all()
    calls = out_of_time_after(monkeypatch, 2, "Time limit reached")  # the base LP and one more
    values = facility_bed_values(two_binding())
    assert len(calls) == 3
    # A's capacity rows are worth more (weights 4 and 3 against 2 and 1): re-solved first
    assert values[0] == pytest.approx(full[0])
    assert np.isnan(values[1])


def test_bed_values_name_the_facilities_not_valued_in_time(monkeypatch):
    out_of_time_after(monkeypatch, 2, "Time limit reached")
    built = SimpleNamespace(
        problem=two_binding(),
        snapshot=SimpleNamespace(
            facilities=[
                SimpleNamespace(id=f, placement_type=PlacementType.WOMENS_SHELTER, region_id=r)
                for f, r in (("A", "utrecht"), ("B", "groningen"))
            ]
        ),
    )
    values = bed_values(built, time_limit=30.0)  # type: ignore[arg-type]
    assert values.skipped == ("B",)
    assert not values.complete
    assert [(v.facility_id, v.region_id) for v in values] == [("A", "utrecht")]
    assert values[:5] == (values[0],)


def test_an_lp_that_fails_otherwise_is_a_matching_error(monkeypatch):
    out_of_time_after(monkeypatch, 0, "Unbounded")
    with pytest.raises(MatchingError, match="Unbounded"):
        facility_bed_values(two_binding())


def test_each_lp_gets_the_time_left_whatever_the_instance_clock_says(monkeypatch):
    # HiGHS counts its time limit over all runs of an instance: one that has used it up
    # must still re-solve while the call's own deadline is ahead
    real = shadow.new_highs

    def spent(**kw):
        h = real(**kw)
        h.setOptionValue("time_limit", 0.0)
        return h

    small = random_problem(SIZES["small"], 0)
    expected = facility_bed_values(small)
    assert (expected > 0).any()
    monkeypatch.setattr(shadow, "new_highs", spent)
    assert facility_bed_values(small) == pytest.approx(expected)


def test_a_facility_full_all_horizon_is_worth_the_case_only_it_can_take():
    # issue 15 defect: A has no free bed on any day, so the LP had no placement there, no
    # capacity row and no dual, and A was valued 0; one bed there places C1 on day 0
    base = problem(0, 5)
    values = facility_bed_values(base)
    saved = solve(base, SolveParams()).objective - solve(problem(1, 5), SolveParams()).objective
    assert saved > 0
    assert values[0] == pytest.approx(saved)  # C1 (weight 3) placed at once instead of C2
    assert values[1] == 0.0


def lp_optimum(p: MatchingProblem) -> float:
    """The LP relaxation's optimum, built and solved from scratch."""
    h = new_highs(seed=0, threads=1, time_limit=60.0, relative_gap=0.0)
    load_model(h, build_formulation(p), integer=False)
    h.run()
    return float(h.getInfo().objective_function_value)  # the constant is the same for all


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), full=st.lists(st.integers(0, 11), max_size=6))
def test_the_values_are_the_lp_drop_with_one_more_bed_at_every_facility(seed, full):
    # brute force: re-solve the LP from scratch with one more bed at each facility in turn,
    # some facilities made full for the whole horizon (no placement there without the bed)
    p = random_problem(SIZES["small"], seed)
    free = p.free_beds.copy()
    free[sorted(set(full))] = 0
    p = replace(p, free_beds=free)
    base = lp_optimum(p)
    brute = []
    for f in range(p.n_facilities):
        more = p.free_beds.copy()
        more[f] += 1
        brute.append(max(0.0, base - lp_optimum(replace(p, free_beds=more))))
    values = facility_bed_values(p)
    assert values == pytest.approx(brute, abs=1e-6)
    assert values.max() == pytest.approx(max(brute), abs=1e-6)


def test_values_need_not_fall_a_case_needing_two_beds_opens_at_the_second():
    # documented in docs/scenarios.md: a stay takes whole beds, so one bed at a full
    # facility is worth nothing to a case needing two, and the second places it
    def needing_two(free: int) -> MatchingProblem:
        return replace(
            problem(free, 5),
            case_beds=np.array([2, 1, 1], dtype=np.int32),
            opt_case=np.array([0], dtype=np.int32),
            opt_facility=np.array([0], dtype=np.int32),
            opt_penalty=np.zeros(1),
            opt_stay=np.full(1, -1, dtype=np.int32),
            opt_cost=np.zeros(1),
            opt_stream=np.full(1, -1, dtype=np.int32),
        )

    assert facility_bed_values(needing_two(0))[0] == 0.0
    assert facility_bed_values(needing_two(1))[0] > 0.0
