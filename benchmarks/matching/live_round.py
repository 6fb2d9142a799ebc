"""A live matching round on the national demo: where its time goes (issue 11).

``python -m benchmarks.matching.live_round`` runs :func:`flows.solve_round` on the demo
dataset's round (220 cases x 75 facilities, bridges offered as in the API) with a time
limit, several times, and prints per run the wall time around the flow call and the time
of each part: the rulebook applied (``build_problem``), the solve and the explanations.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence

from capacity import Case, SupplySnapshot, build_snapshot, bundled_rulebook
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from flows import RoundInputs, solve_round
from matching import SolveParams, explain, solve


def demo_supply(seed: int = DEMO_SEED) -> tuple[SupplySnapshot, list[Case]]:
    """The demo dataset's supply now and its waiting cases (in the dataset's order)."""
    ds = build_demo_dataset(seed=seed, as_of=DEMO_AS_OF)
    snapshot = build_snapshot(
        as_of=ds.as_of,
        facilities=ds.facilities,
        funding_streams=ds.funding_streams,
        reports=ds.reports,
        placements=ds.placements,
    )
    return snapshot, [c for c in ds.cases if c.status.value == "waiting"]


def demo_inputs(seed: int = DEMO_SEED) -> RoundInputs:
    """The demo's live round as :func:`flows.prepare_round` would read it (no database)."""
    snapshot, waiting = demo_supply(seed)
    cases = tuple(sorted(waiting, key=lambda c: c.id))
    return RoundInputs(DEMO_AS_OF, snapshot, cases, (), bundled_rulebook())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    inputs = demo_inputs()
    params = SolveParams(time_limit=args.time_limit)
    walls, builds, solves, explains = [], [], [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        solve_round(inputs, params)
        walls.append(time.perf_counter() - start)
        start = time.perf_counter()
        built = inputs.build()
        builds.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = solve(built.problem, params)
        solves.append(time.perf_counter() - start)
        start = time.perf_counter()
        explain(built, result)
        explains.append(time.perf_counter() - start)
    print(f"solve_round, time_limit={args.time_limit:g} s, {args.runs} runs (median, max):")
    for name, xs in (
        ("wall", walls),
        ("build_problem", builds),
        ("solve", solves),
        ("explain", explains),
    ):
        print(f"  {name:14} {statistics.median(xs):6.3f} s  {max(xs):6.3f} s")


if __name__ == "__main__":
    main()
