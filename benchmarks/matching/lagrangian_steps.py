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

``python -m benchmarks.matching.lagrangian_steps --seeds 2001-2040 --rules plan-10 level-5
--out F`` then ``--summary --out F --against plan-10``: per rule and step count, on how
many rounds the bound is higher or lower (by more than 0.1 %) than under the ``--against``
rule, and the geometric mean of the distance from the bound to the greedy's plan as a
share of the same distance under that rule. Rows of one round in the file are merged, so
rules run apart (or by another version of the engine) are compared too.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import matching.capacity_bound as cb
from benchmarks.matching.shapes import shape_problem
from benchmarks.matching.sweep import draw
from matching.evaluation import plan_objective
from matching.greedy import greedy_orders, priced_orders, priced_plan, solve_greedy
from matching.problem import MatchingProblem
from matching.step_aim import LevelAim, StepAim

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


@dataclass
class PlanAim:
    """The rule the level method replaced: Polyak's steps aimed at the plan, halved.

    The length is ``factor x (plan - bound)`` over the slope's norm, the factor halved
    after ``patience`` steps without a better bound (until under ``1e-4``).
    """

    incumbent: float
    patience: int
    factor: float = 1.0
    stale: int = field(default=0, init=False)  # the run's state

    def after(self, bound: float, best: float, improved: bool) -> float | None:
        """The aim: the share ``factor`` of the way from this step's bound to the plan."""
        del best  # the rule looks at this step's bound only
        self.stale = 0 if improved else self.stale + 1
        if self.stale >= self.patience:
            self.factor, self.stale = self.factor / 2, 0
            if self.factor < 1e-4:
                return None
        return bound + self.factor * (self.incumbent - bound)


def aim_for(rule: str, incumbent: float) -> StepAim:
    """The rule named ``level-N`` or ``plan-N`` (see the module's text)."""
    kind, patience = _rule(rule)
    return LevelAim(incumbent, patience) if kind == "level" else PlanAim(incumbent, patience)


def _rule(text: str) -> tuple[str, int]:
    """``level-N`` or ``plan-N`` with N a whole number of steps from 1."""
    kind, _, patience = text.partition("-")
    if kind not in ("level", "plan") or not patience.isdigit() or int(patience) < 1:
        raise ValueError(f"{text!r} is neither level-N nor plan-N (N from 1)")
    return kind, int(patience)


def _checked_rule(text: str) -> str:
    """For argparse: the rule's name, or a clear error."""
    try:
        _rule(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def trajectory(
    problem: MatchingProblem, relax: cb.Relaxation, incumbent: float, steps: int, rule: str
) -> list[float]:
    """The best bound after each step, under this rule."""
    solve, best = relax.solve, [-math.inf]

    def counted(lam: Any, mu: Any) -> Any:
        found = solve(lam, mu)
        best.append(max(best[-1], found[0]))
        return found

    relax.solve = counted  # type: ignore[method-assign]
    try:
        cb.capacity_bound(
            problem,
            deadline=time.perf_counter() + 3600,
            incumbent=incumbent,
            relaxation=relax,
            max_steps=steps,
            aim=aim_for(rule, incumbent),
        )
    finally:
        relax.solve = solve  # type: ignore[method-assign]
    return best[1:]


def measure(name: str, problem: MatchingProblem, steps: int, rules: list[str]) -> dict[str, Any]:
    """One round's row: its greedy plan and, per rule, the best bound at each checkpoint.

    One relaxation serves every rule (its set-up is the same; only the steps differ).
    """
    incumbent = best_greedy(problem)
    relax = cb.Relaxation(problem, time.perf_counter() + 3600)
    row: dict[str, Any] = {"round": name, "cases": problem.n_cases, "greedy": incumbent}
    for rule in rules:
        best = trajectory(problem, relax, incumbent, steps, rule)
        row[rule] = [best[min(k, len(best)) - 1] for k in CHECKPOINTS if k <= steps]
    return row


def summary(path: Path, against: str) -> str:
    """Every other rule against ``against``, per checkpoint (see the module's text)."""
    merged: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            merged.setdefault(row["round"], {}).update(row)
    rows = [r for r in merged.values() if against in r]
    names = sorted({k for r in rows for k, v in r.items() if isinstance(v, list)} - {against})
    out = [f"{len(rows)} rounds; against {against}"]
    for name in names:
        out.append(f"{name}:")
        for i, k in enumerate(CHECKPOINTS):
            pairs = [
                (r[against][i], r[name][i], r["greedy"])
                for r in rows
                if name in r and i < min(len(r[name]), len(r[against]))
            ]
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
    parser.add_argument("--rules", nargs="+", type=_checked_rule, default=["plan-10", "level-5"])
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, appended")
    parser.add_argument("--summary", action="store_true", help="only summarise --out")
    parser.add_argument("--against", default="plan-10", help="the rule compared with")
    args = parser.parse_args()
    if not args.summary:
        for name, problem in rounds(args.seeds, args.shape):
            row = measure(name, problem, args.steps, args.rules)
            with args.out.open("a") as out:
                out.write(json.dumps(row) + "\n")
            print(name, flush=True)
    print(summary(args.out, args.against))


if __name__ == "__main__":
    main()
