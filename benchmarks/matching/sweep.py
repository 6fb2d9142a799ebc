"""``python -m benchmarks.matching.sweep``: rounds outside the benchmark family, for defects.

The shape family (:mod:`benchmarks.matching.shapes`) measures quality on fourteen named
shapes. This sweep looks for what they do not show: each seed draws its own round (20 to
6,000 cases, facilities 5-60 % of that, horizons of 7 to 180 days, 2 to 60 options a case,
families of up to 6 beds, every budget kind from 10 % to 300 % of the greedy's spending,
keep-apart pairs, and for half of the seeds stays of any length from 1 day to past the
horizon instead of the generator's crisis and clinical stays) and a time limit of 1, 2, 5
or 10 s, and checks what ``solve`` promises on every round:

- it returns within the limit + 0.5 s (``late``);
- its bound is at most its objective (``bad_bound``);
- its plan is no worse than the priority greedy's (``worse``), which a limit shorter
  than the greedy itself can break: the row says how much;
- it raises nothing (``error``);
- not a flag, but counted in the summary: rounds whose bound proves no more than the
  single-case bound (every case as if alone) while the plan is above it;
- with ``--reference-limit S``, on rounds of at most ``--reference-pairs`` (option, start
  day) pairs, the independent plain MIP (:mod:`benchmarks.matching.reference`, sharing
  no code with ``matching``) runs for S seconds: ``solve``'s bound must not exceed the
  reference's plan (``bound_above_reference``: a bound that is not one) and ``solve``'s
  plan must not beat the reference's proven bound (``plan_below_reference``: a plan
  that breaks a rule the reference keeps). Either flag means one of the two reads the
  format wrongly. The reference runs in a child process killed 30 s past its limit
  (``reference_killed``, counted in the summary).

Every round runs in this process, one after the other (generation and the greedy
baseline are not timed). One JSON line per round goes to ``--out``; ``--summary`` prints
the flagged rows of a results file.

``python -m benchmarks.matching.sweep --first 1 --count 60 --out sweep.jsonl``
(``--seeds 39 194`` runs those rounds again; ``--time-limit 5`` runs them at 5 s instead.)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.matching.reference import reference_guarded
from benchmarks.matching.shapes import Shape, generate
from matching import MatchingProblem, SolveParams, solve
from matching.evaluation import plan_objective
from matching.greedy import solve_greedy
from matching.problem import NO_STAY
from matching.solve import single_case_bound

OVERRUN = 0.5  # seconds a solve may exceed its limit
TOLERANCE = 1e-6  # relative, for "worse" and "bad bound"
REFERENCE_TOLERANCE = 1e-5  # relative, against HiGHS's own feasibility and gap tolerances
REFERENCE_PAIRS = 300_000  # (option, start day) pairs up to which the reference runs
PROVEN = 1e-4  # a gap this small counts as proven (the family's S goal)
PLAN_NEAR, PLAN_FAR = 0.01, 0.05  # plans this far above the reference's are counted, listed
FLAGS = ("late", "bad_bound", "worse", "bound_above_reference", "plan_below_reference")


def draw(seed: int) -> tuple[MatchingProblem, float, dict[str, Any]]:
    """The seed's round, its time limit and what was drawn."""
    rng = np.random.default_rng(seed)
    n_cases = int(rng.choice([20, 80, 300, 800, 1500, 3000, 6000]))
    n_facilities = int(max(3, n_cases * rng.uniform(0.05, 0.6)))
    horizon = int(rng.choice([7, 14, 30, 60, 90, 120, 180]))
    shape = Shape(
        horizon_days=horizon,
        options_per_case=float(rng.choice([2, 5, 15, 30, 60])),
        family_share=float(rng.choice([0, 0.15, 0.5, 0.8])),
        max_family_beds=int(rng.integers(2, 7)),
        short_share=float(rng.choice([0, 0.3, 0.6, 1.0])),
        occupancy=float(rng.choice([0.7, 0.85, 0.95, 1.0])),
        budgets=str(rng.choice(["none", "stream", "national", "region"])),
        n_streams=int(rng.integers(1, 10)),
        tightness=float(rng.choice([0.1, 0.5, 0.7, 1.0, 3.0])),
        keep_apart_share=float(rng.choice([0, 0, 0.05, 0.3])),
    )
    problem = generate(shape, (n_cases, n_facilities), seed)
    any_stay = bool(rng.random() < 0.5)
    if any_stay:
        stay = rng.integers(1, horizon + 5, problem.n_options).astype(np.int32)
        short = rng.random(problem.n_options) < 0.5
        problem = dataclasses.replace(problem, opt_stay=np.where(short, stay, NO_STAY))
    limit = float(rng.choice([1, 2, 5, 10]))
    drawn = {"cases": n_cases, "facilities": n_facilities, "stays_of_any_length": any_stay}
    return problem, limit, {**drawn, "shape": dataclasses.asdict(shape)}


def check(
    seed: int,
    reference_limit: float = 0.0,
    reference_pairs: int = REFERENCE_PAIRS,
    time_limit: float | None = None,
) -> dict[str, Any]:
    """One round: ``solve`` at its limit against the priority greedy (and the reference).

    ``time_limit``, when given, instead of the limit the seed draws.
    """
    row: dict[str, Any] = {"seed": seed}
    try:
        problem, limit, drawn = draw(seed)
        limit = limit if time_limit is None else time_limit
        row.update(drawn, time_limit=limit, options=problem.n_options)
        greedy = plan_objective(problem, solve_greedy(problem).plan)
        started = time.perf_counter()
        result = solve(problem, SolveParams(time_limit=limit))
        wall = time.perf_counter() - started
        scale = max(1.0, abs(result.objective))
        row.update(
            wall_seconds=round(wall, 3),
            objective=result.objective,
            bound=result.bound,
            greedy=greedy,
            method=result.method,
            notes=list(result.notes),
            late=wall > limit + OVERRUN,
            bad_bound=result.bound > result.objective + TOLERANCE * scale,
            worse=result.objective > greedy + TOLERANCE * max(1.0, abs(greedy)),
            worse_by=(result.objective - greedy) / max(1.0, abs(greedy)),
            trivial_bound=_trivial(result.bound, single_case_bound(problem), result.objective),
        )
        pairs = problem.n_options * problem.horizon_days
        if reference_limit > 0 and pairs <= reference_pairs:
            row.update(_against_reference(problem, result.objective, result.bound, reference_limit))
    except Exception:  # an error is what the sweep looks for
        row["error"] = traceback.format_exc()
    return row


def _trivial(bound: float, single: float, objective: float) -> bool:
    """Whether a bound proves no more than every case as if alone while the plan is above
    it (issue 11: "never a trivial bound because one stage ran out of time"). Not a
    defect flag, since a short limit on a large round may leave no time for more, but
    the count to bring down."""
    tol = TOLERANCE * max(1.0, abs(single))
    return bound <= single + tol and objective > bound + tol


def _against_reference(
    problem: MatchingProblem, objective: float, bound: float, limit: float
) -> dict[str, Any]:
    """The independent reference's plan and bound, and whether ``solve``'s answer fits them."""
    answer = reference_guarded(problem, limit)
    if answer is None:  # HiGHS past its limit, killed (the row says so; no flag)
        return {"reference_killed": True}
    slack = REFERENCE_TOLERANCE * max(1.0, abs(answer.objective), abs(objective))
    return {
        "reference_objective": answer.objective,
        "reference_bound": answer.bound,
        "reference_optimal": answer.optimal,
        "bound_above_reference": bound > answer.objective + slack,
        "plan_below_reference": objective < answer.bound - slack,
    }


def summary(path: Path) -> str:
    """The flagged rows of a results file, one line each, and the counts."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    lines = []
    counts = dict.fromkeys((*FLAGS, "error"), 0)
    for r in rows:
        flags = [k for k in FLAGS if r.get(k)]
        flags += ["error"] if "error" in r else []
        for flag in flags:
            counts[flag] += 1
        if flags:
            lines.append(
                f"seed {r['seed']}: {' '.join(flags)}; {r.get('cases')} cases x "
                f"{r.get('options')} options, {r['shape']['horizon_days'] if 'shape' in r else '?'}"
                f" days, T = {r.get('time_limit')} s, wall {r.get('wall_seconds')} s, "
                f"{100 * r.get('worse_by', 0.0):+.2f} % against the greedy"
            )
    checked = sum("reference_objective" in r for r in rows)
    killed = sum(bool(r.get("reference_killed")) for r in rows)
    lines.append(
        f"{len(rows)} rounds ({checked} against the reference, {killed} killed past its limit); "
        + ", ".join(f"{k} {v}" for k, v in counts.items())
    )
    trivial = [r["seed"] for r in rows if r.get("trivial_bound")]
    lines.append(
        f"bound no better than the single-case bound: {len(trivial)} rounds"
        + (f" (seeds {', '.join(map(str, trivial))})" if trivial else "")
    )
    lines.append(_gaps(rows))
    lines.append(_against_reference_plans(rows))
    return "\n".join(lines)


def _against_reference_plans(rows: list[dict[str, Any]]) -> str:
    """How ``solve``'s plans compare with the reference's on the rounds it ran on.

    Not a flag either (the reference runs longer than the round's limit): the rounds proven
    by both, the plans below the reference's, and those more than 1 % and 5 % above it,
    the latter by seed, furthest first (the rounds to look into).
    """
    compared = [  # (how far above the reference's plan, row)
        ((r["objective"] - r["reference_objective"]) / max(1.0, abs(r["reference_objective"])), r)
        for r in rows
        if "reference_objective" in r and math.isfinite(r["reference_objective"])
    ]
    proven = sum(
        1
        for _, r in compared
        if r["reference_optimal"] and r["objective"] - r["bound"] <= PROVEN * abs(r["objective"])
    )
    below = sum(1 for d, _ in compared if d < -PROVEN)
    above = sorted(((d, r) for d, r in compared if d > PLAN_NEAR), key=lambda t: -t[0])
    far = [(d, r) for d, r in above if d > PLAN_FAR]
    listed = "; ".join(
        f"{r['seed']} ({r.get('cases')} cases, T = {r['time_limit']:g} s, {100 * d:+.1f} %)"
        for d, r in far
    )
    return (
        f"against the reference's plans ({len(compared)} rounds): proven by both {proven}, "
        f"below it {below}, more than 1 % above it {len(above)}, more than 5 % above it "
        f"{len(far)}" + (f": {listed}" if far else "")
    )


def _gaps(rows: list[dict[str, Any]]) -> str:
    """How far the answers' bounds are from their plans, per time limit.

    Not a flag: a short limit on a large round leaves a wide gap by nature. What the
    sweep shows is where the engine proves little on rounds the family does not have.
    """
    out = [
        "gap (objective - bound) / objective, by time limit: median; rounds over 1 %, 10 %, 50 %"
    ]
    for limit in sorted({r["time_limit"] for r in rows if "objective" in r}):
        gaps = np.array(
            [
                (r["objective"] - r["bound"]) / max(1.0, abs(r["objective"]))
                for r in rows
                if "objective" in r and r["time_limit"] == limit
            ]
        )
        over = ", ".join(str(int((gaps > g).sum())) for g in (0.01, 0.1, 0.5))
        out.append(
            f"  T = {limit:g} s: {gaps.size} rounds, median {100 * np.median(gaps):.2f} %; {over}"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=1, help="first seed")
    parser.add_argument("--count", type=int, default=60, help="rounds")
    parser.add_argument(
        "--seeds", type=int, nargs="+", help="these seeds instead (rounds flagged before)"
    )
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, appended")
    parser.add_argument("--summary", action="store_true", help="only summarise --out")
    parser.add_argument(
        "--reference-limit", type=float, default=0.0, help="seconds for the reference (0: none)"
    )
    parser.add_argument(
        "--reference-pairs",
        type=int,
        default=REFERENCE_PAIRS,
        help="largest round (option x start day pairs) the reference runs on",
    )
    parser.add_argument(
        "--time-limit", type=float, help="seconds for every round instead of the drawn limit"
    )
    args = parser.parse_args()
    if not args.summary:
        for seed in args.seeds or range(args.first, args.first + args.count):
            row = check(seed, args.reference_limit, args.reference_pairs, args.time_limit)
            with args.out.open("a") as out:
                out.write(json.dumps(row) + "\n")
    print(summary(args.out))


if __name__ == "__main__":
    main()
