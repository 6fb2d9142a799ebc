"""The anticipatory policy (issue 13): sampled futures, the two-stage test, kept beds."""

from __future__ import annotations

import dataclasses

import pytest

from scenarios import BedKept, Placed, replication_kpis, run_replication
from scenarios.engine import Simulation
from scenarios.policies.anticipatory import AnticipatoryPolicy

FIXED_10 = "{womens_shelter: {distribution: fixed, mean_days: 10}}"


def one_scarce_bed(
    profile, rate: float, rates: str = "true-rates", variant: str = "two-stage"
) -> str:
    """One LVB bed in Utrecht; a standard case waits on day 0; complex (LVB) cases arrive
    at ``rate`` a day (Poisson). Stays last 10 days; complex weighs 2, standard 1."""
    return f"""
    name: one-scarce-bed
    seed: 7
    horizon_days: 2
    policy: anticipatory
    anticipation: {{rates: {rates}, samples: 16, min_history_days: 0, variant: {variant}}}
    supply:
      facilities:
        - {{id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 1,
           specialisms: [lvb]}}
    demand:
      - name: standard
        at_days: [0]
        profile: {profile("utrecht")}
        stay: {FIXED_10}
      - name: complex
        arrivals_per_day: {rate}
        profile: {profile("utrecht", "lvb")}
        stay: {FIXED_10}
    """


@pytest.mark.parametrize("variant", ["two-stage", "potentials"])
def test_bed_is_kept_when_a_complex_case_is_expected_tomorrow(build, profile, variant):
    trace = run_replication(build(one_scarce_bed(profile, 3.0, variant=variant)), 0)
    (kept,) = trace.of(BedKept)
    assert (kept.time, kept.facility, kept.case) == (0.0, "house-utrecht", "S-00001")
    assert kept.profile_class.startswith("complex/female/adult/needs=lvb")
    assert kept.expected_saving > 0
    assert kept.explain().startswith(
        "bed kept for expected arrivals of class complex/female/adult/needs=lvb"
    )
    assert not any(p.time == 0.0 and not p.initial for p in trace.of(Placed))


@pytest.mark.parametrize("variant", ["two-stage", "potentials"])
def test_bed_is_not_kept_when_a_complex_case_is_unlikely(build, profile, variant):
    trace = run_replication(build(one_scarce_bed(profile, 0.002, variant=variant)), 0)
    assert trace.of(BedKept) == []
    assert [(p.time, p.case) for p in trace.of(Placed)] == [(0.0, "S-00001")]


def test_class_weight_factors_reach_the_test_that_keeps_beds(build, profile):
    # issue 13: at 0.2 complex arrivals a day the bed goes to the standard case; weighing
    # complex cases 3 x in the rounds (optimiser.class_weight_factors) keeps it for them
    text = one_scarce_bed(profile, 0.2)
    assert run_replication(build(text), 0).of(BedKept) == []
    weighed = text.replace(
        "policy: anticipatory",
        "policy: anticipatory\n    optimiser: {class_weight_factors: {complex: 3}}",
    )
    kept = run_replication(build(weighed), 0).of(BedKept)
    assert [(k.time, k.case) for k in kept] == [(0.0, "S-00001"), (1.0, "S-00001")]
    assert all(k.profile_class.startswith("complex/") and k.expected_saving > 0 for k in kept)


def test_keeping_the_bed_lowers_the_weighted_waiting_of_the_hand_instance(build, one_bed_two_days):
    # standard on day 0, complex on day 1 (scheduled: the true rates know it), one bed
    text = one_bed_two_days.replace(
        "policy: @POLICY@", "policy: @POLICY@\n    anticipation: {rates: true-rates}"
    )
    anticipatory = run_replication(build(text, policy="anticipatory"), 0)
    optimised = run_replication(build(text, policy="optimised"), 0)
    assert [(p.time, p.case) for p in anticipatory.of(Placed)] == [
        (1.0, "S-00002"),
        (11.0, "S-00001"),
    ]
    assert replication_kpis(anticipatory)["weighted_wait_days"] == 11.0  # the hindsight plan's
    assert replication_kpis(optimised)["weighted_wait_days"] == 18.0


def test_the_arrivals_oracle_keeps_the_bed_for_the_case_that_really_comes(build, one_bed_two_days):
    # issue 13, the study oracle: the one sample is the run's own future (day 1: complex)
    text = one_bed_two_days.replace(
        "policy: @POLICY@", "policy: @POLICY@\n    anticipation: {rates: oracle-arrivals}"
    )
    trace = run_replication(build(text, policy="anticipatory"), 0)
    assert [(k.time, k.case) for k in trace.of(BedKept)] == [(0.0, "S-00001")]
    assert [(p.time, p.case) for p in trace.of(Placed)] == [(1.0, "S-00002"), (11.0, "S-00001")]


def test_the_arrivals_oracle_keeps_no_bed_for_a_case_that_does_not_come(build, profile):
    # complex cases at 0.5 a day: the true rates keep the bed on days 0 and 1, but none
    # arrives in this run's 2 days, and the oracle, knowing it, places the standard case
    likely = build(one_scarce_bed(profile, 0.5))
    assert [k.time for k in run_replication(likely, 0).of(BedKept)] == [0.0, 1.0]
    trace = run_replication(build(one_scarce_bed(profile, 0.5, rates="oracle-arrivals")), 0)
    assert trace.of(BedKept) == []
    assert [(p.time, p.case) for p in trace.of(Placed)] == [(0.0, "S-00001")]


class Unreadable:
    """Stands for the scenario's demand classes: any use of them fails the test."""

    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"the policy read the scenario's demand ({name})")

    def __iter__(self):
        raise AssertionError("the policy read the scenario's demand")

    def __getitem__(self, key):
        raise AssertionError("the policy read the scenario's demand")

    def __len__(self):
        raise AssertionError("the policy read the scenario's demand")


def busy_town(profile, rates: str) -> str:
    return f"""
    name: busy-town
    seed: 3
    horizon_days: 40
    policy: anticipatory
    anticipation: {{rates: {rates}, samples: 4, min_history_days: 5}}
    optimiser: {{planning_horizon_days: 20}}
    supply:
      facilities:
        - {{id: lvb-house, region: utrecht, placement_type: womens_shelter, beds: 2,
           specialisms: [lvb]}}
        - {{id: plain-house, region: utrecht, placement_type: womens_shelter, beds: 2}}
    demand:
      - name: standard
        arrivals_per_day: 0.3
        profile: {profile("utrecht")}
        stay: {{womens_shelter: {{distribution: exponential, mean_days: 6}}}}
      - name: complex
        arrivals_per_day: 0.2
        profile: {profile("utrecht", "lvb")}
        stay: {{womens_shelter: {{distribution: exponential, mean_days: 6}}}}
    """


def test_estimated_rates_never_read_the_scenarios_demand(build, profile):
    scenario = build(busy_town(profile, "estimated"))
    sim = Simulation(scenario, 0)
    blind = dataclasses.replace(scenario, demand=Unreadable())
    sim.policy = AnticipatoryPolicy(blind, 0)
    sim.run()
    assert sim.policy.notes["rounds_anticipated"] > 0
    with pytest.raises(AssertionError, match="read the scenario's demand"):
        AnticipatoryPolicy(
            dataclasses.replace(build(busy_town(profile, "true-rates")), demand=Unreadable()), 0
        )


def test_same_seed_same_trace(build, profile):
    scenario = build(busy_town(profile, "estimated"))
    first = run_replication(scenario, 1).events  # the notes hold seconds spent
    assert run_replication(scenario, 1).events == first
    assert run_replication(scenario, 2).events != first


def test_kpis_and_report_show_the_kept_beds_and_the_objective_by_class(
    build, one_bed_two_days, tmp_path
):
    from scenarios import run_scenario, write_run

    text = one_bed_two_days.replace(
        "policy: @POLICY@", "policy: anticipatory\n    anticipation: {rates: true-rates}"
    )
    result = run_scenario(build(text).with_replications(3))
    assert result.kpis["anticipation"]["beds_kept"] == 1.0
    assert result.kpis["weighted_wait_days_by_class"]["complex"] == 0.0
    write_run(result, tmp_path / "run")
    html = (tmp_path / "run" / "report.html").read_text()
    assert "Beds kept for expected arrivals (anticipatory rounds): 1.0" in html
    assert "the evaluation objective" in html
