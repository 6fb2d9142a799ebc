"""``python -m benchmarks planning [--candidates 5] [--beds 2]``: the planner against brute force.

Loads the demo dataset into a temporary SQLite database, prepares today's round as the API
does (``flows.prepare_round``), takes the ``--candidates`` facilities with the highest LP
bed values, and solves every allocation of ``--beds`` beds over them exactly
(``matching.solve``); then plans the same beds with ``--method lp`` and ``exact``
restricted to those facilities, and prints each plan's optimum and its share of the best
allocation's saving (``docs/scenarios.md``, *Capacity planning*).
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
import time
from types import SimpleNamespace

import flows
from capacity import bundled_rulebook
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from matching import BuiltProblem, SolveParams, bed_values, solve
from matching.quiet import silence_solver_banner
from scenarios import plan_beds, with_beds
from store import Repository, ensure_database, session_scope

SOLVE_SECONDS = 60.0  # per exact solve


def demo_round() -> BuiltProblem:
    with tempfile.TemporaryDirectory(prefix="opvang-plan-bench-") as folder:
        engine = ensure_database(f"sqlite:///{folder}/opvang.db")
        with session_scope(engine) as session:
            Repository(session).save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF))
            inputs = flows.prepare_round(session, as_of=DEMO_AS_OF, rulebook=bundled_rulebook())
        engine.dispose()
    return inputs.build()


def optimum(built: BuiltProblem, extra: dict[str, int]) -> float:
    params = SolveParams(time_limit=SOLVE_SECONDS, threads=1)
    return solve(with_beds(built, extra).problem, params).objective


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks planning")
    parser.add_argument("--candidates", type=int, default=5)
    parser.add_argument("--beds", type=int, default=2)
    args = parser.parse_args()
    silence_solver_banner()
    built = demo_round()
    top = [v.facility_id for v in bed_values(built, time_limit=120.0)][: args.candidates]
    print("candidates:", ", ".join(top))
    base = optimum(built, {})
    t0 = time.perf_counter()
    scores = []
    for combo in itertools.combinations_with_replacement(top, args.beds):
        extra: dict[str, int] = {}
        for fid in combo:
            extra[fid] = extra.get(fid, 0) + 1
        scores.append((optimum(built, extra), extra))
    best, where = min(scores, key=lambda s: s[0])
    print(
        f"no beds {base:,.1f}; brute force over {len(scores)} allocations "
        f"({time.perf_counter() - t0:.0f} s): best {best:,.1f} with {where}"
    )
    allowed = SimpleNamespace(admit=lambda v: v.facility_id in top)
    for method in ("lp", "exact"):
        plan = plan_beds(
            built,
            beds=args.beds,
            method=method,
            allowed=allowed,
            time_limit=1800.0,
        )
        got = optimum(built, plan.extra_beds)
        share = (base - got) / (base - best) if base > best else 1.0
        print(
            f"{method}: {plan.extra_beds} ({plan.seconds:.0f} s) optimum {got:,.1f}, "
            f"{share:.2%} of the best saving"
        )


if __name__ == "__main__":
    main()
