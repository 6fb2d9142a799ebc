"""Shadow prices: the LP value of one more bed agrees with re-solving with that bed."""

from __future__ import annotations

import numpy as np
import pytest

from matching import MatchingProblem, SolveParams, solve
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
