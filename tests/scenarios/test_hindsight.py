"""The hindsight bound is a proven lower bound, and its plan is carried out exactly.

The left-shift pass (``scenarios.policies.leftshift``) is never worse than the rounded
plan and keeps it feasible. Those feasibility checks are independent of the offline model:
beds counted per facility per day from the stays, budgets replayed day by day as the
simulation commits them (calendar years, budget changes on their day).
"""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from scenarios import parse_scenario, run_scenario
from scenarios.engine import case_records
from scenarios.policies.hindsight import OfflineModel, plan_objective
from scenarios.policies.leftshift import Placements, left_shift, list_schedule, lp_order
from scenarios.policies.offline import available_beds, build_columns
from scenarios.policies.rounding import round_plan
from scenarios.state import initial_state

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


# SMALL made tight: its Utrecht budget cut on day 50 and raised on day
# 100, longer stays, so many placements start after the first FINE_DAYS days of waiting,
# where the restricted model only has weekly starts; it crosses a calendar year.
TIGHT = (
    SMALL.replace("horizon_days: 90\nreplications: 2", "start_date: 2026-12-01\nhorizon_days: 150")
    .replace("budget_per_year: 60000", "budget_per_year: 9000")
    .replace(
        "  changes:\n",
        "  changes:\n    - {day: 50, budget: {stream: wmo-utrecht, per_year: 4000}}\n"
        "    - {day: 100, budget: {stream: wmo-utrecht, per_year: 12000}}\n",
    )
    .replace("arrivals_per_day: 0.25", "arrivals_per_day: 0.3")
    .replace("mean_days: 25", "mean_days: 30")
    .replace("mean_days: 30}", "mean_days: 35}")
)


def tight(policy: str, seed: int):
    text = TIGHT.replace("@POLICY@", policy).replace("@SEED@", str(seed))
    return parse_scenario(text, source="tight.yaml")


def restricted_lp(seed: int):
    """Replication 0 of TIGHT: its cases, start state, beds, restricted columns and LP."""
    sc = tight("hindsight", seed)
    h = sc.spec.horizon_days
    records = case_records(sc, 0)
    state = initial_state(sc.supply, sc.rulebook)
    avail = available_beds(sc.supply, h)
    cols = build_columns(state, records, avail, h, relaxed=False)
    lp = OfflineModel(state, avail, h, 0.0, 0.0).solve(cols, relaxed=False)
    return sc, records, state, avail, cols, lp


def rounded_and_shifted(seed: int):
    sc, records, state, avail, cols, lp = restricted_lp(seed)
    h = sc.spec.horizon_days
    weights = np.array([r.weight for r in records])
    chosen = round_plan(cols, state, avail, h, lp.values, weights)
    shifted = left_shift(Placements.of(cols, chosen), state, records, avail, h)
    return sc, records, weights, plan_objective(cols, chosen), shifted


def list_scheduled(seed: int):
    """The list schedule in the LP's order, and left-shifted."""
    sc, records, state, avail, cols, lp = restricted_lp(seed)
    h = sc.spec.horizon_days
    order, prefer = lp_order(cols, lp.values, records, h)
    listed = list_schedule(order, state, records, avail, h, prefer=prefer)
    return sc, records, listed, left_shift(listed, state, records, avail, h)


def assert_feasible(sc, records, plan: Placements) -> None:
    h = sc.spec.horizon_days
    state = initial_state(sc.supply, sc.rulebook)
    assert len(set(plan.case.tolist())) == plan.case.size, "a case placed twice"
    beds = available_beds(sc.supply, h).copy()
    spend: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for c, f, s in zip(
        plan.case.tolist(), plan.facility.tolist(), plan.start.tolist(), strict=True
    ):
        r = records[c]
        assert f in state.options(r).facility.tolist(), "not an eligible facility"
        assert math.ceil(r.arrival - 1e-9) <= s < h, "placed before arrival or after the run"
        stay = max(1, math.ceil(r.stays[state.type_of[f]] - 1e-9))
        beds[f, s : s + stay] -= r.case.beds
        year = (sc.supply.start_date + timedelta(days=s)).year
        spend.setdefault((int(state.stream_of[f]), year), []).append((s, state.expected_cost(r, f)))
    assert beds.min() >= 0, "more beds taken than a facility has on some day"
    for (stream, year), items in spend.items():
        committed = float(state.committed[stream]) if year == sc.supply.start_date.year else 0.0
        for day in sorted({s for s, _ in items}):
            committed += sum(cost for s, cost in items if s == day)
            assert committed <= budget_on(sc, stream, day) * (1 + 1e-9), (stream, day)


def budget_on(sc, stream: int, day: int) -> float:
    value = sc.supply.streams[stream].budget_per_period
    for step in sc.supply.budget_steps:
        if step.stream == stream and step.day <= day:
            value = step.per_year
    return math.inf if value is None else float(value)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_shifted_plan_is_feasible_and_never_worse_than_the_rounded_plan(seed: int):
    sc, records, weights, rounded, shifted = rounded_and_shifted(seed)
    assert shifted.objective(weights, sc.spec.horizon_days) <= rounded + 1e-9
    assert_feasible(sc, records, shifted)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_list_schedule_in_lp_order_is_feasible_and_shifting_it_never_worsens_it(seed: int):
    sc, records, listed, shifted = list_scheduled(seed)
    weights = np.array([r.weight for r in records])
    h = sc.spec.horizon_days
    assert shifted.objective(weights, h) <= listed.objective(weights, h) + 1e-9
    assert_feasible(sc, records, listed)
    assert_feasible(sc, records, shifted)


def test_shift_starts_placements_between_bucket_days():
    """Over 150 days with long stays, some placement gains by starting off a bucket day."""
    gains = 0.0
    for seed in (1, 2, 3):
        sc, records, weights, rounded, shifted = rounded_and_shifted(seed)
        gains += rounded - shifted.objective(weights, sc.spec.horizon_days)
        late = [
            s - math.ceil(records[c].arrival - 1e-9)
            for c, s in zip(shifted.case.tolist(), shifted.start.tolist(), strict=True)
        ]
        assert all(d >= 0 for d in late)
    assert gains > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_simulation_carries_out_the_shifted_plan_exactly(seed: int):
    sc = tight("hindsight", seed)
    rep = run_scenario(sc).replications[0]
    notes = rep.kpis["policy"]
    assert rep.kpis["weighted_wait_days"] == pytest.approx(notes["plan_objective"], rel=1e-9)
    assert notes["lower_bound"] <= notes["plan_objective"] + 1e-6
    assert notes["plan_objective"] <= notes["rounded_objective"] + 1e-6


def test_budget_rows_take_off_what_is_committed_in_the_states_own_budget_year():
    # a plan made after 1 January (rolling hindsight, benchmarks.anticipation.rolling) saw
    # that year's budget whole: spending committed counted only in the run's first year
    from scenarios.policies.offline import budget_rows

    sc = tight("hindsight", 1)  # starts 2026-12-01, 9,000 a year, cut to 4,000 on day 50
    h = sc.spec.horizon_days
    state = initial_state(sc.supply, sc.rulebook)
    cols = build_columns(state, case_records(sc, 0), available_beds(sc.supply, h), h, relaxed=False)
    _, fresh = budget_rows(state, cols, h, relaxed=False)
    assert fresh == [9000.0, 9000.0, 4000.0, 12000.0]  # 2026; 2027 to day 49, 50-99, 100-
    state.roll_budget_year(31.0)  # 1 January 2027: a new budget year, nothing committed yet
    state.committed[:] = 2500.0
    _, later = budget_rows(state, cols, h, relaxed=False)
    assert later == [9000.0, 6500.0, 1500.0, 9500.0]  # only 2027's rows lose the 2,500
