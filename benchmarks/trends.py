"""``python -m benchmarks.trends``: how long ``GET /v1/stats/trends`` takes (issue 15).

Two histories:

- **demo**: the national demo dataset in an SQLite file, through the API's service
  (database reads, the flow, disclosure control) for 26 weeks, three years per week and
  three years per month;
- **synthetic**: ``--cases`` cases over three years (intake spread evenly, two in three
  placed after 0-120 days for 90 days, one in six withdrawn), the demo's facilities and one report a
  week each, through :func:`flows.trends.compute_trends` alone (no database): how the
  computation grows with the history.

Medians of ``--repeat`` runs, in seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flows
from api.database import Database
from api.settings import ApiSettings
from api.stats.trends import trends
from capacity import AvailabilityReport, CaseStatus, Placement, bundled_rulebook
from capacity.clock import local_date
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from flows.history import SupplyHistory, case_spells
from flows.trends import compute_trends
from store import Repository, ensure_database, session_scope

THREE_YEARS = flows.MAX_WINDOW_DAYS - 1  # days


def _median(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def demo(repeat: int) -> None:
    rulebook = bundled_rulebook()
    today = local_date(DEMO_AS_OF)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        engine = ensure_database(url)
        with session_scope(engine) as session:
            Repository(session).save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF))
        engine.dispose()
        db = Database(ApiSettings(database_url=url))
        db.open()
        for label, since, period in (
            ("26 weeks", None, flows.TrendPeriod.WEEK),
            ("3 years, weeks", today - timedelta(days=THREE_YEARS), flows.TrendPeriod.WEEK),
            ("3 years, months", today - timedelta(days=THREE_YEARS), flows.TrendPeriod.MONTH),
        ):
            seconds = _median(
                lambda s=since, p=period: trends(
                    db, now=DEMO_AS_OF, rulebook=rulebook, since=s, until=None, period=p
                ),
                repeat,
            )
            print(f"demo       {label:16} {seconds:.3f} s")
        db.close()


def synthetic(cases: int, repeat: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    base = build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)
    template = base.cases[0]
    today = local_date(DEMO_AS_OF)
    first = today - timedelta(days=THREE_YEARS)
    residential = [f for f in base.facilities if f.placement_type.value != "crisis"]
    made, placements, left_at = [], [], {}
    for i in range(cases):
        intake = first + timedelta(days=i * THREE_YEARS // cases)
        fate = rng.random()
        end = intake + timedelta(days=rng.randint(0, 120))
        if fate < 2 / 3 and end <= today:
            status = CaseStatus.PLACED
            fac = rng.choice(residential)
            leave = end + timedelta(days=90)
            gone = leave if leave <= today else None
            placements.append(Placement(f"P-{i}", f"C-{i}", fac.id, 1, end, leave, gone))
        elif fate < 5 / 6 and end <= today:
            status = CaseStatus.WITHDRAWN
            left_at[f"C-{i}"] = datetime(end.year, end.month, end.day, 12, tzinfo=UTC)
        else:
            status = CaseStatus.WAITING
        made.append(replace(template, id=f"C-{i}", intake_date=intake, status=status))
    reports = [
        AvailabilityReport(f.id, f.beds // 10, DEMO_AS_OF - timedelta(weeks=w), "bench")
        for f in base.facilities
        for w in range(THREE_YEARS // 7)
    ]
    rulebook = bundled_rulebook()
    classes = [c.name for c in rulebook.rules.priority.complexity.classes]
    for label, period in (("weeks", flows.TrendPeriod.WEEK), ("months", flows.TrendPeriod.MONTH)):
        window = flows.TrendWindow(first, today, period)

        def run(w: flows.TrendWindow = window) -> object:
            spells = case_spells(made, placements, base.facilities, left_at)
            supply = SupplyHistory(base.facilities, reports, placements)
            return compute_trends(
                spells,
                supply,
                window=w,
                classes=classes,
                class_of=lambda c: rulebook.priority(c, today).complexity_class,
                now=DEMO_AS_OF,
            )

        seconds = _median(run, repeat)
        print(
            f"synthetic  {cases:,} cases, {len(placements):,} placements, "
            f"{len(reports):,} reports, 3 years, {label}: {seconds:.3f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    demo(args.repeat)
    synthetic(args.cases, args.repeat)


if __name__ == "__main__":
    main()
