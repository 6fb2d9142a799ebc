"""``plan_violations``: every rule of the format, and ``solve``'s last check built on it."""

from __future__ import annotations

import importlib
import math
from typing import Any

import pytest

from matching import MatchingError, problem_from_dict, solve
from matching.evaluation import assignments_to_plan, plan_violations
from matching.outcome import Outcome
from matching.result import Assignment


def two_cases(keep_apart: list[list[str]]) -> dict[str, Any]:
    return {
        "format": "opvang-problem/1",
        "horizon_days": 3,
        "facilities": [{"id": "F1", "free_beds": [2, 2, 2]}, {"id": "F2", "free_beds": [2, 2, 2]}],
        "cases": [{"id": "C1"}, {"id": "C2"}, {"id": "C3"}],
        "options": [
            {"case": c, "facility": f, "stay_days": 1}
            for c in ("C1", "C2", "C3")
            for f in ("F1", "F2")
        ],
        "keep_apart": keep_apart,
    }


def plan_of(data: dict[str, Any], *placed: tuple[str, str, int]) -> list[tuple[int, int]]:
    return assignments_to_plan(problem_from_dict(data), [Assignment(*a) for a in placed])


@pytest.mark.parametrize("pair", [["C1", "C2"], ["C2", "C1"]])
def test_a_kept_apart_pair_at_one_facility_is_a_violation_even_on_other_days(pair):
    data = two_cases([pair])
    plan = plan_of(data, ("C1", "F1", 0), ("C2", "F1", 2), ("C3", "F1", 0))
    violations = plan_violations(problem_from_dict(data), plan)
    assert len(violations) == 1
    assert "kept apart" in violations[0]
    assert "F1" in violations[0]
    assert {"C1", "C2"} <= set(violations[0].replace(",", " ").split())


def test_a_kept_apart_pair_at_two_facilities_or_half_unplaced_is_no_violation():
    data = two_cases([["C1", "C2"]])
    apart = plan_of(data, ("C1", "F1", 0), ("C2", "F2", 0), ("C3", "F1", 0))
    assert plan_violations(problem_from_dict(data), apart) == []
    one = plan_of(data, ("C1", "F1", 0), ("C3", "F1", 0))
    assert plan_violations(problem_from_dict(data), one) == []


def test_solve_refuses_a_plan_that_puts_a_kept_apart_pair_together(monkeypatch):
    data = two_cases([["C1", "C2"]])
    bad = plan_of(data, ("C1", "F1", 0), ("C2", "F1", 0))
    module = importlib.import_module("matching.solve")  # the package exports the function
    monkeypatch.setattr(
        module,
        "_dispatch",
        lambda *a: Outcome(plan=bad, bound=-math.inf, optimal=False, method="broken"),
    )
    with pytest.raises(MatchingError, match="kept apart"):
        solve(problem_from_dict(data))
