"""Each policy on a tiny hand-checkable scenario, compared event by event (issue 5)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import (
    EXAMPLES_DIR,
    Arrived,
    Discharged,
    Placed,
    RoundHeld,
    Trace,
    parse_scenario,
    run_replication,
)


def brief(trace: Trace) -> list[tuple[Any, ...]]:
    """The trace as short tuples: arrive, place, leave, round (waiting, placed, status)."""
    out: list[tuple[Any, ...]] = []
    for e in trace.events:
        if isinstance(e, Arrived):
            out.append(("arrive", e.time, e.case))
        elif isinstance(e, Placed):
            out.append(("place", e.time, e.case, e.facility))
        elif isinstance(e, Discharged):
            out.append(("leave", e.time, e.case, e.facility))
        elif isinstance(e, RoundHeld):
            out.append(("round", e.time, e.waiting, e.placed, e.status))
    return out


def idle(days: range, waiting: int, status: str) -> list[tuple[Any, ...]]:
    return [("round", float(d), waiting, 0, status) for d in days]


U, A = "house-utrecht", "house-amsterdam"


def test_fifo_gives_the_first_bed_to_the_first_case_and_the_complex_case_waits(build, two_houses):
    trace = run_replication(build(two_houses, policy="fifo"), 0)
    assert brief(trace) == [
        ("arrive", 0.0, "S-00001"),
        ("arrive", 0.0, "S-00002"),
        ("place", 0.0, "S-00001", U),  # nearest bed to Utrecht: the Utrecht house
        ("round", 0.0, 2, 1, "rule"),
        *idle(range(1, 10), 1, "rule"),  # the LVB case fits only the Utrecht house
        ("leave", 10.0, "S-00001", U),
        ("place", 10.0, "S-00002", U),
        ("round", 10.0, 1, 1, "rule"),
        ("leave", 20.0, "S-00002", U),
    ]


def test_optimised_places_both_on_day_0_complex_case_where_its_care_is(build, two_houses):
    trace = run_replication(build(two_houses, policy="optimised"), 0)
    assert brief(trace) == [
        ("arrive", 0.0, "S-00001"),
        ("arrive", 0.0, "S-00002"),
        ("place", 0.0, "S-00002", U),  # heavier weight first
        ("place", 0.0, "S-00001", A),
        ("round", 0.0, 2, 2, "optimal"),
        ("leave", 10.0, "S-00002", U),
        ("leave", 10.0, "S-00001", A),
    ]


def test_current_practice_opens_other_regions_only_after_14_days(build, two_houses):
    trace = run_replication(build(two_houses, policy="current-practice"), 0)
    assert brief(trace) == [
        ("arrive", 0.0, "S-00001"),
        ("arrive", 0.0, "S-00002"),
        ("place", 0.0, "S-00001", U),  # own region
        ("round", 0.0, 2, 1, "rule"),
        *idle(range(1, 10), 1, "rule"),
        ("leave", 10.0, "S-00001", U),
        *idle(range(10, 14), 1, "rule"),  # the Utrecht bed is free, but not for Amsterdam yet
        ("place", 14.0, "S-00002", U),
        ("round", 14.0, 1, 1, "rule"),
        ("leave", 24.0, "S-00002", U),
    ]


def test_current_practice_lets_an_unsafe_case_leave_its_region_at_once(build, two_houses):
    text = two_houses.replace("needs: [lvb]}", "needs: [lvb], safety_risk: medium}")
    text = text.replace("policy: @POLICY@", "policy: @POLICY@\n    rulebook: national-v1")
    trace = run_replication(build(text, policy="current-practice"), 0)
    placed = [(e.time, e.case, e.facility) for e in trace.of(Placed)]
    # national-v1 moves a medium-risk case out of Amsterdam: as fifo, placed when the bed frees
    assert placed == [(0.0, "S-00001", U), (10.0, "S-00002", U)]


def test_current_practice_keeps_a_medium_risk_case_in_its_region(build, two_houses):
    # issue 15: under today's rules (regional-variation-v1) only a high threat requires a
    # place elsewhere, so a medium-risk case waits the 14 days like anyone else
    text = two_houses.replace("needs: [lvb]}", "needs: [lvb], safety_risk: medium}")
    trace = run_replication(build(text, policy="current-practice"), 0)
    placed = [(e.time, e.case, e.facility) for e in trace.of(Placed)]
    assert placed == [(0.0, "S-00001", U), (14.0, "S-00002", U)]


def test_current_practice_opens_no_bed_to_a_complex_case_while_its_place_is_sought(
    build, two_houses
):
    # issue 15: complex_search_days; the Amsterdam case (LVB: complex) could leave on day
    # 14 but its place takes 20 days to find; the standard case is not held back
    text = two_houses.replace(
        "policy: @POLICY@", "policy: @POLICY@\n    current_practice: {complex_search_days: 20}"
    )
    trace = run_replication(build(text, policy="current-practice"), 0)
    placed = [(e.time, e.case, e.facility) for e in trace.of(Placed)]
    assert placed == [(0.0, "S-00001", U), (20.0, "S-00002", U)]


def test_optimised_does_not_see_the_future(build, one_bed_two_days):
    trace = run_replication(build(one_bed_two_days, policy="optimised"), 0)
    placed = [(e.time, e.case) for e in trace.of(Placed)]
    assert placed == [(0.0, "S-00001"), (10.0, "S-00002")]


def test_hindsight_keeps_the_bed_for_the_complex_case_it_knows_is_coming(build, one_bed_two_days):
    trace = run_replication(build(one_bed_two_days, policy="hindsight"), 0)
    assert brief(trace) == [
        ("arrive", 0.0, "S-00001"),
        ("round", 0.0, 1, 0, "plan"),  # the bed stays empty for a day
        ("arrive", 1.0, "S-00002"),
        ("place", 1.0, "S-00002", U),
        ("round", 1.0, 2, 1, "plan"),
        *idle(range(2, 11), 1, "plan"),
        ("leave", 11.0, "S-00002", U),
        ("place", 11.0, "S-00001", U),
        ("round", 11.0, 1, 1, "plan"),
        ("leave", 21.0, "S-00001", U),
    ]
    notes = dict(trace.info.policy_notes)
    # weights 1 (standard) and 2 (complex): 1 x 11 days + 2 x 0 days
    assert notes["plan_objective"] == notes["lower_bound"] == 11.0


def test_rounds_without_ageing_weigh_a_day_by_the_static_weight(build, one_bed_two_days):
    # issue 13: optimiser.ageing false plans on the evaluation objective's weights
    from scenarios.engine import Simulation
    from scenarios.policies.optimised import build_round

    text = one_bed_two_days.replace("cadence: daily", "")
    sim = Simulation(build(text, policy="optimised"), 0)
    for record in sim.records:
        sim._arrive(record)
    aged = build_round(sim.state, 30.0, 60)
    static = build_round(sim.state, 30.0, 60, ageing=False)
    assert aged is not None
    assert static is not None
    weights = [sim.records[c].weight for c in static.cases]
    assert static.problem.case_weight.tolist() == weights
    assert (aged.problem.case_weight > static.problem.case_weight).all()  # 29-30 days waited


def test_the_end_of_plan_price_charges_the_bed_days_past_the_horizon(build, one_bed_two_days):
    # issue 13: optimiser.end_of_plan_price charges an option the bed-days its expected stay
    # (10 days here) runs past the planning horizon (4 days): 0.5 x 1 bed x 6 days
    from scenarios.engine import Simulation
    from scenarios.policies.optimised import OptimisedPolicy, build_round

    text = one_bed_two_days.replace("seed: 1", "seed: 1\n    optimiser: {end_of_plan_price: 0.5}")
    sim = Simulation(build(text, policy="optimised"), 0)
    for record in sim.records:
        sim._arrive(record)
    policy = OptimisedPolicy(sim.scenario.spec.optimiser)
    assert policy.end_price == 0.5  # the setting reaches the rounds
    free = build_round(sim.state, 1.0, 4)
    priced = build_round(sim.state, 1.0, 4, end_price=policy.end_price)
    assert free is not None
    assert priced is not None
    extra = priced.problem.opt_penalty - free.problem.opt_penalty
    assert extra.tolist() == [3.0] * extra.size
    long_plan = build_round(sim.state, 1.0, 20, end_price=policy.end_price)
    assert long_plan is not None  # a stay within the horizon costs nothing extra
    assert long_plan.problem.opt_penalty.tolist() == free.problem.opt_penalty.tolist()
    dear = build_round(sim.state, 1.0, 4, end_price=100.0, ageing=False)
    assert dear is not None  # never more than weight x horizon: nobody is priced out
    cap = 4 * dear.problem.case_weight[dear.problem.opt_case]
    assert (dear.problem.opt_penalty - free.problem.opt_penalty).tolist() == cap.tolist()


def test_class_weight_factors_weigh_the_named_classes_in_the_rounds_only(build, one_bed_two_days):
    # issue 13: optimiser.class_weight_factors multiplies a complexity class's weight in the
    # rounds; the cases' own weights (the evaluation objective's) stay as they were
    from scenarios.engine import Simulation
    from scenarios.policies.optimised import OptimisedPolicy, build_round

    setting = "optimiser: {ageing: false, class_weight_factors: {complex: 1.5}}"
    text = one_bed_two_days.replace("seed: 1", f"seed: 1\n    {setting}")
    sim = Simulation(build(text, policy="optimised"), 0)
    for record in sim.records:
        sim._arrive(record)
    policy = OptimisedPolicy(sim.scenario.spec.optimiser)
    assert policy.class_factors == {"complex": 1.5}  # the setting reaches the rounds
    plain = build_round(sim.state, 1.0, 60, ageing=False)
    weighed = policy.build(sim.state, 1.0)
    assert plain is not None
    assert weighed is not None
    assert weighed.cases == plain.cases
    classes = [sim.records[c].complexity for c in plain.cases]
    assert sorted(classes) == ["complex", "standard"]
    static = [sim.records[c].weight for c in plain.cases]
    expected = [w * (1.5 if k == "complex" else 1.0) for w, k in zip(static, classes, strict=True)]
    assert weighed.problem.case_weight.tolist() == expected
    assert plain.problem.case_weight.tolist() == static
    assert [sim.records[c].weight for c in plain.cases] == static  # records untouched


def test_a_scenario_round_is_assembled_as_build_problem_assembles_one(build, one_bed_two_days):
    # issue 12: the scenario engine rounded weights and penalties by a copy of build_problem's
    # rule and left costs unrounded; both now go through matching.assemble_problem
    from scenarios.engine import Simulation
    from scenarios.policies.optimised import build_round

    cents, weight_decimals = 2, 6  # matching.columns.COST_DECIMALS, WEIGHT_DECIMALS
    sim = Simulation(build(one_bed_two_days, policy="optimised"), 0)
    sim.state.cost_per_bed_day = sim.state.cost_per_bed_day / 3 + 0.001  # not whole cents
    for record in sim.records:
        sim._arrive(record)
    built = build_round(sim.state, 30.0, 60)
    assert built is not None
    p = built.problem
    assert p.opt_cost.size
    assert np.array_equal(p.opt_cost, np.round(p.opt_cost, cents))
    assert np.array_equal(p.opt_penalty, np.round(p.opt_penalty, weight_decimals))
    assert p.case_weight.tolist() == [round(w, weight_decimals) for w in p.case_weight.tolist()]


@settings(max_examples=8, deadline=None)
@given(days=st.integers(0, 40), seed=st.integers(0, 2**16))
def test_no_complex_case_is_placed_before_its_search_time(days, seed):
    # issue 15: complex_search_days on the national demo (30 days): whatever the draw, a
    # complex case arriving in the run takes no bed before it has waited that long
    text = (
        "base: national-demo-current-practice.yaml\nhorizon_days: 30\nreplications: 1\n"
        f"seed: {seed}\ncurrent_practice: {{complex_search_days: {days}}}\n"
    )
    trace = run_replication(parse_scenario(text, base_dir=EXAMPLES_DIR), 0)
    arrived = {e.case: e for e in trace.of(Arrived)}
    complex_waits = [
        p.time - arrived[p.case].time
        for p in trace.of(Placed)
        if not p.initial and arrived[p.case].complexity != "standard" and arrived[p.case].time >= 0
    ]
    assert all(w >= days for w in complex_waits), (days, min(complex_waits))
