"""``python -m benchmarks.matching``: the solver on seeded instances, one table per size.

Every (size, seed, method) runs in a fresh process (``benchmarks.matching.one``); the
instance is generated there by ``matching.instances.random_problem(SIZES[size], seed)``
and its generation is not timed. Columns: build and solve seconds as ``solve()`` reports
them, status, objective, the run's own proven bound and gap, the seconds until the plan
was within 0.1 % of the best bound of any run on that instance (from the progress
events), the peak memory of the process, and the objective of the priority greedy
baseline (cases by weight, each at its cheapest fitting option).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.matching.one import METHODS

DEFAULT_TIME_LIMIT = {"S": 10.0, "S-budget": 10.0, "M": 60.0, "L": 60.0, "small": 5.0, "tiny": 5.0}
DEFAULT_METHODS = {
    "S": "auto,mip-plain,cpsat",
    "S-budget": "auto,mip-plain",
    "M": "auto",
    "L": "auto",
}
NEAR = 1e-3  # "within 0.1 %"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching", description=__doc__)
    parser.add_argument(
        "--size",
        action="append",
        choices=["tiny", "small", "S", "S-budget", "M", "L"],
        help="repeatable; default S and M",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 1..N")
    parser.add_argument("--methods", help=f"comma-separated from {', '.join(METHODS)}")
    parser.add_argument("--time-limit", type=float, help="seconds per run (default by size)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("benchmarks/results"),
        help="directory for <size>.json and <size>.md",
    )
    return parser.parse_args(argv)


def _run_one(size: str, seed: int, method: str, time_limit: float) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.matching.one",
        "--size",
        size,
        "--seed",
        str(seed),
        "--method",
        method,
        "--time-limit",
        str(time_limit),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {
            "size": size,
            "seed": seed,
            "method": method,
            "status": "error",
            "error": tail[0],
            "events": [],
        }
    row: dict[str, Any] = json.loads(lines[-1])
    return row


def _first_near(row: dict[str, Any], target: float) -> float | None:
    """Seconds until the run's plan was within 0.1 % of ``target`` (a proven bound)."""
    for _stage, seconds, objective, _bound in row.get("events", []):
        if objective - target <= NEAR * abs(objective):
            return float(seconds)
    objective = row.get("objective", math.inf)
    if row.get("status") != "error" and objective - target <= NEAR * abs(objective):
        return float(row["build_seconds"] + row["solve_seconds"])
    return None


def _first_plan(row: dict[str, Any]) -> float | None:
    events = row.get("events", [])
    return float(events[0][1]) if events else None


def _first_gap_under(row: dict[str, Any], share: float) -> float | None:
    """Seconds until the run's own plan and bound were within ``share`` of each other."""
    for _stage, seconds, objective, bound in row.get("events", []):
        if _gap(objective, bound) <= share:
            return float(seconds)
    return None


def _gap(objective: float, bound: float) -> float:
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return math.inf
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


def _cell(value: float | None, fmt: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return format(value, fmt)


def _method(row: dict[str, Any]) -> str:
    """The method asked for and, where ``auto`` chose, the one that ran."""
    ran = row.get("method_ran")
    return f"{row['method']} ({ran})" if ran and ran != row["method"] else str(row["method"])


def table(rows: list[dict[str, Any]]) -> str:
    """The rows of one size as a Markdown table."""
    best: dict[int, float] = {}
    for row in rows:
        if row.get("status") != "error":
            best[row["seed"]] = max(best.get(row["seed"], -math.inf), row["bound"])
    head = (
        "| seed | method | build s | solve s | status | objective | bound | gap | "
        "gap to best bound | s to first plan | s to gap < 1 % | s to 0.1 % of best bound | "
        "greedy objective | greedy gap | peak MB |\n"
        "| ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "---: | ---: | ---: |"
    )
    lines = [head]
    for row in rows:
        if row.get("status") == "error":
            lines.append(f"| {row['seed']} | {row['method']} | error: {row['error']} |")
            continue
        target = best[row["seed"]]
        own_gap = 100 * _gap(row["objective"], row["bound"])
        lines.append(
            f"| {row['seed']} | {_method(row)} | {row['build_seconds']:.2f} | "
            f"{row['solve_seconds']:.2f} | {row['status']} | {row['objective']:,.2f} | "
            f"{_cell(row['bound'], ',.2f')} | {_cell(own_gap, '.3f')} % | "
            f"{_cell(100 * _gap(row['objective'], target), '.3f')} % | "
            f"{_cell(_first_plan(row), '.2f')} | {_cell(_first_gap_under(row, 0.01), '.2f')} | "
            f"{_cell(_first_near(row, target), '.2f')} | {row['greedy_objective']:,.2f} | "
            f"{_cell(100 * _gap(row['greedy_objective'], target), '.2f')} % | "
            f"{row['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    sizes = args.size or ["S", "M"]
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# matching benchmarks, {stamp}, {platform.node()}, {os.cpu_count()} cores")
    for size in sizes:
        methods = (args.methods or DEFAULT_METHODS.get(size, "auto")).split(",")
        limit = args.time_limit or DEFAULT_TIME_LIMIT[size]
        rows = []
        for seed in range(1, args.seeds + 1):
            for method in methods:
                rows.append(_run_one(size, seed, method, limit))
                print(f"  {size} seed {seed} {method}: {rows[-1].get('status')}", flush=True)
        text = f"## {size} (time limit {limit:g} s per run)\n\n{table(rows)}\n"
        print(text, flush=True)
        (args.out / f"{size}.json").write_text(json.dumps(rows, indent=1))
        (args.out / f"{size}.md").write_text(f"<!-- {stamp} -->\n{text}")


if __name__ == "__main__":
    main()
