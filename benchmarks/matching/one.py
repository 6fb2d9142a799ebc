"""One benchmark run: one instance, one method, in a process of its own.

``python -m benchmarks.matching.one --size S --seed 1 --method auto --time-limit 10``
prints one JSON object. With ``--shape`` the instance is that shape of the benchmark
family (:mod:`benchmarks.matching.shapes`) at ``--size`` S, M or L, and ``--method
reference`` runs the independent plain MIP (:mod:`benchmarks.matching.reference`). Each
run gets a fresh process, so its memory peak and HiGHS's thread pool are its own.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import time
from typing import Any

from matching.evaluation import plan_objective, plan_violations
from matching.greedy import solve_greedy
from matching.instances import SIZES, random_problem
from matching.mip import solve_mip
from matching.mip_process import worker_peak_mb
from matching.outcome import Progress
from matching.problem import MatchingProblem
from matching.result import Method, SolveParams
from matching.solve import solve

METHODS = ("auto", "mip", "mip-plain", "cpsat", "greedy", "reference")


def _plain_mip(problem: MatchingProblem, time_limit: float, seed: int) -> dict[str, Any]:
    """The time-indexed MIP without arc-flow rows or LP stages, from the greedy plan."""
    start = time.perf_counter()
    hint = solve_greedy(problem).plan
    out = solve_mip(
        problem,
        deadline=start + time_limit,
        seed=seed,
        hint=hint,
        strengthen=False,
    )
    plan = out.plan if out.plan else hint
    objective = plan_objective(problem, plan)
    bound = min(out.bound, objective) if math.isfinite(out.bound) else -math.inf
    return {
        "status": "optimal" if out.optimal else "feasible",
        "objective": objective,
        "bound": bound,
        "build_seconds": out.build_seconds,
        "solve_seconds": time.perf_counter() - start - out.build_seconds,
        "violations": len(plan_violations(problem, plan)),
        "events": [],
    }


def _reference(problem: MatchingProblem, time_limit: float) -> dict[str, Any]:
    from benchmarks.matching.reference import reference_solve

    answer = reference_solve(problem, time_limit)
    return {
        "status": "optimal" if answer.optimal else "feasible",
        "objective": answer.objective,
        "bound": answer.bound,
        "build_seconds": answer.build_seconds,
        "solve_seconds": answer.solve_seconds,
        "violations": 0,
        "events": [],
    }


def _solve(problem: MatchingProblem, method: str, time_limit: float, seed: int) -> dict[str, Any]:
    events: list[Progress] = []
    params = SolveParams(time_limit=time_limit, seed=seed, method=Method(method))
    t0 = time.perf_counter()
    result = solve(problem, params, observer=events.append)
    wall = time.perf_counter() - t0
    return {
        "wall_seconds": wall,
        "status": result.status.value,
        "objective": result.objective,
        "bound": result.bound,
        "build_seconds": result.build_seconds,
        "solve_seconds": result.solve_seconds,
        "method_ran": result.method,
        "notes": list(result.notes),
        "violations": 0,  # solve() refuses to return a plan that breaks a rule
        "events": [[e.stage, e.seconds, e.objective, e.bound] for e in events],
        "part_events": [[e.part, e.parts, e.seconds, e.objective, e.bound] for e in events],
    }


def run(
    size: str, seed: int, method: str, time_limit: float, shape: str | None = None
) -> dict[str, Any]:
    """Generate the instance, run the method, and report figures (generation not timed)."""
    t0 = time.perf_counter()
    if shape is None:
        problem = random_problem(SIZES[size], seed)
    else:
        from benchmarks.matching.shapes import shape_problem

        problem = shape_problem(shape, size, seed)
    generate = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy_plan = solve_greedy(problem).plan
    greedy = {
        "objective": plan_objective(problem, greedy_plan),
        "seconds": time.perf_counter() - t0,
    }
    if method == "mip-plain":
        row = _plain_mip(problem, time_limit, seed)
    elif method == "reference":
        row = _reference(problem, time_limit)
    else:
        row = _solve(problem, method, time_limit, seed)
    row.update(
        size=size,
        shape=shape,
        seed=seed,
        method=method,
        time_limit=time_limit,
        cases=problem.n_cases,
        facilities=problem.n_facilities,
        options=problem.n_options,
        generate_seconds=generate,
        greedy_objective=greedy["objective"],
        greedy_seconds=greedy["seconds"],
        # with the MIP worker's (matching.mip_process): both peaks, as if at once
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + worker_peak_mb(),
        worker_peak_mb=worker_peak_mb(),
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.matching.one")
    parser.add_argument("--size", choices=sorted({*SIZES, "S", "M", "L"}), required=True)
    parser.add_argument("--shape", help="a shape of benchmarks.matching.shapes")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--method", choices=METHODS, required=True)
    parser.add_argument("--time-limit", type=float, required=True)
    args = parser.parse_args()
    row = run(args.size, args.seed, args.method, args.time_limit, args.shape)
    print(json.dumps(row, allow_nan=True))


if __name__ == "__main__":
    main()
