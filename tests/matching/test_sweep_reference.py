"""The robustness sweep's check against the independent reference (issue 11).

The sweep holds ``solve``'s answer on rounds it draws against the plain MIP of
:mod:`benchmarks.matching.reference`; these tests make sure the check sees a bound that
is not one and a plan that beats a proven bound, and passes a right answer.
"""

from __future__ import annotations

import dataclasses
import json
import math
import multiprocessing
from pathlib import Path

import pytest

from benchmarks.matching import reference
from benchmarks.matching.shapes import Shape, generate
from benchmarks.matching.sweep import _against_reference, _trivial, check, summary
from matching import MatchingProblem, SolveParams, Status, solve


def _small() -> MatchingProblem:
    shape = Shape(horizon_days=14, family_share=0.5, short_share=0.5, budgets="stream")
    return generate(shape, (40, 8), 7)


def test_a_right_answer_raises_no_flag() -> None:
    problem = _small()
    result = solve(problem, SolveParams(time_limit=10))
    assert result.status == Status.OPTIMAL
    row = _against_reference(problem, result.objective, result.bound, 30.0)
    assert row["reference_optimal"]
    assert abs(row["reference_objective"] - result.objective) <= 1e-6 * abs(result.objective)
    assert not row["bound_above_reference"]
    assert not row["plan_below_reference"]


def test_a_bound_above_a_feasible_plan_and_a_plan_below_a_proven_bound_are_flagged() -> None:
    problem = _small()
    result = solve(problem, SolveParams(time_limit=10))
    too_high = _against_reference(problem, result.objective, result.objective * 1.01, 30.0)
    assert too_high["bound_above_reference"]
    too_good = _against_reference(problem, result.objective * 0.99, result.bound, 30.0)
    assert too_good["plan_below_reference"]


def test_the_sweep_runs_the_reference_only_on_rounds_small_enough() -> None:
    with_reference = check(11, reference_limit=5.0, reference_pairs=10**9)
    assert "error" not in with_reference
    assert "reference_objective" in with_reference
    without = check(11, reference_limit=5.0, reference_pairs=0)
    assert "reference_objective" not in without


def test_a_round_runs_again_at_another_limit() -> None:
    """``--time-limit``: a flagged round at the other limits (issue 11, seed 1178 at 1-10
    s), the same round."""
    drawn = check(11)
    again = check(11, time_limit=0.5 + drawn["time_limit"])
    assert "error" not in again
    assert again["time_limit"] == 0.5 + drawn["time_limit"]
    assert (again["cases"], again["options"]) == (drawn["cases"], drawn["options"])


def test_a_bound_no_better_than_every_case_alone_is_counted_unless_the_plan_meets_it(
    tmp_path: Path,
) -> None:
    assert _trivial(bound=100.0, single=100.0, objective=180.0)
    assert not _trivial(bound=100.0, single=100.0, objective=100.0)  # proven: nothing better
    assert not _trivial(bound=150.0, single=100.0, objective=180.0)
    rows = [
        {"seed": 4, "time_limit": 5.0, "objective": 180.0, "bound": 100.0, "trivial_bound": True},
        {"seed": 5, "time_limit": 5.0, "objective": 180.0, "bound": 170.0, "trivial_bound": False},
        {"seed": 9, "time_limit": 2.0, "objective": 50.0, "bound": 1.0, "trivial_bound": True},
    ]
    out = tmp_path / "rows.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = summary(out)
    assert "bound no better than the single-case bound: 2 rounds (seeds 4, 9)" in text
    assert check(11)["trivial_bound"] is False


def test_a_reference_past_its_limit_is_killed_and_the_row_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """HiGHS past its limit (unseen sweep seed 2872: 10 minutes of a 30-s limit) held the
    sweep up; the reference now runs in a child killed past its limit."""
    monkeypatch.setattr(reference, "KILL_GRACE_SECONDS", 0.0)
    problem = _small()
    before = set(multiprocessing.active_children())
    assert reference.reference_guarded(problem, 0.01) is None  # killed while it starts
    assert set(multiprocessing.active_children()) == before
    row = _against_reference(problem, 1.0, 0.0, 0.01)
    assert row == {"reference_killed": True}
    out = tmp_path / "rows.jsonl"
    out.write_text(json.dumps({"seed": 1, **row}) + "\n")
    assert "1 rounds (0 against the reference, 1 killed past its limit)" in summary(out)


def test_a_reference_in_time_answers_from_its_child() -> None:
    problem = _small()
    answer = reference.reference_guarded(problem, 30.0)
    assert answer is not None
    assert answer == dataclasses.replace(
        reference.reference_solve(problem, 30.0),
        build_seconds=answer.build_seconds,
        solve_seconds=answer.solve_seconds,
    )


def test_the_summary_compares_the_plans_with_the_references(tmp_path: Path) -> None:
    """The rounds to look into (plans far above the reference's) are listed, furthest first;
    a reference without a plan (a round too large for its time) is left out."""

    def row(seed: int, objective: float, reference: float, **more: object) -> dict[str, object]:
        base = {"seed": seed, "cases": 80, "time_limit": 2.0, "objective": objective}
        base |= {"bound": objective - 50.0, "reference_objective": reference}
        base |= {"reference_optimal": False}
        return base | more

    rows = [
        row(1, 1000.0, 1000.0, bound=1000.0, reference_optimal=True),  # proven by both
        row(2, 990.0, 1000.0),  # below the reference's plan
        row(3, 1020.0, 1000.0),  # 2 % above
        row(4, 1060.0, 1000.0),  # 6 % above
        row(5, 1100.0, 1000.0),  # 10 % above
        row(6, 1797.0, math.inf),  # the reference found no plan
        {"seed": 7, "reference_killed": True},
    ]
    out = tmp_path / "rows.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert summary(out).splitlines()[-1] == (
        "against the reference's plans (5 rounds): proven by both 1, below it 1, more than 1 % "
        "above it 3, more than 5 % above it 2: 5 (80 cases, T = 2 s, +10.0 %); "
        "4 (80 cases, T = 2 s, +6.0 %)"
    )
