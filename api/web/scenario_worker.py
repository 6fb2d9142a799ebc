"""Runs one dashboard scenario job: ``python -m api.web.scenario_worker JOB_ID TIME_LIMIT``.

Started by :func:`api.web.scenario_jobs.launch` in its own process (so the web server
stays responsive and a run can be stopped at its time limit). It reads the job's files
from the database (``OPVANG_DATABASE_URL``), simulates every replication in this process,
writes progress as it goes, and stores the aggregated KPIs and the comparison charts
(without the classes of fewer than 5 cases: policymakers see aggregates only). Nothing is
left on disk.
"""

from __future__ import annotations

import base64
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import Engine

from api.web.plan_jobs import plan_sources
from api.web.scenario_jobs import scenario
from capacity import CapacityError
from capacity.disclosure import SMALL_CELL
from matching import MatchingError
from matching.quiet import silence_solver_banner
from scenarios import (
    ScenarioError,
    ScenarioResult,
    compare_plots,
    read_run,
    run_scenarios,
    write_run,
)
from scenarios.plan_check import paired_check
from scenarios.report import replication_values
from store import DatabaseSettings, make_engine, session_scope
from store.service import JobStatus, ScenarioJobRepository


class TimeLimitError(Exception):
    """The job ran longer than its time limit."""


class _Alarm:
    """Whether the job's time limit has passed.

    The alarm raises :class:`TimeLimitError` wherever the run is, and code it lands in may
    turn that into another exception (seen in CI: a TypeError) or swallow it. So the flag,
    not the exception's type, says that the job was stopped, and every progress write
    checks it.
    """

    fired = False


def _stop_if_over_time() -> None:
    if _Alarm.fired:
        raise TimeLimitError


class JobProgress:
    """Writes progress to the job's row (steps are simulated days)."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine = engine
        self.job_id = job_id

    def start(self, label: str, total: int) -> None:
        del total  # the job's total was stored when it was created
        self._update(0, f"simulating {label}")

    def advance(self, label: str, steps: int) -> None:
        self._update(steps, f"simulating {label}")

    def _update(self, steps: int, message: str) -> None:
        _stop_if_over_time()
        with session_scope(self.engine) as session:
            ScenarioJobRepository(session).update(self.job_id, advance=steps, message=message)


def unique_labels(names: Sequence[str]) -> list[str]:
    """Scenario names, numbered where two runs share one."""
    return [n if names.count(n) == 1 else f"{n} ({i + 1})" for i, n in enumerate(names)]


def _without_replications(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "replications"}


def run_job(engine: Engine, job_id: int, time_limit: float = 3600.0) -> str:
    """Simulate the job's scenarios and store the results; returns the closing message."""
    t0 = time.perf_counter()
    with session_scope(engine) as session:
        jobs = ScenarioJobRepository(session)
        job = jobs.job(job_id)
        jobs.update(
            job_id,
            status=JobStatus.RUNNING,
            message="loading the scenarios",
            started_at=datetime.now(UTC),
        )
    silence_solver_banner()
    sources, plan = list(job.sources), None
    if job.plan is not None:  # a capacity-plan job: plan the second scenario first
        _set_message(engine, job_id, "planning the beds on today's round")
        sources, plan = plan_sources(engine, job, time_limit=time_limit)
        with session_scope(engine) as session:
            ScenarioJobRepository(session).update(job_id, sources=sources)
    runs = [scenario(s, replications=job.replications) for s in sources]
    results = run_scenarios(runs, progress=JobProgress(engine, job_id))
    with tempfile.TemporaryDirectory(prefix="opvang-job-") as tmp:
        folders = [write_run(r, Path(tmp) / f"run-{i}").folder for i, r in enumerate(results)]
        outputs = [read_run(folder) for folder in folders]
    labels = unique_labels([doc["scenario"]["name"] for doc, _ in outputs])
    charts = compare_plots(labels, outputs, min_cases=SMALL_CELL)  # aggregates only
    result = {
        "labels": labels,
        "runs": [_without_replications(doc) for doc, _ in outputs],
        "charts": {name: base64.b64encode(png).decode("ascii") for name, png in charts.items()},
        # kept for comparing stored runs (issue 15): paired differences and the waiting list
        "paired_values": [replication_values(doc) for doc, _ in outputs],
        "waiting": [ser["waiting"] for _, ser in outputs],
    }
    if plan is not None:
        result["plan"] = {**plan, "waits": _paired_waits(results)}
    message = f"finished in {time.perf_counter() - t0:.0f} s"
    with session_scope(engine) as session:
        ScenarioJobRepository(session).update(
            job_id,
            status=JobStatus.DONE,
            message=message,
            finished_at=datetime.now(UTC),
            result=result,
        )
    return message


def _set_message(engine: Engine, job_id: int, message: str) -> None:
    with session_scope(engine) as session:
        ScenarioJobRepository(session).update(job_id, message=message)


def _paired_waits(results: Sequence[ScenarioResult]) -> dict[str, Any]:
    """The planned minus the base run's mean waits, paired by replication."""
    check = paired_check(results[0], results[1])
    return {
        name: None
        if change is None
        else {"mean": change.mean, "ci95": change.ci95, "pairs": change.pairs}
        for name, change in (("all_cases", check.all_cases), ("complex_cases", check.complex_cases))
    }


def _fail(engine: Engine, job_id: int, reason: str) -> None:
    with session_scope(engine) as session:
        ScenarioJobRepository(session).update(
            job_id, status=JobStatus.FAILED, message=reason, finished_at=datetime.now(UTC)
        )


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    _Alarm.fired = True
    raise TimeLimitError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the job named on the command line; exit code 0 when it was recorded."""
    args = list(sys.argv[1:] if argv is None else argv)
    job_id, time_limit = int(args[0]), float(args[1])
    engine = make_engine(DatabaseSettings().database_url)
    stopped = f"stopped: the run took longer than {time_limit:.0f} s"
    _Alarm.fired = False
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        run_job(engine, job_id, time_limit)
    except TimeLimitError:
        _no_alarm()
        _fail(engine, job_id, stopped)
    except (ScenarioError, CapacityError, MatchingError) as exc:
        _no_alarm()
        _fail(engine, job_id, stopped if _Alarm.fired else str(exc))
    except Exception as exc:
        _no_alarm()
        if _Alarm.fired:  # the alarm's exception, turned into another by the code it hit
            _fail(engine, job_id, stopped)
            return 0
        _fail(engine, job_id, f"the run failed ({type(exc).__name__}); see the server log")
        raise
    finally:
        _no_alarm()
        engine.dispose()
    return 0


def _no_alarm() -> None:
    """Cancel the alarm, so that it cannot land in the write that records the outcome."""
    signal.setitimer(signal.ITIMER_REAL, 0)


if __name__ == "__main__":
    sys.exit(main())
