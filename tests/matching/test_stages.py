"""StageLog: one record per stage run, with the figures it ended with (issue 11)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from matching import Method, Progress, SolveParams, StageLog, relative_gap, solve
from matching.instances import SIZES, random_problem
from matching.solve import single_case_bound


def event(part: int, stage: str, objective: float, bound: float = -math.inf) -> Progress:
    return Progress(part, 2, stage, 0.1, objective, bound)


def test_consecutive_events_of_a_stage_are_one_stage_and_keep_the_last_figures():
    log = StageLog()
    for e in (
        event(0, "greedy", 20.0),
        event(0, "greedy", 18.0),
        event(0, "lp", 18.0, 15.0),
        event(1, "greedy", 9.0),
        event(1, "lp", 9.0, 9.0),
        event(1, "greedy", 9.0, 9.0),
    ):
        log(e)
    assert [(s.part, s.stage, s.objective, s.bound) for s in log.stages] == [
        (0, "greedy", 18.0, -math.inf),
        (0, "lp", 18.0, 15.0),
        (1, "greedy", 9.0, -math.inf),
        (1, "lp", 9.0, 9.0),
        (1, "greedy", 9.0, 9.0),
    ]
    assert log.stages[0].gap == math.inf
    assert log.stages[1].gap == relative_gap(18.0, 15.0) == 3.0 / 18.0


def test_a_solve_logs_its_stages_in_time_order_ending_at_its_result():
    log = StageLog()
    result = solve(random_problem(SIZES["small"], 2), SolveParams(time_limit=5), observer=log)
    stages = log.stages
    assert stages
    assert [s.seconds for s in stages] == sorted(s.seconds for s in stages)
    assert all(s.bound <= s.objective + 1e-6 for s in stages)
    last_of_each_part = {s.part: s for s in stages}
    assert len(last_of_each_part) == stages[0].parts
    assert all(s.seconds <= result.build_seconds + result.solve_seconds + 1e-3 for s in stages)


def test_every_event_bounds_at_least_as_well_as_each_case_alone():
    # the greedy's event had no bound and a first Lagrangian step a negative one (-19,347.7
    # on a plan of 7,817), shown as such on the progress line (issue 11)
    problem = random_problem(SIZES["small"], 3)
    events: list[Progress] = []
    solve(problem, SolveParams(time_limit=5, decompose=False), observer=events.append)
    assert events
    alone = single_case_bound(problem)
    assert all(e.bound >= alone - 1e-9 for e in events)


def test_a_method_that_reports_no_stage_is_its_own_one_stage():
    # greedy (and min-cost flow) run as one step and tell the observer nothing
    problem = random_problem(SIZES["tiny"], 1)
    log = StageLog()
    result = solve(problem, SolveParams(time_limit=5, method=Method.GREEDY), observer=log)
    assert log.stages == ()
    (only,) = log.finish(result)
    assert (only.part, only.parts, only.stage) == (0, 1, "greedy")
    assert (only.objective, only.bound) == (result.objective, result.bound)


def test_a_tracker_given_the_rest_of_the_problem_reports_the_whole_problems_totals():
    from matching.outcome import Tracker

    events: list[Progress] = []
    alone = Tracker(events.append, 0, 2, 0.0)
    alone.update("greedy", objective=5.0)
    assert not events[-1].has_totals  # the dispatcher did not say: part figures only
    whole = Tracker(events.append, 1, 2, 0.0, rest_objective=10.0, rest_bound=3.0)
    whole.update("greedy", objective=5.0)
    assert (events[-1].total_objective, events[-1].total_bound) == (15.0, -math.inf)
    whole.update("lp", bound=4.0)
    assert events[-1].has_totals
    assert (events[-1].total_objective, events[-1].total_bound) == (15.0, 7.0)


figures = st.one_of(
    st.floats(allow_nan=False), st.just(math.inf), st.just(-math.inf), st.floats(-1e6, 1e6)
)
events = st.builds(
    Progress,
    part=st.integers(0, 2),
    parts=st.just(3),
    stage=st.sampled_from(["greedy", "lp", "mip"]),
    seconds=st.floats(0, 100),
    objective=figures,
    bound=figures,
)


@given(st.lists(events, max_size=30))
def test_property_one_stage_per_run_of_equal_part_and_stage_each_with_its_last_event(seq):
    log = StageLog()
    for e in seq:
        log(e)
    runs = [
        e
        for i, e in enumerate(seq)
        if i + 1 == len(seq) or (e.part, e.stage) != (seq[i + 1].part, seq[i + 1].stage)
    ]
    assert [(s.part, s.stage, s.seconds, s.objective, s.bound) for s in log.stages] == [
        (e.part, e.stage, e.seconds, e.objective, e.bound) for e in runs
    ]
    for s in log.stages:
        assert s.gap >= 0  # never negative, never nan
