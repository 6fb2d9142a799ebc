"""``python -m benchmarks.anticipation.live``: a live national round with anticipation.

The demo dataset in a SQLite file (loaded once), then per setting three rounds as the API
runs them (:func:`flows.prepare_round`, :func:`flows.read_forecast`,
:func:`flows.solve_round`): the wall clock of the whole round, the part the time limit
holds (build + solve + anticipation as recorded), and what the anticipation did (issue 13).
"""

from __future__ import annotations

import argparse
import statistics
import time

import flows
from capacity import bundled_rulebook
from capacity.clock import local_date
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from matching import SolveParams
from matching.quiet import silence_solver_banner
from store import Repository, ensure_database, session_scope


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--db", default="anticipation-live.db", help="SQLite file (created)")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.add_argument("--samples", type=int, nargs="+", default=[0, 8, 32], help="0: myopic")
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    engine = ensure_database(f"sqlite:///{args.db}")
    rulebook = bundled_rulebook()
    with session_scope(engine) as session:
        repo = Repository(session)
        if not repo.facilities():
            repo.save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF))
    silence_solver_banner()
    for samples in args.samples:
        walls, limited, record = [], [], {}
        for rep in range(args.rounds):
            with session_scope(engine) as session:
                inputs = flows.prepare_round(session, as_of=DEMO_AS_OF, rulebook=rulebook)
                live = None
                if samples:
                    wanted = flows.AnticipationSettings(samples=samples, seed=rep)
                    live = flows.read_forecast(
                        session, today=local_date(DEMO_AS_OF), rulebook=rulebook, settings=wanted
                    )
            start = time.perf_counter()
            solved = flows.solve_round(inputs, SolveParams(time_limit=args.time_limit), live)
            walls.append(time.perf_counter() - start)
            record = solved.anticipation.record if solved.anticipation else {}
            r = solved.result
            limited.append(r.build_seconds + r.solve_seconds + float(record.get("seconds") or 0))
        today = sum(1 for a in solved.result.assignments if a.start_day == 0)
        print(
            f"samples {samples or 'none'}: {len(inputs.cases)} cases, {today} proposals today; "
            f"round {statistics.median(walls):.2f} s (max {max(walls):.2f}); limit "
            f"{args.time_limit} s holds {statistics.median(limited):.2f} s (max "
            f"{max(limited):.2f}); anticipation {record.get('seconds')} s, completed "
            f"{record.get('completed')}, kept {len(record.get('kept', []))}, classes "
            f"{len(record.get('forecast', {}).get('classes', []))}",
            flush=True,
        )


if __name__ == "__main__":
    main()
