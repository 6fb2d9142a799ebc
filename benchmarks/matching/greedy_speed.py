"""``python -m benchmarks.matching.greedy_speed``: the model-free greedy's three orders, timed.

On rounds of thousands of cases with a limit of 1-2 s the plan is the greedy cut short
(*Rounds outside the family* in ``benchmarks/README.md``), so its speed is part of the
answer's quality. Each round below is drawn once; each order (priority, per bed, per
bed-day) runs ``--runs`` times in this process and the median is reported, with a
digest of its plan: a change that only makes the greedy faster must leave every digest
as it was. Rounds: the robustness sweep's flagged 6,000- and 3,000-case seeds (stays of
any length, full facilities, keep-apart pairs, budgets) and five M shapes; with ``--large``
also four L shapes (20,000 cases; ``eligibility-30`` has 15.5 million options).

``python -m benchmarks.matching.greedy_speed --out greedy.json [--large]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.matching.shapes import shape_problem
from benchmarks.matching.sweep import draw
from matching import MatchingProblem
from matching.greedy import solve_greedy

SWEEP_SEEDS = (4, 13, 15, 20, 39, 50, 52, 59, 66, 72, 93, 96, 122, 146, 194)
M_SHAPES = ("issue-11", "families", "keep-apart", "budget-region", "occupancy-85")
L_SHAPES = ("issue-11", "short-stays", "families", "eligibility-30")
ORDERS = {"priority": {}, "per_bed": {"per_bed": True}, "per_bed_day": {"per_bed_day": True}}


def rounds(large: bool) -> Iterator[tuple[str, MatchingProblem]]:
    """The rounds timed, by name (``large``: the L shapes too)."""
    for seed in SWEEP_SEEDS:
        yield f"sweep-{seed}", draw(seed)[0]
    for shape in M_SHAPES:
        yield f"{shape}-M", shape_problem(shape, "M", 1)
    for shape in L_SHAPES if large else ():
        yield f"{shape}-L", shape_problem(shape, "L", 1)


def digest(plan: list[tuple[int, int]]) -> str:
    """A short fingerprint of a plan (the same pairs give the same digest)."""
    return hashlib.sha1(json.dumps(sorted(plan)).encode()).hexdigest()[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per order (median)")
    parser.add_argument("--out", type=Path, required=True, help="JSON results")
    parser.add_argument("--large", action="store_true", help="also four L shapes")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, object]]] = {}
    for name, problem in rounds(args.large):
        row: dict[str, dict[str, object]] = {}
        for order, kwargs in ORDERS.items():
            seconds, plan = [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                plan = solve_greedy(problem, **kwargs).plan  # type: ignore[arg-type]
                seconds.append(time.perf_counter() - t0)
            row[order] = {"seconds": round(statistics.median(seconds), 3), "plan": digest(plan)}
        results[name] = row
        cells = "  ".join(f"{o} {r['seconds']:.3f} s {r['plan']}" for o, r in row.items())
        print(f"{name} ({problem.n_cases} cases, {problem.n_options} options): {cells}", flush=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
