"""Progress within a replication: reported every few simulated days, results unchanged."""

from __future__ import annotations

import math

import pytest

from scenarios import parse_scenario, run_scenario
from scenarios.engine import Simulation
from scenarios.runner import PROGRESS_UPDATES, progress_interval

POISSON = """
name: poisson-event
seed: 3
horizon_days: 90
replications: 2
policy: {policy}
cadence: {cadence}
supply:
  facilities:
    - {{id: house-utrecht, region: utrecht, placement_type: womens_shelter, beds: 2}}
    - {{id: house-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 1}}
  changes:
    - {{day: 30, beds: {{placement_type: womens_shelter, region: amsterdam, add: 1}}}}
demand:
  - name: women
    arrivals_per_day: 0.4
    profile: dutch_women_domestic
    stay: {{womens_shelter: {{distribution: exponential, mean_days: 8}}}}
  - name: on-the-day
    at_days: [0, 10, 20, 30]
    profile: {{age: 30, gender: female, residence_status: nl, exploitation_type: sexual,
               region_signalled: utrecht}}
    stay: {{womens_shelter: {{distribution: fixed, mean_days: 10}}}}
"""


class Recorder:
    """A :class:`scenarios.Progress` that keeps every call."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.advanced: list[tuple[str, int]] = []

    def start(self, label: str, total: int) -> None:
        self.started.append((label, total))

    def advance(self, label: str, steps: int) -> None:
        self.advanced.append((label, steps))


@pytest.mark.parametrize("every", [7, 10])  # 10: at the moments of arrivals and changes
@pytest.mark.parametrize(
    ("policy", "cadence"), [("fifo", "event"), ("fifo", "daily"), ("optimised", "daily")]
)
def test_the_callback_reports_days_as_the_run_goes_and_changes_nothing(policy, cadence, every):
    scenario = parse_scenario(POISSON.format(policy=policy, cadence=cadence))
    plain = Simulation(scenario, 1).run()
    calls: list[tuple[int, int]] = []  # (days, events recorded so far)
    sim: Simulation

    def on_days(days: int) -> None:
        calls.append((days, len(sim.events)))

    sim = Simulation(scenario, 1, on_days=on_days, every_days=every)
    watched = sim.run()
    assert watched == plain  # same events, same run facts
    rest = [90 % every] if 90 % every else []
    assert [d for d, _ in calls] == [every] * (90 // every) + rest  # 7: 12 x 7, then 6
    seen = [n for _, n in calls]
    assert seen == sorted(seen)
    assert 0 < seen[0] < seen[-2] < len(watched.events)  # called while the run goes


def test_the_callback_adds_up_to_the_horizon_whatever_the_interval():
    scenario = parse_scenario(POISSON.format(policy="fifo", cadence="daily"))
    for every in (1, 30, 89, 90, 500):
        days: list[int] = []
        Simulation(scenario, 0, on_days=days.append, every_days=every).run()
        assert sum(days) == 90, every
        assert len(days) == -(-90 // every), every
    with pytest.raises(ValueError, match="at least 1"):
        Simulation(scenario, 0, on_days=days.append, every_days=0)


def test_in_process_runs_report_progress_within_each_replication():
    scenario = parse_scenario(POISSON.format(policy="fifo", cadence="event"))
    progress = Recorder()
    watched = run_scenario(scenario, progress=progress)
    plain = run_scenario(scenario)
    assert watched.kpis == plain.kpis
    assert [r.kpis for r in watched.replications] == [r.kpis for r in plain.replications]
    assert progress.started == [("poisson-event", 2 * 90)]
    every = progress_interval(90)
    assert every == math.ceil(90 / PROGRESS_UPDATES) == 5
    assert progress.advanced == [("poisson-event", 5)] * (2 * 18)  # 90 days = 18 x 5, twice
