"""A live round holds its time limit, the rulebook and the explanations included (issue 11).

The demo round (220 cases x 75 facilities) is built in-process as the API's matching run
reads it (:func:`benchmarks.matching.live_round.demo_inputs`). Times are measured around
the flow call, with a generous margin for a loaded machine.
"""

from __future__ import annotations

import time

import pytest

import flows.matching_run as matching_run
from benchmarks.matching.live_round import demo_inputs
from flows import RoundInputs, solve_round
from matching import Method, SolveParams, solve

MARGIN = 0.5  # seconds over the limit a round may take


@pytest.fixture(scope="module")
def demo() -> RoundInputs:
    return demo_inputs()


def _every_late_or_unplaced_case_has_a_reason(solved) -> None:
    late = {a.case for a in solved.result.assignments if a.start_day > 0}
    assert set(solved.result.unplaced) | late <= set(solved.explanations.waits)
    assert {a.case for a in solved.result.assignments} == set(solved.explanations.proposals)
    for wait in solved.explanations.waits.values():
        assert wait.binds, f"{wait.case_id} waits without a reason"


def test_the_demo_round_returns_within_its_limit(demo):
    start = time.perf_counter()
    solved = solve_round(demo, SolveParams(time_limit=3))
    assert time.perf_counter() - start < 3 + MARGIN
    _every_late_or_unplaced_case_has_a_reason(solved)


def test_a_solve_that_uses_all_it_is_given_leaves_time_for_the_rest(demo, monkeypatch):
    # a slow rulebook (as under load) and a solve that spends its whole limit (as on a
    # hard round): the old flow gave the solve the round's whole limit, and applied the
    # rulebook and explained outside it (1.5 s took 2.4 s here)
    build = RoundInputs.build

    def slow_build(inputs):
        time.sleep(0.6)
        return build(inputs)

    def slow_solve(problem, params, observer=None):
        time.sleep(params.time_limit)
        return solve(problem, SolveParams(time_limit=5, method=Method.GREEDY))

    monkeypatch.setattr(RoundInputs, "build", slow_build)
    monkeypatch.setattr(matching_run, "solve", slow_solve)
    start = time.perf_counter()
    solved = solve_round(demo, SolveParams(time_limit=1.5))
    assert time.perf_counter() - start < 1.5 + MARGIN
    _every_late_or_unplaced_case_has_a_reason(solved)


def test_explanations_cut_short_by_the_limit_are_honest_and_noted(demo):
    # the rulebook alone takes longer than this limit: nothing is left to explain with
    solved = solve_round(demo, SolveParams(time_limit=0.01))
    why = solved.explanations
    assert len(why.cut_short) == len(demo.cases)
    _every_late_or_unplaced_case_has_a_reason(solved)
    kinds = {w.binds[0].kind for w in why.waits.values()}
    assert kinds <= {"unexplained", "capacity_gap"}
    assert "unexplained" in kinds
    for case_id in solved.built.gaps:  # a capacity gap still names its failing rules
        assert why.waits[case_id].failing_rules
    assert all(p.alternatives == () for p in why.proposals.values())
    assert all(p.criteria_met for p in why.proposals.values())
    (note,) = [n for n in solved.result.notes if "while explaining" in n]
    assert f"{len(demo.cases)} case(s)" in note
    record = matching_run.run_record(solved, by="test")
    assert note in record.notes
    assert all(w.text for w in record.waits)


def test_a_round_in_time_is_explained_in_full(demo):
    solved = solve_round(demo, SolveParams(time_limit=10))
    assert solved.explanations.cut_short == ()
    assert not [n for n in solved.result.notes if "while explaining" in n]
    assert any(p.alternatives for p in solved.explanations.proposals.values())


def test_the_reserve_is_kept_for_explanations_and_never_the_whole_limit():
    assert matching_run.explain_reserve(10, 3.0) == matching_run.EXPLAIN_RESERVE_MIN
    assert matching_run.explain_reserve(4_000, 3.0) == pytest.approx(0.2)
    assert matching_run.explain_reserve(10**7, 3.0) == 1.5
