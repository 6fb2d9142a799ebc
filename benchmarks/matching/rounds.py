"""Rounds of the scenario engine, captured as matching problems (a shape of issue 11).

The national demo scenario (``scenarios/examples/national-demo.yaml``) under ``optimised``
is simulated up to a day; the problem of that day's round is what the shape gives. Its
size is the scenario's (about 90-200 waiting cases, 75 facilities) whatever size is asked:
the scenario engine has no larger supply.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from matching import MatchingProblem

ROUND_DAYS = (30, 120, 200, 280, 340)  # the day captured, by seed 1..5 (then cycling)


class _Recorder:
    """Wraps the run's policy: keeps the problem of every round it builds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.problems: list[tuple[float, MatchingProblem]] = []

    def decide(self, state: Any, now: float) -> Any:
        from scenarios.policies.optimised import build_round

        built = build_round(state, now, self.inner.horizon) if state.waiting else None
        if built is not None:
            self.problems.append((now, built.problem))
        return self.inner.decide(state, now)


def scenario_rounds(last_day: int, replication: int = 0) -> list[tuple[float, MatchingProblem]]:
    """Every round problem (day, problem) of the national demo scenario up to ``last_day``."""
    from scenarios import EXAMPLES_DIR, load_scenario
    from scenarios.engine import Simulation

    sc = load_scenario(EXAMPLES_DIR / "national-demo.yaml")
    sc = replace(sc, spec=sc.spec.model_copy(update={"horizon_days": last_day + 1}))
    sim = Simulation(sc, replication)
    recorder = _Recorder(sim.policy)
    sim.policy = recorder
    sim.run()
    return recorder.problems


def scenario_round(seed: int) -> MatchingProblem:
    """The round of day ``ROUND_DAYS[seed - 1]`` (of the scenario's one size, see above)."""
    day = ROUND_DAYS[(seed - 1) % len(ROUND_DAYS)]
    rounds = scenario_rounds(day)
    return max(rounds, key=lambda r: r[0])[1]
