"""``optimiser.oracle_stays``: rounds that see the actual stays, a study oracle (issue 13).

The oracle splits the gap to hindsight into what knowing stays is worth and what knowing
arrivals is worth; it must change what a round sees and nothing else.
"""

from __future__ import annotations

from typing import Any

import pytest

from capacity import PlacementType
from scenarios import InvalidScenarioError, Placed, Trace, parse_scenario, run_replication
from scenarios.engine import Simulation
from scenarios.kpis import replication_kpis
from scenarios.policies.optimised import build_round, planned_free_beds
from scenarios.state import ActiveStay

SHELTER = PlacementType.WOMENS_SHELTER
U, A = "house-utrecht", "house-amsterdam"

# Two one-bed women's shelters; the Utrecht house offers trauma care, the Amsterdam house
# does not. Day 0: a woman from Utrecht without needs (she takes the Utrecht bed, the
# nearer one). Day 1: a woman from Utrecht who needs trauma care and prefers Utrecht: the
# Amsterdam bed costs her 2 days (trauma care unmet) + 2 (outside her preferred region) +
# 0.35 (distance) = 4.35 waiting days. Every stay is expected to last 30 days; the test
# makes the first one actually last 3 days, so the Utrecht bed comes free on day 3.
WAIT_OR_GO = """
name: wait-or-go
seed: 1
horizon_days: 10
policy: @POLICY@
optimiser: {oracle_stays: @ORACLE@}
supply:
  facilities:
    - {id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 1,
       specialisms: [trauma_care]}
    - {id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 1}
demand:
  - name: first
    at_days: [0]
    profile: {age: 30, gender: female, residence_status: nl, exploitation_type: sexual,
              region_signalled: utrecht}
    stay: {womens_shelter: {distribution: fixed, mean_days: 30}}
  - name: trauma
    at_days: [1]
    profile: {age: 30, gender: female, residence_status: nl, exploitation_type: sexual,
              region_signalled: utrecht, needs: [trauma_care], preferred_regions: [utrecht]}
    stay: {womens_shelter: {distribution: fixed, mean_days: 30}}
"""


def wait_or_go(policy: str = "optimised", *, oracle: bool) -> Simulation:
    """The scenario above, with the first stay lasting 3 days instead of the expected 30."""
    text = WAIT_OR_GO.replace("@POLICY@", policy).replace("@ORACLE@", str(oracle).lower())
    sim = Simulation(parse_scenario(text, source="wait-or-go.yaml"), 0)
    sim.records[0].stays = {SHELTER: 3.0}
    return sim


def placements(trace: Trace) -> list[tuple[float, str, str]]:
    return [(p.time, p.case, p.facility) for p in trace.of(Placed) if not p.initial]


def test_the_oracle_is_off_by_default():
    sc = parse_scenario(WAIT_OR_GO.replace("@POLICY@", "optimised").replace("@ORACLE@", "false"))
    assert sc.spec.optimiser.oracle_stays is False
    text = WAIT_OR_GO.replace("@POLICY@", "optimised").replace(
        "optimiser: {oracle_stays: @ORACLE@}\n", ""
    )
    assert parse_scenario(text).spec.optimiser.oracle_stays is False


@pytest.mark.parametrize(
    ("policy", "optimiser", "reason"),
    [
        ("optimised", "{oracle_stays: sometimes}", "Input should be a valid boolean"),
        ("fifo", "{oracle_stays: true}", "only optimised and anticipatory rounds"),
        ("current-practice", "{oracle_stays: true}", "only optimised and anticipatory rounds"),
        ("hindsight", "{oracle_stays: true}", "not hindsight"),
    ],
)
def test_a_bad_oracle_setting_is_refused_naming_the_field(policy, optimiser, reason):
    text = WAIT_OR_GO.replace("@POLICY@", policy).replace("{oracle_stays: @ORACLE@}", optimiser)
    with pytest.raises(InvalidScenarioError) as info:
        parse_scenario(text, source="bad.yaml")
    assert info.value.key == "optimiser.oracle_stays"
    assert reason in info.value.reason
    assert "optimiser.oracle_stays" in str(info.value)


def test_a_round_without_the_oracle_frees_a_bed_at_its_expected_end():
    sim = wait_or_go(oracle=False)
    sim.state.occupied[:] = 1
    sim.state.stays[0] = ActiveStay(1, 1, 0.0, 30.0, 3.0)  # Utrecht: expected 30, actual 3
    free = planned_free_beds(sim.state, 1.0, 60)
    assert free[1, :29].tolist() == [0] * 29  # day 29 from day 1 is day 30
    assert free[1, 29:].tolist() == [1] * 31
    oracle = planned_free_beds(sim.state, 1.0, 60, actual_stays=True)
    assert oracle[1, :2].tolist() == [0, 0]  # day 2 from day 1 is day 3: the actual end
    assert oracle[1, 2:].tolist() == [1] * 58
    assert (free[0] == oracle[0]).all()  # Amsterdam: nothing under way there


def test_with_the_oracle_a_round_plans_each_waiting_case_with_its_actual_stay():
    sim = wait_or_go(oracle=True)
    for record in sim.records:
        record.stays = {SHELTER: 12.0}  # expected: 30 days
        sim._arrive(record)
    expected = build_round(sim.state, 1.0, 60)
    actual = build_round(sim.state, 1.0, 60, actual_stays=True)
    assert expected is not None
    assert actual is not None
    assert set(expected.problem.opt_stay.tolist()) == {30}
    assert set(actual.problem.opt_stay.tolist()) == {12}
    # costs stay expected: the engine gates placements on the expected cost
    assert actual.problem.opt_cost.tolist() == expected.problem.opt_cost.tolist()


def test_without_the_oracle_the_second_case_goes_to_amsterdam_at_once():
    # the planner expects the Utrecht bed back on day 30: 29 days of waiting against 4.35
    trace = wait_or_go(oracle=False).run()
    assert placements(trace) == [(0.0, "S-00001", U), (1.0, "S-00002", A)]


@pytest.mark.parametrize("policy", ["optimised", "anticipatory"])
def test_with_the_oracle_the_second_case_waits_for_the_bed_that_comes_free_on_day_3(policy):
    # the round sees the actual end: 2 days of waiting cost less than 4.35 in Amsterdam
    trace = wait_or_go(policy, oracle=True).run()
    assert placements(trace) == [(0.0, "S-00001", U), (3.0, "S-00002", U)]


# The small run of conftest (lognormal and exponential stays, so actual stays differ from
# the expected ones): its KPIs and placements as the code before the oracle gave them
# (commit d112b2a), which oracle_stays: false must keep.
BEFORE: dict[int, tuple[float, int]] = {  # replication: weighted waiting, placements
    0: (287.48322849715834, 11),
    1: (477.2860027158784, 9),
}
PLACED_1 = [  # replication 1's placements then; the oracle changes them
    (5.0, "S-00001", "omm-zwolle"),
    (10.0, "S-00003", A),
    (22.0, "S-00004", A),
    (35.0, "S-00008", U),
    (38.0, "S-00009", U),
    (38.0, "S-00010", A),
    (58.0, "S-00005", "omm-zwolle"),
    (58.0, "S-00011", U),
    (58.0, "S-00012", U),
]


def small(text: str, policy: str, extra: str = "") -> Any:
    policy_line = f"policy: {policy}\n{extra}"
    return parse_scenario(text.replace("policy: optimised\n", policy_line), source="small.yaml")


@pytest.mark.parametrize("policy", ["optimised", "anticipatory"])
@pytest.mark.parametrize("replication", [0, 1])
def test_without_the_oracle_a_run_is_what_it_was(small_optimised, policy, replication):
    trace = run_replication(small(small_optimised, policy), replication)
    assert (replication_kpis(trace)["weighted_wait_days"], len(placements(trace))) == BEFORE[
        replication
    ]
    if replication == 1:
        assert placements(trace) == PLACED_1
    off = "optimiser: {oracle_stays: false}\n"
    explicit = run_replication(small(small_optimised, policy, off), replication)
    assert placements(explicit) == placements(trace)


def test_the_oracle_changes_what_rounds_see_not_the_simulated_stays(small_optimised):
    off = Simulation(small(small_optimised, "optimised"), 1)
    on = Simulation(small(small_optimised, "optimised", "optimiser: {oracle_stays: true}\n"), 1)
    assert [r.stays for r in on.records] == [r.stays for r in off.records]
    assert [r.expected for r in on.records] == [r.expected for r in off.records]
    assert placements(off.run()) == PLACED_1
    assert placements(on.run()) != PLACED_1


@pytest.mark.parametrize("policy", ["optimised", "fifo", "current-practice", "hindsight"])
def test_the_arrivals_oracle_is_refused_where_no_round_reads_it(policy):
    # only anticipatory rounds sample futures; elsewhere the setting would be silently unused
    text = WAIT_OR_GO.replace("@POLICY@", policy).replace(
        "optimiser: {oracle_stays: @ORACLE@}", "anticipation: {rates: oracle-arrivals}"
    )
    with pytest.raises(InvalidScenarioError) as info:
        parse_scenario(text, source="bad.yaml")
    assert info.value.key == "anticipation.rates"
    assert f"not {policy}" in info.value.reason


def test_the_arrivals_oracle_is_taken_by_anticipatory_rounds():
    text = WAIT_OR_GO.replace("@POLICY@", "anticipatory").replace(
        "optimiser: {oracle_stays: @ORACLE@}", "anticipation: {rates: oracle-arrivals}"
    )
    assert parse_scenario(text).spec.anticipation.rates == "oracle-arrivals"
