"""Rolling hindsight: what a plan window is worth when everything is known (issue 13).

``python -m benchmarks.anticipation.rolling --mix national --window 60 --every 7``

A study policy, not a product one: every ``--every`` days it solves the hindsight model
(:mod:`scenarios.policies.offline`: the restricted LP, rounded and list-scheduled, then
left-shifted, as :class:`scenarios.policies.hindsight.OfflineModel` plans) over the next
``--window`` days only, from the simulated state of that day, with the cases waiting and
the run's actual arrivals before the window's end (``--no-arrivals``: the waiting cases
only), every stay its actual length; it carries out that plan until the next re-plan.
With a window as long as the run and one plan this is the hindsight plan without its MIP;
shorter windows show what planning only so far ahead costs with perfect information, the
decision rule apart from what is known. Prints one JSON line (``missed``: planned
placements the simulation could not carry out; 0 on the tests' scenarios and on the
demo's year since the offline budget rows count the spending committed in the state's own
budget year); seed 13013 as :mod:`benchmarks.anticipation`.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time

import numpy as np
import yaml

from benchmarks.anticipation.__main__ import MIXES, SEED, fixed_stays
from scenarios import COMPLEX_CASES, EXAMPLES_DIR, Scenario, Trace, parse_scenario
from scenarios.engine import Simulation
from scenarios.kpis import replication_kpis
from scenarios.policies.base import Decision, RoundKind
from scenarios.policies.hindsight import OfflineModel, Solved
from scenarios.policies.offline import build_columns
from scenarios.state import CaseRecord, IntArray, SimState

NO_BOUND = Solved(np.zeros(0), -math.inf, -math.inf, "none", 0.0)  # never starts the MIP


class RollingHindsight:
    """Re-plan with perfect information over a window every few days."""

    def __init__(
        self,
        records: list[CaseRecord],
        horizon: int,
        *,
        window: int,
        every: int,
        arrivals: bool = True,
    ) -> None:
        self.records, self.horizon = records, horizon
        self.window, self.every, self.arrivals = window, every, arrivals
        self.plan: dict[int, list[tuple[int, int]]] = {}
        self.next_plan = 0
        self.seconds = 0.0
        self.plans = 0
        self.last: list[int] = []  # cases the last round was to place
        self.missed = 0  # planned placements the simulation could not carry out

    def decide(self, state: SimState, now: float) -> Decision:
        day = round(now)
        self.missed += sum(1 for c in self.last if c in state.waiting)
        if day >= self.next_plan:
            self._replan(state, day)
            self.next_plan = day + self.every
        today = [(c, f) for c, f in self.plan.get(day, []) if c in state.waiting]
        self.last = [c for c, _ in today]
        return Decision(today, RoundKind.PLAN)

    def _beds(self, state: SimState, day: int, end: int) -> IntArray:
        """Free beds per facility and day from ``day`` to ``end``: beds after the planned
        changes minus the stays under way (their actual ends); 0 before ``day``."""
        supply = state.supply
        delta = np.zeros((len(supply.facilities), self.horizon + 1), dtype=np.int64)
        delta[:, 0] = supply.initial_beds
        for step in supply.bed_steps:
            delta[step.facility, min(step.day, self.horizon)] += step.delta
        beds = np.cumsum(delta, axis=1)[:, :end]
        for stay in state.stays.values():
            first = max(0, math.ceil(stay.start - 1e-9))
            beds[stay.facility, first : min(end, math.ceil(stay.end - 1e-9))] -= stay.beds
        beds[:, :day] = 0
        out: IntArray = np.maximum(beds, 0)
        return out

    def _replan(self, state: SimState, day: int) -> None:
        t0 = time.perf_counter()
        end = min(day + self.window, self.horizon)
        records = list(self.records)
        chosen = []
        for c, r in state.waiting.items():  # released today: their start days begin now
            records[c] = dataclasses.replace(r, arrival=float(day))
            chosen.append(c)
        if self.arrivals:
            chosen += [
                r.index
                for r in self.records
                if day < r.arrival < end and r.index not in state.waiting
            ]
        beds = self._beds(state, day, end)
        subset = [records[c] for c in chosen]
        cols = build_columns(state, subset, beds, end, relaxed=False)
        self.plan = {}
        if cols.n:
            model = OfflineModel(state=state, avail=beds, horizon=end, time_limit=0.0, gap=0.0)
            placements, _ = model.plan(cols, records, NO_BOUND, 0.0)
            self.plan = placements.by_day()
        self.seconds += time.perf_counter() - t0
        self.plans += 1


def run_rolling(
    scenario: Scenario, replication: int, *, window: int, every: int, arrivals: bool = True
) -> tuple[RollingHindsight, Trace]:
    """One replication of ``scenario`` under rolling hindsight."""
    sim = Simulation(scenario, replication)
    policy = RollingHindsight(
        sim.records, scenario.spec.horizon_days, window=window, every=every, arrivals=arrivals
    )
    sim.policy = policy
    return policy, sim.run()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--mix", default="national", choices=list(MIXES))
    p.add_argument("--replication", type=int, default=0)
    p.add_argument("--horizon", type=int, default=365)
    p.add_argument("--window", type=int, default=60, help="days each plan looks ahead")
    p.add_argument("--every", type=int, default=7, help="days between plans")
    p.add_argument("--no-arrivals", action="store_true", help="plan the waiting cases only")
    args = p.parse_args()
    doc = {
        "base": MIXES[args.mix],
        "name": f"{args.mix}-rolling-hindsight",
        "seed": SEED,
        "horizon_days": args.horizon,
        "replications": 1,
        "policy": "optimised",  # replaced below; its rounds are never run
    }
    if args.mix == "fixed-stays":
        doc["demand"] = fixed_stays(MIXES[args.mix])
    scenario = parse_scenario(yaml.safe_dump(doc), source=doc["name"], base_dir=EXAMPLES_DIR)
    t0 = time.perf_counter()
    policy, trace = run_rolling(
        scenario,
        args.replication,
        window=args.window,
        every=args.every,
        arrivals=not args.no_arrivals,
    )
    k = replication_kpis(trace)
    print(
        json.dumps(
            {
                "mix": args.mix,
                "replication": args.replication,
                "window": args.window,
                "every": args.every,
                "arrivals": policy.arrivals,
                "weighted": k["weighted_wait_days"],
                "complex_mean_if_eligible": k["by_class"][COMPLEX_CASES][
                    "mean_wait_days_if_eligible"
                ],
                "plans": policy.plans,
                "missed": policy.missed,
                "plan_seconds": round(policy.seconds, 1),
                "seconds": round(time.perf_counter() - t0, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
