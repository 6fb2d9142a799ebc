"""Rolling hindsight, the study policy of ``benchmarks.anticipation.rolling`` (issue 13).

It re-plans with everything known over a window; with one window over the whole run it
must be the hindsight plan itself (without the MIP), and with short windows its plans must
still be carried out exactly (no placement planned that the simulation cannot make).
"""

from __future__ import annotations

import pytest

from benchmarks.anticipation.__main__ import fixed_stays
from benchmarks.anticipation.rolling import run_rolling
from scenarios import parse_scenario
from scenarios.engine import run_replication
from scenarios.kpis import replication_kpis

SCENARIO = """
name: rolling
seed: @SEED@
horizon_days: 80
policy: @POLICY@
hindsight: {time_limit_seconds: 1}
supply:
  funding_streams:
    - {id: wmo-utrecht, placement_types: [womens_shelter], region: utrecht, budget_per_year: 60000}
  facilities:
    - {id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 2,
       funding_stream: wmo-utrecht, cost_per_bed_day: 100, max_children: 2}
    - {id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 1}
    - {id: omm-zwolle, region: zwolle, placement_type: omm, beds: 1,
       specialisms: [mental_health]}
demand:
  - name: dutch-women
    arrivals_per_day: 0.3
    groups: {per_day: 0.02, size: [2, 3]}
    profile: dutch_women_domestic
    stay:
      womens_shelter: {distribution: lognormal, mean_days: 20, spread_days: 12}
      omm: {distribution: exponential, mean_days: 25}
"""


def scenario(policy: str, seed: int):
    text = SCENARIO.replace("@POLICY@", policy).replace("@SEED@", str(seed))
    return parse_scenario(text, source="rolling.yaml")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_window_over_the_run_is_the_hindsight_plan(seed: int):
    hindsight = replication_kpis(run_replication(scenario("hindsight", seed), 0))
    policy, trace = run_rolling(scenario("optimised", seed), 0, window=80, every=80)
    assert policy.plans == 1
    assert policy.missed == 0
    assert replication_kpis(trace)["weighted_wait_days"] == pytest.approx(
        hindsight["weighted_wait_days"], rel=1e-9
    )


@pytest.mark.parametrize(("window", "every", "arrivals"), [(10, 3, True), (20, 7, False)])
def test_short_windows_are_carried_out_exactly_and_never_beat_the_bound(
    window: int, every: int, arrivals: bool
):
    bound = replication_kpis(run_replication(scenario("hindsight", 4), 0))["policy"]
    policy, trace = run_rolling(
        scenario("optimised", 4), 0, window=window, every=every, arrivals=arrivals
    )
    assert policy.plans >= 80 // every
    assert policy.missed == 0
    assert replication_kpis(trace)["weighted_wait_days"] >= bound["lower_bound"] - 1e-6


def test_fixed_stays_fixes_every_stay_at_its_mean():
    demand = fixed_stays("national-demo.yaml")
    assert demand, "the national demo has demand classes"
    for model in demand:
        for spec in model["stay"].values():
            assert spec["distribution"] == "fixed"
            assert set(spec) == {"distribution", "mean_days"}
    assert demand[0]["stay"]["womens_shelter"]["mean_days"] == 259
