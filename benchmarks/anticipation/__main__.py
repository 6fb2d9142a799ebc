"""``python -m benchmarks.anticipation``: anticipatory matching against hindsight (issue 13).

Every policy on the same seeds (so the same arrivals and stays: paired by replication), on
a seed the tests do not use, for three supply/demand mixes of the national demo scenario:

- ``national``: ``scenarios/examples/national-demo.yaml``;
- ``omm-rotterdam``: the same with 10 extra OMM beds in Rotterdam
  (``national-demo-omm-rotterdam.yaml``), another supply mix;
- ``fixed-stays``: the national demo with every stay exactly its class's mean at the type
  (``distribution: fixed``), so knowing a case's actual stay is worth nothing: what is
  left between an online policy and hindsight is arrivals and the decision rule (the
  demo's lognormal shape, spread 60 % of the mean, is an estimate, not sourced).

Policies: ``current-practice``, ``optimised``, ``optimised`` without ageing (what the
ageing rule costs on the evaluation objective), ``anticipatory`` (forecast from the
simulated history), ``anticipatory`` with the scenario's true rates, ``anticipatory`` with
``variant: potentials`` (LP dual prices of beds), ``optimised`` (with and without ageing)
and ``anticipatory`` without ageing that know every case's actual stay
(``optimiser.oracle_stays``, a study oracle: what knowing stays is worth, apart from
knowing arrivals), ``anticipatory`` without ageing whose one sample is the run's own
future (``anticipation.rates: oracle-arrivals``), without and with knowing stays,
``hindsight``.
One replication is one task; tasks run in ``--workers`` processes and each result is
appended to ``--out`` (JSON lines) as it finishes, so a long run keeps what it measured.
``--summary`` reads that file and prints the paired figures.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from scenarios import COMPLEX_CASES, EXAMPLES_DIR, confidence_interval, parse_scenario
from scenarios.aggregate import UNBOUNDED
from scenarios.engine import run_replication
from scenarios.kpis import replication_kpis

CP = "current-practice"
SEED = 13013  # not a seed of any test (they use the examples' 2026)
MIXES = {
    "national": "national-demo.yaml",
    "omm-rotterdam": "national-demo-omm-rotterdam.yaml",
    "fixed-stays": "national-demo.yaml",
}
POLICIES: dict[str, dict[str, Any]] = {
    "current-practice": {"policy": "current-practice"},
    "optimised": {"policy": "optimised"},
    "optimised-no-ageing": {"policy": "optimised", "optimiser": {"ageing": False}},
    "anticipatory": {"policy": "anticipatory"},
    "anticipatory-true-rates": {
        "policy": "anticipatory",
        "anticipation": {"rates": "true-rates"},
    },
    "anticipatory-potentials": {
        "policy": "anticipatory",
        "anticipation": {"variant": "potentials"},
    },
    "anticipatory-hold-30": {"policy": "anticipatory", "anticipation": {"hold_days": 30}},
    "anticipatory-no-ageing": {"policy": "anticipatory", "optimiser": {"ageing": False}},
    # the study oracle (optimiser.oracle_stays): rounds know each case's actual stay, so
    # hindsight minus these is what knowing the arrivals is worth, stays apart
    "optimised-oracle-stays": {"policy": "optimised", "optimiser": {"oracle_stays": True}},
    "optimised-no-ageing-oracle-stays": {
        "policy": "optimised",
        "optimiser": {"ageing": False, "oracle_stays": True},
    },
    "anticipatory-no-ageing-oracle-stays": {
        "policy": "anticipatory",
        "optimiser": {"ageing": False, "oracle_stays": True},
    },
    # the other oracle (anticipation.rates: oracle-arrivals): the run's own future arrivals
    # as the one sample, without and with knowing stays
    "anticipatory-no-ageing-oracle-arrivals": {
        "policy": "anticipatory",
        "optimiser": {"ageing": False},
        "anticipation": {"rates": "oracle-arrivals"},
    },
    "anticipatory-no-ageing-oracle-both": {
        "policy": "anticipatory",
        "optimiser": {"ageing": False, "oracle_stays": True},
        "anticipation": {"rates": "oracle-arrivals"},
    },
    "hindsight": {"policy": "hindsight"},
}
# the planning horizon of the rounds (issue 13): the same policies planning 120, 180 or
# 365 days instead of the default 60, with and without the study oracles
for _days in (120, 180, 365):
    for _name in (
        "optimised",
        "optimised-no-ageing",
        "anticipatory",
        "optimised-no-ageing-oracle-stays",
        "anticipatory-no-ageing-oracle-both",
    ):
        _over = dict(POLICIES[_name])
        _over["optimiser"] = {**_over.get("optimiser", {}), "planning_horizon_days": _days}
        POLICIES[f"{_name}-plan-{_days}"] = _over
# a cheap end of the plan instead (issue 13): a 60-day plan that charges each option the
# bed-days its expected stay runs past day 60 at a fixed price (weighted days a bed-day)
for _price in (0.1, 0.2, 0.3):
    POLICIES[f"optimised-end-price-{_price}"] = {
        "policy": "optimised",
        "optimiser": {"end_of_plan_price": _price},
    }
# complex cases weighed more in the rounds only (optimiser.class_weight_factors, issue 13):
# the evaluation objective keeps the rulebook's weights
for _factor in (1.5, 2.0, 3.0):
    _classes = {"complex": _factor, "highly_complex": _factor}
    POLICIES[f"optimised-complex-x{_factor}"] = {
        "policy": "optimised",
        "optimiser": {"class_weight_factors": _classes},
    }
    POLICIES[f"optimised-no-ageing-complex-x{_factor}"] = {
        "policy": "optimised",
        "optimiser": {"ageing": False, "class_weight_factors": _classes},
    }
    POLICIES[f"anticipatory-complex-x{_factor}"] = {
        "policy": "anticipatory",
        "optimiser": {"class_weight_factors": _classes},
    }
GOAL_WEIGHTED = 1.03  # x hindsight, priority-weighted waiting
GOAL_COMPLEX_VS_HINDSIGHT = 1.10
GOAL_COMPLEX_VS_CURRENT = 0.5
GOAL_SECONDS = 60.0  # per simulated year


def fixed_stays(base: str) -> list[dict[str, Any]]:
    """The demand classes of an example file with every stay fixed at its mean."""
    demand = yaml.safe_load((EXAMPLES_DIR / base).read_text())["demand"]
    for model in demand:
        model["stay"] = {
            t: {"distribution": "fixed", "mean_days": s["mean_days"]}
            for t, s in model["stay"].items()
        }
    return demand


def task(
    mix: str,
    policy: str,
    replication: int,
    horizon: int,
    hindsight_limit: float,
    seed: int = SEED,
) -> dict:
    """Run one replication; return its figures."""
    over = POLICIES[policy]
    doc = {
        "base": MIXES[mix],
        "name": f"{mix}-{policy}",
        "seed": seed,
        "horizon_days": horizon,
        "replications": 1,
        "hindsight": {"time_limit_seconds": hindsight_limit},
        **over,
    }
    if mix == "fixed-stays":
        doc["demand"] = fixed_stays(MIXES[mix])
    sc = parse_scenario(yaml.safe_dump(doc), source=f"{mix}-{policy}", base_dir=EXAMPLES_DIR)
    wall, cpu = time.perf_counter(), time.process_time()
    trace = run_replication(sc, replication)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    k = replication_kpis(trace)
    cx = k["by_class"][COMPLEX_CASES]
    return {
        "mix": mix,
        "policy": policy,
        "replication": replication,
        "seed": seed,
        "horizon_days": horizon,
        "seconds": wall,
        "cpu_seconds": cpu,
        "weighted": k["weighted_wait_days"],
        "weighted_by_class": k["weighted_wait_days_by_class"],
        "complex_mean": cx["wait_days"]["mean"],
        "complex_mean_if_eligible": cx["mean_wait_days_if_eligible"],
        "complex_gap_cases": cx["capacity_gap_cases"],
        "class_mean": {c: v["wait_days"]["mean"] for c, v in k["by_class"].items()},
        "class_mean_if_eligible": {
            c: v["mean_wait_days_if_eligible"] for c, v in k["by_class"].items()
        },
        "anticipation": k.get("anticipation"),
        "rounds": k["rounds"],  # held, and how many stopped short of optimal (time limit)
        "notes": k.get("policy", {}),
    }


def run(args: argparse.Namespace) -> None:
    out = Path(args.out)
    done = set()
    if out.exists():
        for line in out.read_text().splitlines():
            r = json.loads(line)
            if r.get("seed", SEED) != args.seed:
                raise SystemExit(f"--out {out} holds runs of seed {r.get('seed', SEED)}")
            done.add((r["mix"], r["policy"], r["replication"]))
    todo = [
        (mix, policy, rep)
        for rep in range(args.replications)
        for mix in args.mixes
        for policy in args.policies
        if (mix, policy, rep) not in done
    ]
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {
            pool.submit(task, m, p, r, args.horizon, args.hindsight_limit, args.seed): (m, p, r)
            for m, p, r in todo
        }
        for f in as_completed(futures):
            result = f.result()
            with out.open("a") as fh:
                fh.write(json.dumps(result) + "\n")
            print(
                f"{result['mix']:14} {result['policy']:24} rep {result['replication']}: "
                f"{result['seconds']:.0f} s, weighted {result['weighted']:.0f}, "
                f"complex {result['complex_mean']:.1f} d",
                flush=True,
            )


def _paired(rows: dict, a: str, b: str, key: str, mix: str) -> tuple[float, Any, int] | None:
    """Mean of per-replication ratios ``a / b`` of ``key``, its interval, the pairs."""
    reps = sorted(set(rows[mix].get(a, {})) & set(rows[mix].get(b, {})))
    ratios = []
    for r in reps:
        x, y = rows[mix][a][r][key], rows[mix][b][r][key]
        if x is not None and y:
            ratios.append(x / y)
    if not ratios:
        return None
    return float(np.mean(ratios)), confidence_interval(ratios), len(ratios)


def _fmt(p: tuple[float, Any, int] | None) -> str:
    if p is None:
        return "-"
    mean, ci, n = p
    interval = f" ({ci[0]:.3f}-{ci[1]:.3f})" if ci else ""
    return f"{mean:.3f}{interval} [{n}]"


def summary(path: Path) -> None:
    rows: dict[str, dict[str, dict[int, dict]]] = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        rows.setdefault(r["mix"], {}).setdefault(r["policy"], {})[r["replication"]] = r
    for mix, by_policy in rows.items():
        print(f"\n## {mix}")
        print(
            "policy | reps | seconds (wall / cpu) | weighted / hindsight | complex / hindsight |"
            " complex if eligible / hindsight | complex if eligible / current practice"
        )
        for policy in POLICIES:
            if policy not in by_policy:
                continue
            reps = by_policy[policy]
            secs = np.mean([r["seconds"] for r in reps.values()])
            cpu = np.mean([r["cpu_seconds"] for r in reps.values()])
            print(
                f"{policy} | {len(reps)} | {secs:.0f} / {cpu:.0f} | "
                f"{_fmt(_paired(rows, policy, 'hindsight', 'weighted', mix))} | "
                f"{_fmt(_paired(rows, policy, 'hindsight', 'complex_mean', mix))} | "
                f"{_fmt(_paired(rows, policy, 'hindsight', 'complex_mean_if_eligible', mix))} | "
                f"{_fmt(_paired(rows, policy, CP, 'complex_mean_if_eligible', mix))}"
            )
        _per_class(rows, mix)


def _per_class(rows: dict, mix: str) -> None:
    """Per class, a policy's mean wait (cases with an eligible facility) minus its base's,
    paired by replication, with its interval; and the same for the weighted total."""
    pairs = (
        ("anticipatory", "optimised"),
        ("anticipatory-true-rates", "optimised"),
        ("anticipatory-potentials", "optimised"),
        ("anticipatory-potentials", "anticipatory"),
        ("anticipatory-hold-30", "optimised"),
        ("optimised-no-ageing", "optimised"),
        ("anticipatory-no-ageing", "optimised-no-ageing"),
        ("anticipatory-true-rates", "anticipatory"),
        ("hindsight", "optimised"),  # the value of perfect information, per class
        ("hindsight", "optimised-no-ageing"),  # the same, the ageing rule apart
        # the same split once more (issue 13): knowing stays, then knowing arrivals
        ("optimised-no-ageing-oracle-stays", "optimised-no-ageing"),
        ("optimised-oracle-stays", "optimised"),  # knowing stays, with the ageing rule
        ("optimised-no-ageing-oracle-stays", "optimised-oracle-stays"),
        ("hindsight", "optimised-no-ageing-oracle-stays"),
        ("anticipatory-no-ageing-oracle-stays", "anticipatory-no-ageing"),
        ("anticipatory-no-ageing-oracle-stays", "optimised-no-ageing-oracle-stays"),
        ("hindsight", "anticipatory-no-ageing-oracle-stays"),
        ("anticipatory-no-ageing-oracle-arrivals", "anticipatory-no-ageing"),
        ("anticipatory-no-ageing-oracle-both", "anticipatory-no-ageing-oracle-stays"),
        ("hindsight", "anticipatory-no-ageing-oracle-both"),
        # the planning horizon and the end of the plan (issue 13): each against its 60-day
        # self, and what is left to hindsight
        *[
            (f"{name}-plan-{days}", name)
            for days in (120, 180, 365)
            for name in (
                "optimised",
                "optimised-no-ageing",
                "anticipatory",
                "optimised-no-ageing-oracle-stays",
                "anticipatory-no-ageing-oracle-both",
            )
        ],
        ("hindsight", "optimised-no-ageing-oracle-stays-plan-365"),
        *[(f"optimised-end-price-{price}", "optimised") for price in (0.1, 0.2, 0.3)],
        # complex cases weighed more in the rounds: who pays, and what is left to hindsight
        *[
            (f"{name}-complex-x{factor}", name)
            for factor in (1.5, 2.0, 3.0)
            for name in ("optimised", "optimised-no-ageing", "anticipatory")
        ],
        *[
            ("hindsight", f"{name}-complex-x{factor}")
            for factor in (1.5, 2.0, 3.0)
            for name in ("optimised-no-ageing", "anticipatory")
        ],
    )
    for policy, base in pairs:
        got = rows[mix]
        reps = sorted(set(got.get(policy, {})) & set(got.get(base, {})))
        if not reps:
            continue
        classes = got[base][reps[0]]["class_mean_if_eligible"]
        parts = []
        for c in classes:
            d = [
                got[policy][r]["class_mean_if_eligible"][c]
                - got[base][r]["class_mean_if_eligible"][c]
                for r in reps
                if got[policy][r]["class_mean_if_eligible"][c] is not None
                and got[base][r]["class_mean_if_eligible"][c] is not None
            ]
            if d:
                ci = confidence_interval(d, bounds=UNBOUNDED)
                span = f" ({ci[0]:+.1f} to {ci[1]:+.1f})" if ci else ""
                parts.append(f"{c} {np.mean(d):+.1f}{span}")
        w = [got[policy][r]["weighted"] - got[base][r]["weighted"] for r in reps]
        ci = confidence_interval(w, bounds=UNBOUNDED)
        span = f" ({ci[0]:+.0f} to {ci[1]:+.0f})" if ci else ""
        kept = [(got[policy][r].get("anticipation") or {}).get("beds_kept", 0) for r in reps]
        print(
            f"{policy} - {base} [{len(reps)}], days: "
            + "; ".join(parts)
            + f"; weighted {np.mean(w):+.0f}{span}; beds kept per replication {np.mean(kept):.1f}"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", default="anticipation.jsonl")
    p.add_argument("--mixes", nargs="+", default=list(MIXES), choices=list(MIXES))
    p.add_argument("--policies", nargs="+", default=list(POLICIES), choices=list(POLICIES))
    p.add_argument("--replications", type=int, default=3)
    p.add_argument("--horizon", type=int, default=365)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--hindsight-limit", type=float, default=300.0)
    p.add_argument(
        "--seed",
        type=int,
        default=SEED,
        help=f"the scenarios' seed (default {SEED}); keep one seed per --out file",
    )
    p.add_argument("--summary", action="store_true", help="only summarise --out")
    p.add_argument(
        "--speed",
        choices=list(POLICIES),
        help="only time one replication (0) of --horizon days of the national mix in this "
        "process: wall-clock and CPU seconds",
    )
    args = p.parse_args()
    if args.speed:
        r = task("national", args.speed, 0, args.horizon, args.hindsight_limit)
        print(
            f"{args.speed}: {args.horizon} days in {r['seconds']:.1f} s wall clock, "
            f"{r['cpu_seconds']:.1f} s CPU; weighted {r['weighted']:.0f}, "
            f"anticipation {r['anticipation']}, notes {r['notes']}"
        )
        return
    if not args.summary:
        run(args)
    summary(Path(args.out))


if __name__ == "__main__":
    main()
