"""Running replications: in this process, or on a Dask cluster.

A replication is a pure function of (scenario, replication index), so the results do not
depend on where it runs: ``run_scenarios`` in-process and on any number of Dask workers
gives identical KPIs for the same seed (as long as no optimised round hits its time limit,
which :attr:`ScenarioResult.kpis` reports under ``rounds.not_optimal``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from capacity import CapacityError
from matching import MatchingError
from matching.quiet import silence_solver_banner
from scenarios.aggregate import Series, aggregate, series
from scenarios.engine import DayCallback, Simulation
from scenarios.errors import ScenarioRunError
from scenarios.events import RunInfo, Trace
from scenarios.kpis import Kpis, replication_kpis
from scenarios.loading import Scenario

IN_PROCESS = "in-process"
PROGRESS_UPDATES = 20  # progress reports per replication run in this process (about)


class Progress(Protocol):
    """Observer of a run (the CLI shows it as rich progress bars)."""

    def start(self, label: str, total: int) -> None:
        """A run of ``total`` steps (simulated days over all replications) begins."""
        ...

    def advance(self, label: str, steps: int) -> None:
        """``steps`` more are done."""
        ...


class NoProgress:
    """The default observer: reports nothing."""

    def start(self, label: str, total: int) -> None:
        del label, total

    def advance(self, label: str, steps: int) -> None:
        del label, steps


@dataclass(frozen=True, slots=True)
class ReplicationResult:
    """One replication: its run facts, KPIs, plot series, seconds and (if kept) its trace."""

    replication: int
    info: RunInfo
    kpis: Kpis
    series: Series
    seconds: float
    trace: Trace | None = None


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """A scenario run: the replications and their aggregated KPIs.

    Parameters
    ----------
    scenario
        What ran.
    replications
        Per replication, in index order.
    kpis
        Means and 95 % intervals over the replications (``scenarios.aggregate``).
    seconds
        Wall-clock seconds of the whole run.
    executor
        Where it ran (``in-process``, or the Dask cluster).
    """

    scenario: Scenario
    replications: tuple[ReplicationResult, ...]
    kpis: Kpis
    seconds: float
    executor: str

    def summary(self) -> dict[str, Any]:
        """The scenario's settings and the run's facts, for reports."""
        spec = self.scenario.spec
        return {
            "name": spec.name,
            "description": spec.description,
            "policy": spec.policy.value,
            "cadence": spec.cadence.value,
            "rulebook": self.replications[0].info.rulebook if self.replications else "",
            "seed": spec.seed,
            "replications": len(self.replications),
            "horizon_days": spec.horizon_days,
            "warmup_days": spec.warmup_days,
            "start_date": self.scenario.supply.start_date.isoformat(),
            "target_days": spec.kpi.target_days,
            "source": self.scenario.source,
            "executor": self.executor,
            "seconds": round(self.seconds, 2),
            "seconds_per_replication": [round(r.seconds, 2) for r in self.replications],
        }


def progress_interval(horizon_days: int) -> int:
    """Simulated days between progress reports: about :data:`PROGRESS_UPDATES` a run."""
    return max(1, math.ceil(horizon_days / PROGRESS_UPDATES))


def replicate(
    scenario: Scenario,
    replication: int,
    keep_trace: bool = False,
    on_days: DayCallback | None = None,
) -> ReplicationResult:
    """Run one replication and compute its KPIs and series (what a Dask task does).

    The trace is returned only with ``keep_trace`` (event-cadence runs have hundreds of
    thousands of events; shipping them back from workers is most of the cost). ``on_days``
    is told the simulated days done as the replication goes (:class:`Simulation`); the
    result does not depend on it.
    """
    # on a Dask worker the solver's start-up banner would go to the user's terminal
    silence_solver_banner()
    t0 = time.perf_counter()
    every = progress_interval(scenario.spec.horizon_days)
    trace = Simulation(scenario, replication, on_days=on_days, every_days=every).run()
    kpis, ser = replication_kpis(trace), series(trace)
    return ReplicationResult(
        replication,
        trace.info,
        kpis,
        ser,
        time.perf_counter() - t0,
        trace if keep_trace else None,
    )


def run_scenario(
    scenario: Scenario,
    *,
    client: Any | None = None,
    progress: Progress | None = None,
    keep_traces: bool = False,
) -> ScenarioResult:
    """Run every replication of one scenario (see :func:`run_scenarios`)."""
    return run_scenarios([scenario], client=client, progress=progress, keep_traces=keep_traces)[0]


def run_scenarios(
    scenarios: Sequence[Scenario],
    *,
    client: Any | None = None,
    progress: Progress | None = None,
    keep_traces: bool = False,
) -> list[ScenarioResult]:
    """Run all replications of several scenarios (a sweep), in-process or on Dask.

    Parameters
    ----------
    scenarios
        The scenarios; each runs ``spec.replications`` replications.
    client
        A :class:`dask.distributed.Client`; all replications of all scenarios are submitted
        at once. ``None`` runs them one after another in this process.
    progress
        Observer; its steps are simulated days. In this process it hears every few
        simulated days of each replication (:data:`PROGRESS_UPDATES` a replication); on
        Dask, once per finished replication.
    keep_traces
        Keep every replication's event trace in the result.

    Returns
    -------
    list of ScenarioResult
        In the order of ``scenarios``.
    """
    progress = progress or NoProgress()
    t0 = time.perf_counter()
    for sc in scenarios:
        progress.start(sc.name, sc.spec.replications * sc.spec.horizon_days)
    if client is None:
        done = [
            [_local(sc, i, progress, keep_traces) for i in range(sc.spec.replications)]
            for sc in scenarios
        ]
        where = IN_PROCESS
    else:
        done = _on_dask(client, scenarios, progress, keep_traces)
        where = f"dask ({_describe(client)})"
    seconds = time.perf_counter() - t0
    return [
        ScenarioResult(sc, tuple(reps), aggregate([r.kpis for r in reps]), seconds, where)
        for sc, reps in zip(scenarios, done, strict=True)
    ]


def _local(
    scenario: Scenario, replication: int, progress: Progress, keep_trace: bool
) -> ReplicationResult:
    def on_days(days: int) -> None:
        progress.advance(scenario.name, days)

    return replicate(scenario, replication, keep_trace, on_days)


def _on_dask(
    client: Any, scenarios: Sequence[Scenario], progress: Progress, keep_traces: bool
) -> list[list[ReplicationResult]]:
    from dask.distributed import as_completed

    futures: dict[Any, tuple[int, int]] = {}
    for k, sc in enumerate(scenarios):
        remote = client.scatter(sc, broadcast=True)
        for i in range(sc.spec.replications):
            key = f"replicate-{k}-{sc.name}-{i}"
            fut = client.submit(_on_worker, remote, i, keep_traces, key=key, pure=False)
            futures[fut] = (k, i)
    out: list[dict[int, ReplicationResult]] = [{} for _ in scenarios]
    for fut in as_completed(list(futures)):  # type: ignore[no-untyped-call]
        k, i = futures[fut]
        out[k][i] = fut.result()
        progress.advance(scenarios[k].name, scenarios[k].spec.horizon_days)
    return [[reps[i] for i in sorted(reps)] for reps in out]


def _on_worker(scenario: Scenario, replication: int, keep_trace: bool) -> ReplicationResult:
    """:func:`replicate` on a Dask worker, its domain errors made to travel.

    Pickle rebuilds an error as ``type(exc)(*exc.args)``; the capacity and matching errors
    keep only their message in ``args``, so Dask handed back a bare ``Exception`` with a
    traceback instead of the error. A :class:`ScenarioRunError` with the message travels.
    """
    try:
        return replicate(scenario, replication, keep_trace)
    except (CapacityError, MatchingError) as exc:
        raise ScenarioRunError(f"{scenario.name}, replication {replication}: {exc}") from None


def _describe(client: Any) -> str:
    workers = len(client.scheduler_info().get("workers", {}))
    return f"{workers} workers at {client.scheduler.address}"
