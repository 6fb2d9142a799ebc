"""Bed and budget changes take effect on their day, not before (issue 5)."""

from __future__ import annotations

from scenarios import (
    EXAMPLES_DIR,
    BedsChanged,
    BudgetChanged,
    Placed,
    load_scenario,
    run_replication,
)

ONE_HOUSE = """
    name: changes
    seed: 1
    horizon_days: 30
    policy: @POLICY@
    supply:
      funding_streams:
        - {id: wmo-test, placement_types: [womens_shelter], budget_per_year: @BUDGET@}
      facilities:
        - {id: house, region: utrecht, placement_type: womens_shelter, beds: @BEDS@,
           funding_stream: wmo-test, cost_per_bed_day: 100}
      changes: @CHANGES@
    demand:
      - name: women
        at_days: @ARRIVALS@
        profile: @PROFILE@
        stay: {womens_shelter: {distribution: fixed, mean_days: 10}}
"""


def placements(trace):
    return [(e.time, e.case) for e in trace.of(Placed)]


def run(build, profile, policy="fifo", budget="null", beds=1, changes="[]", arrivals="[0, 0]"):
    sc = build(
        ONE_HOUSE,
        policy=policy,
        budget=budget,
        beds=beds,
        changes=changes,
        arrivals=arrivals,
        profile=profile("utrecht"),
    )
    return run_replication(sc, 0)


def test_added_bed_is_used_on_its_day_and_not_before(build, profile):
    for policy in ("fifo", "current-practice", "optimised", "hindsight"):
        trace = run(
            build,
            profile,
            policy,
            changes="[{day: 4, beds: {placement_type: womens_shelter, region: utrecht, add: 1}}]",
        )
        # (the two cases are alike: hindsight may pick either for day 0)
        assert sorted(t for t, _ in placements(trace)) == [0.0, 4.0], policy
        assert [(e.time, e.facility, e.beds) for e in trace.of(BedsChanged)] == [(4.0, "house", 2)]


def test_removed_bed_is_not_refilled_but_nobody_is_evicted(build, profile):
    trace = run(
        build,
        profile,
        beds=2,
        arrivals="[0, 0, 1]",
        changes="[{day: 3, beds: {placement_type: womens_shelter, region: utrecht, remove: 1}}]",
    )
    # two placed on day 0 stay until day 10; the bed removed on day 3 is gone when they
    # leave, so the third case gets the one bed left on day 10
    assert placements(trace) == [(0.0, "S-00001"), (0.0, "S-00002"), (10.0, "S-00003")]


def test_budget_raised_on_day_5_lets_the_waiting_case_in_that_day(build, profile):
    # a stay is expected to cost 100 EUR x 10 days = 1,000 EUR; 999 a year is not enough
    for policy in ("fifo", "current-practice", "optimised", "hindsight"):
        trace = run(
            build,
            profile,
            policy,
            budget="999",
            arrivals="[0]",
            changes="[{day: 5, budget: {stream: wmo-test, per_year: 1000}}]",
        )
        assert placements(trace) == [(5.0, "S-00001")], policy
        assert [(e.time, e.stream, e.per_year) for e in trace.of(BudgetChanged)] == [
            (5.0, "wmo-test", 1000.0)
        ]


def test_budget_cut_stops_placements_from_its_day(build, profile):
    trace = run(
        build,
        profile,
        beds=2,
        budget="5000",
        arrivals="[0, 3]",
        changes="[{day: 2, budget: {stream: wmo-test, per_year: 1500}}]",
    )
    # 1,000 EUR committed on day 0; from day 2 only 1,500 a year: the second case (1,000
    # more) waits to the end of the run
    assert placements(trace) == [(0.0, "S-00001")]


def test_extra_omm_beds_in_rotterdam_go_to_the_rotterdam_omm():
    sc = load_scenario(EXAMPLES_DIR / "national-demo-omm-rotterdam.yaml")
    (step,) = sc.supply.bed_steps
    fac = sc.supply.facilities[step.facility]
    assert (fac.id, step.day, step.delta) == ("omm-rotterdam", 0, 10)
    assert sc.supply.initial_beds[step.facility] == 6
    assert fac.beds == 16  # the most it has during the run (for the size rule)
