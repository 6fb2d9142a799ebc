"""Comparing stored scenario and plan runs (issue 15): any finished jobs, side by side.

Each job holds one or more runs (a plan job and a form job: the base and the changed
scenario); every run of the chosen jobs becomes a column, labelled with its job. The
statistics rules are those of one job's comparison: :func:`scenarios.report.warnings`
flags runs with other replications, seeds, horizons or rulebooks, and runs that differ in
seed, replications or horizon get no paired differences. Aggregates only, as on the job
page (:mod:`api.web.scenario_report`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from api.database import Database
from api.web import scenario_jobs as jobs
from api.web import scenario_report as report
from capacity import UnknownReferenceError
from capacity.disclosure import SMALL_CELL
from scenarios import COMPLEX_CASES, plots
from scenarios.compare import mean_wait_chart
from scenarios.report import warnings
from store.service import JobStatus, StoredScenarioJob

MIN_JOBS = 2
MAX_JOBS = 8  # columns beyond this are not readable side by side
CHARTS = {
    "compare_mean_wait.png": report.CHART_TITLES["compare_mean_wait.png"],
    "compare_waiting.png": report.CHART_TITLES["compare_waiting.png"],
}


class CompareRefusedError(Exception):
    """The jobs asked for cannot be compared (too few or many, unknown, not finished)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        self.reason = reason
        self.missing = missing  # a job that does not exist: 404 rather than 422
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Comparison:
    """The runs of the chosen jobs, in the order asked."""

    jobs: list[StoredScenarioJob]
    labels: list[str]
    docs: list[Mapping[str, Any]]
    values: list[Sequence[Mapping[str, float | None]] | None]
    waiting: list[Sequence[float]] | None

    @property
    def warnings(self) -> list[str]:
        return warnings(list(zip(self.labels, self.docs, strict=True)))

    def rows(self) -> list[report.Row]:
        return report.comparison(self.docs)

    def paired(self) -> list[report.PairedRow]:
        return report.paired(self.labels, self.docs, self.values)

    @property
    def unpaired_note(self) -> str:
        """Why some runs have no paired differences, if any do not."""
        if any(v is None for v in self.values):
            return "Runs stored before paired figures were kept have no paired differences."
        return ""

    def charts(self) -> list[str]:
        return [n for n in CHARTS if n != "compare_waiting.png" or self.waiting is not None]

    def chart(self, name: str) -> bytes | None:
        """A chart's PNG, or ``None`` when there is no such chart for these runs."""
        if name not in self.charts():
            return None
        if name == "compare_waiting.png":
            assert self.waiting is not None
            return plots.waiting_over_time(dict(zip(self.labels, self.waiting, strict=True)))
        groups = [c for c in _classes(self.docs) if c != COMPLEX_CASES] + [COMPLEX_CASES]
        docs = [dict(d) for d in self.docs]
        return mean_wait_chart(self.labels, docs, groups, min_cases=SMALL_CELL)


def _classes(docs: Sequence[Mapping[str, Any]]) -> list[str]:
    out: list[str] = []
    for doc in docs:
        out += [c for c in doc["by_class"] if c not in out]
    return out


def finished(db: Database) -> list[StoredScenarioJob]:
    """The recent jobs that are done, to choose from."""
    return [j for j in jobs.recent(db) if j.status is JobStatus.DONE]


def gather(db: Database, job_ids: Sequence[int]) -> Comparison:
    """The runs of the jobs ``job_ids`` (each once, in the order given).

    Raises
    ------
    CompareRefusedError
        Fewer than 2 or more than 8 jobs; a job that does not exist or has not finished.
    """
    ids = list(dict.fromkeys(job_ids))
    if not MIN_JOBS <= len(ids) <= MAX_JOBS:
        raise CompareRefusedError(f"choose from {MIN_JOBS} to {MAX_JOBS} different runs")
    chosen = []
    for job_id in ids:
        try:
            job = jobs.get(db, job_id)
        except UnknownReferenceError:
            raise CompareRefusedError(f"there is no scenario run {job_id}", missing=True) from None
        if job.status is not JobStatus.DONE or not job.result:
            raise CompareRefusedError(f"scenario run {job_id} has not finished")
        chosen.append(job)
    labels: list[str] = []
    docs: list[Mapping[str, Any]] = []
    values: list[Sequence[Mapping[str, float | None]] | None] = []
    waiting: list[Sequence[float] | None] = []
    for job in chosen:
        result = job.result or {}
        n = len(result["labels"])
        labels += [f"run {job.id}: {label}" for label in result["labels"]]
        docs += result["runs"]
        values += result.get("paired_values") or [None] * n
        waiting += result.get("waiting") or [None] * n
    every_waiting = [w for w in waiting if w is not None]
    if len(every_waiting) < len(waiting):
        return Comparison(chosen, labels, docs, values, None)
    return Comparison(chosen, labels, docs, values, every_waiting)
