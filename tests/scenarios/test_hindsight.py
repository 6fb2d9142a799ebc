"""The hindsight bound is a proven lower bound, and its plan is carried out exactly."""

from __future__ import annotations

import pytest

from scenarios import parse_scenario, run_scenario

SMALL = """
name: small-@POLICY@
seed: @SEED@
horizon_days: 90
replications: 2
policy: @POLICY@
supply:
  funding_streams:
    - {id: wmo-utrecht, placement_types: [womens_shelter], region: utrecht, budget_per_year: 60000}
  facilities:
    - {id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 2,
       specialisms: [lvb], funding_stream: wmo-utrecht, cost_per_bed_day: 100, max_children: 2}
    - {id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 2,
       max_children: 1}
    - {id: omm-zwolle, region: zwolle, placement_type: omm, beds: 1,
       specialisms: [lvb, mental_health, addiction]}
  changes:
    - {day: 30, beds: {placement_type: womens_shelter, region: amsterdam, add: 1}}
demand:
  - name: dutch-women
    arrivals_per_day: 0.25
    groups: {per_day: 0.02, size: [2, 3]}
    profile: dutch_women_domestic
    stay:
      womens_shelter: {distribution: lognormal, mean_days: 25, spread_days: 15}
      omm: {distribution: exponential, mean_days: 30}
"""


def run(policy: str, seed: int):
    text = SMALL.replace("@POLICY@", policy).replace("@SEED@", str(seed))
    return run_scenario(parse_scenario(text))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bound_holds_for_every_policy_and_the_plan_is_carried_out(seed: int):
    hindsight = run("hindsight", seed)
    for rep in hindsight.replications:
        notes = rep.kpis["policy"]
        # the simulation carried out exactly the plan it was given
        assert rep.kpis["weighted_wait_days"] == pytest.approx(notes["plan_objective"], rel=1e-9)
        assert notes["lower_bound"] <= notes["plan_objective"] + 1e-6
    for policy in ("fifo", "optimised"):
        other = run(policy, seed)
        for h, o in zip(hindsight.replications, other.replications, strict=True):
            assert h.kpis["policy"]["lower_bound"] <= o.kpis["weighted_wait_days"] + 1e-6, policy
