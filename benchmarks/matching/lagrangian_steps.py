"""``python -m benchmarks.matching.lagrangian_steps``: the Lagrangian's bound per step count.

:func:`matching.capacity_bound.capacity_bound` halves its step length after
``PATIENCE`` steps without a better bound. Which patience raises the bound fastest is a
question of steps, not seconds: this runs the same relaxation for a fixed number of steps
at each patience asked for, and records the best bound after 5, 10, 20, 40, 80 and 150
steps (as many as ``--steps``). Counted steps give the same figures on a busy machine.

The rounds: sweep seeds (:func:`benchmarks.matching.sweep.draw`, those of at least 300
cases) and family shapes (``issue-11:M``). Every run aims its steps at the best greedy
plan, plain and priced (:mod:`matching.greedy`), as ``solve`` does on a round without a
model, so a round whose greedy plan is far above the optimum shows how the steps cope.

``python -m benchmarks.matching.lagrangian_steps --seeds 2001-2040 --patience 10 5 --out F``
then ``--summary --out F --against 10``: per patience and step count, on how many rounds
the bound is higher or lower (by more than 0.1 %) than at the ``--against`` patience, and
the geometric mean of the distance from the bound to the greedy's plan as a share of the
same distance at that patience.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

import matching.capacity_bound as cb
from benchmarks.matching.shapes import shape_problem
from benchmarks.matching.sweep import draw
from matching.evaluation import plan_objective
from matching.greedy import greedy_orders, priced_orders, priced_plan, solve_greedy
from matching.problem import MatchingProblem

CHECKPOINTS = (5, 10, 20, 40, 80, 150)
SMALLEST = 300  # cases: smaller sweep rounds are solved whole before any Lagrangian


def rounds(seeds: list[int], shapes: list[str]) -> Iterator[tuple[str, MatchingProblem]]:
    """The sweep's rounds of at least ``SMALLEST`` cases, then the shapes (``name:size``)."""
    for seed in seeds:
        problem, _, _ = draw(seed)
        if problem.n_cases >= SMALLEST:
            yield str(seed), problem
    for item in shapes:
        shape, size = item.split(":")
        yield item, shape_problem(shape, size, 1)


def best_greedy(problem: MatchingProblem) -> float:
    """The best of the greedy's plain and priced plans, as ``solve`` starts from."""
    plans = [
        solve_greedy(problem, None, per_bed=per_bed, per_bed_day=per_bed_day).plan
        for per_bed_day, per_bed in greedy_orders(problem)
    ]
    plans += [
        priced_plan(problem, prices, None, per_bed_day=per_bed_day)
        for per_bed_day, prices in priced_orders(problem)
    ]
    return min(plan_objective(problem, plan) for plan in plans)


def trajectory(
    problem: MatchingProblem, relax: cb.Relaxation, incumbent: float, steps: int, patience: int
) -> list[float]:
    """The best bound after each step, at this patience."""
    solve, best = relax.solve, [-math.inf]

    def counted(lam: Any, mu: Any) -> Any:
        found = solve(lam, mu)
        best.append(max(best[-1], found[0]))
        return found

    kept = cb.PATIENCE
    relax.solve = counted  # type: ignore[method-assign]
    cb.PATIENCE = patience
    try:
        cb.capacity_bound(
            problem,
            deadline=time.perf_counter() + 3600,
            incumbent=incumbent,
            relaxation=relax,
            max_steps=steps,
        )
    finally:
        cb.PATIENCE = kept
        relax.solve = solve  # type: ignore[method-assign]
    return best[1:]


def measure(
    name: str, problem: MatchingProblem, steps: int, patiences: list[int]
) -> dict[str, Any]:
    """One round's row: its greedy plan and, per patience, the best bound at each checkpoint.

    One relaxation serves every patience (its set-up is the same; only the steps differ).
    """
    incumbent = best_greedy(problem)
    relax = cb.Relaxation(problem, time.perf_counter() + 3600)
    row: dict[str, Any] = {"round": name, "cases": problem.n_cases, "greedy": incumbent}
    for patience in patiences:
        best = trajectory(problem, relax, incumbent, steps, patience)
        row[str(patience)] = [best[min(k, len(best)) - 1] for k in CHECKPOINTS if k <= steps]
    return row


def summary(path: Path, against: str) -> str:
    """Every other patience against ``against``, per checkpoint (see the module's text)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    names = sorted({k for r in rows for k in r if k.isdigit() and k != against}, key=int)
    out = [f"{len(rows)} rounds; against patience {against}"]
    for name in names:
        out.append(f"patience {name}:")
        for i, k in enumerate(CHECKPOINTS):
            pairs = [(r[against][i], r[name][i], r["greedy"]) for r in rows if i < len(r[name])]
            if not pairs:
                continue
            higher = sum(b > a + 1e-3 * abs(a) for a, b, _ in pairs)
            lower = sum(b < a - 1e-3 * abs(a) for a, b, _ in pairs)
            shares = [max(g - b, 1e-9) / max(g - a, 1e-9) for a, b, g in pairs]
            mean = float(np.exp(np.mean(np.log(shares))))
            out.append(
                f"  {k:3d} steps: higher {higher}, lower {lower}; distance to the greedy's plan"
                f" {mean:.3f} of the other's (largest {max(shares):.3f})"
            )
    return "\n".join(out)


def _seeds(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=_seeds, default=[], help="sweep seeds, as 2001-2040")
    parser.add_argument("--shape", action="append", default=[], help="a shape, as issue-11:M")
    parser.add_argument("--steps", type=int, default=150, help="steps per run")
    parser.add_argument("--patience", type=int, nargs="+", default=[10, 5])
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, appended")
    parser.add_argument("--summary", action="store_true", help="only summarise --out")
    parser.add_argument("--against", default="10", help="the patience compared with")
    args = parser.parse_args()
    if not args.summary:
        for name, problem in rounds(args.seeds, args.shape):
            row = measure(name, problem, args.steps, args.patience)
            with args.out.open("a") as out:
                out.write(json.dumps(row) + "\n")
            print(name, flush=True)
    print(summary(args.out, args.against))


if __name__ == "__main__":
    main()
