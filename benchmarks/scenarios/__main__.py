"""``python -m benchmarks.scenarios``: scenario speed, Dask scale-out and policy quality.

Three parts (issue 5), each optional:

- **speed**: the national demo scenario under ``optimised`` (daily matching rounds, 60-day
  planning horizon), one replication of a simulated year in this process: wall-clock and
  CPU seconds per simulated year (goal: under 15 s, issue 11; CPU seconds are what a busy machine
  cannot blur).
- **scale**: the same with a shorter horizon, several replications on a local Dask
  cluster with 1 and then 2 workers: the speed-up of 2 workers over 1.
- **quality**: the national demo scenario under ``current-practice``, ``optimised`` and
  ``hindsight`` with the same seeds (so the same arrivals and stays): complex-case mean
  wait of optimised relative to current practice (goal <= 0.5) and to hindsight
  (goal <= 1.10), per replication and as ratio of means, with 95 % intervals.

Runs on Dask start a local cluster, hence the ``__main__`` guard.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scenarios import (
    COMPLEX_CASES,
    EXAMPLES_DIR,
    Scenario,
    ScenarioResult,
    confidence_interval,
    dask_client,
    load_scenario,
    run_scenario,
    run_scenarios,
    write_run,
)

GOAL_SECONDS_PER_YEAR = 15.0  # issue 11: a simulated year under 15 s
GOAL_VS_CURRENT_PRACTICE = 0.5
GOAL_VS_HINDSIGHT = 1.10
DAYS_PER_YEAR = 365  # days
CONTROL_LOOP = 20_000_000  # iterations of the control loop (about a second)


def national(policy: str, *, replications: int, horizon: int | None = None) -> Scenario:
    """The national demo scenario under a policy (``scenarios/examples``)."""
    name = "national-demo.yaml" if policy == "optimised" else f"national-demo-{policy}.yaml"
    sc = load_scenario(EXAMPLES_DIR / name)
    update: dict[str, Any] = {"replications": replications}
    if horizon is not None:
        update["horizon_days"] = horizon
    return replace(sc, spec=sc.spec.model_copy(update=update))


def speed(replications: int) -> dict[str, Any]:
    """Seconds per simulated year of daily optimised rounds, in this process."""
    sc = national("optimised", replications=replications)
    cpu0 = time.process_time()
    result = run_scenario(sc)
    cpu = (time.process_time() - cpu0) / replications
    per_rep = [r.seconds for r in result.replications]
    per_year = [s * DAYS_PER_YEAR / sc.spec.horizon_days for s in per_rep]
    rounds = [r.kpis["rounds"] for r in result.replications]
    return {
        "replications": replications,
        "seconds_per_simulated_year": per_year,
        "mean_seconds_per_simulated_year": sum(per_year) / len(per_year),
        "cpu_seconds_per_simulated_year": cpu * DAYS_PER_YEAR / sc.spec.horizon_days,
        "rounds_held": [r["held"] for r in rounds],
        "rounds_not_proven_optimal": [r["not_optimal"] for r in rounds],
        "goal_seconds": GOAL_SECONDS_PER_YEAR,
    }


def scale(replications: int, horizon: int) -> dict[str, Any]:
    """Wall-clock seconds of the same replications on 1 and on 2 Dask workers.

    Also a control: a pure-Python loop run once, then twice at the same time in two
    processes; its speed-up shows how much of the machine's two cores were free.
    """
    sc = national("optimised", replications=replications, horizon=horizon)
    seconds: dict[int, float] = {}
    kpis: dict[int, Any] = {}
    for workers in (1, 2):
        with dask_client(workers=workers) as client:
            t0 = time.perf_counter()
            (result,) = run_scenarios([sc], client=client)
            seconds[workers] = time.perf_counter() - t0
            kpis[workers] = result.kpis
    return {
        "replications": replications,
        "horizon_days": horizon,
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speed_up": seconds[1] / seconds[2],
        "identical_kpis": kpis[1] == kpis[2],
        "control_speed_up_of_2_processes": control(),
    }


def _burn(n: int) -> float:
    t0 = time.perf_counter()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - t0


def control(n: int = CONTROL_LOOP) -> float:
    """Speed-up of two processes over one on a pure-Python loop (2.0 on two free cores)."""
    one = _burn(n)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        t0 = time.perf_counter()
        pool.map(_burn, [n, n])
        two = time.perf_counter() - t0
    return 2 * one / two


def complex_wait(result: ScenarioResult, key: str = "mean") -> list[float]:
    """Per replication, the complex-case mean wait (or the same without capacity gaps)."""
    out = []
    for r in result.replications:
        group = r.kpis["by_class"][COMPLEX_CASES]
        value = group["wait_days"]["mean"] if key == "mean" else group["mean_wait_days_if_eligible"]
        out.append(float(value))
    return out


def ratios(top: list[float], bottom: list[float]) -> dict[str, Any]:
    """Per-replication ratios (same seeds: paired), their mean and interval, ratio of means."""
    per = [a / b for a, b in zip(top, bottom, strict=True)]
    return {
        "per_replication": per,
        "mean": sum(per) / len(per),
        "ci95": confidence_interval(per),
        "ratio_of_means": (sum(top) / len(top)) / (sum(bottom) / len(bottom)),
    }


def quality(replications: int, workers: int, out: Path | None) -> dict[str, Any]:
    """The three policies on the national demo scenario, same seeds, on a local cluster."""
    policies = ("current-practice", "optimised", "hindsight")
    scenarios = [national(p, replications=replications) for p in policies]
    with dask_client(workers=workers) as client:
        results = dict(zip(policies, run_scenarios(scenarios, client=client), strict=True))
    if out is not None:
        for policy, result in results.items():
            write_run(result, out / policy)
    waits = {p: complex_wait(r) for p, r in results.items()}
    eligible = {p: complex_wait(r, "eligible") for p, r in results.items()}
    hindsight = results["hindsight"].replications
    return {
        "replications": replications,
        "complex_mean_wait": {
            p: {"per_replication": waits[p], **_mean_and_ci(r)} for p, r in results.items()
        },
        "optimised_vs_current_practice": ratios(waits["optimised"], waits["current-practice"]),
        "optimised_vs_hindsight": ratios(waits["optimised"], waits["hindsight"]),
        "without_capacity_gaps": {
            "optimised_vs_current_practice": ratios(
                eligible["optimised"], eligible["current-practice"]
            ),
            "optimised_vs_hindsight": ratios(eligible["optimised"], eligible["hindsight"]),
        },
        "weighted_wait": {
            "hindsight_lower_bound": [r.kpis["policy"]["lower_bound"] for r in hindsight],
            "hindsight_plan": [r.kpis["policy"]["plan_objective"] for r in hindsight],
            **{
                p: [r.kpis["weighted_wait_days"] for r in results[p].replications] for p in policies
            },
        },
        "replication_seconds": {p: [x.seconds for x in r.replications] for p, r in results.items()},
        "sweep_seconds": next(iter(results.values())).seconds,
        "goals": {
            "vs_current_practice": GOAL_VS_CURRENT_PRACTICE,
            "vs_hindsight": GOAL_VS_HINDSIGHT,
        },
    }


def _mean_and_ci(result: ScenarioResult) -> dict[str, Any]:
    wait = result.kpis["by_class"][COMPLEX_CASES]["wait_days"]
    return {"mean": wait["mean"], "ci95": wait["ci95"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.scenarios", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument(
        "--parts", default="speed,scale,quality", help="comma-separated parts to run"
    )
    parser.add_argument("--speed-replications", type=int, default=1)
    parser.add_argument("--scale-replications", type=int, default=4)
    parser.add_argument("--scale-horizon", type=int, default=120, help="days per replication")
    parser.add_argument("--quality-replications", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="workers for the quality part")
    parser.add_argument("--out", type=Path, help="also write each quality run's reports here")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    if "speed" in parts:
        report["speed"] = speed(args.speed_replications)
        print_part("speed", report["speed"])
    if "scale" in parts:
        report["scale"] = scale(args.scale_replications, args.scale_horizon)
        print_part("scale", report["scale"])
    if "quality" in parts:
        report["quality"] = quality(args.quality_replications, args.workers, args.out)
        print_part("quality", report["quality"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def print_part(name: str, figures: dict[str, Any]) -> None:
    print(f"== {name}")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
