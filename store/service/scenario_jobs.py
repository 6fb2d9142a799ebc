"""Scenario runs started from the dashboard: files, status, progress and results.

The process that runs a job writes its progress here and the web worker that answers the
browser reads it, so any worker (or host) can show any job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, defer

from capacity.errors import UnknownReferenceError
from store.mapping import checked
from store.service.models import ScenarioJobRow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ScenarioSource:
    """One scenario file of a job: its name (shown, and used in errors) and its YAML."""

    name: str
    text: str


@dataclass(frozen=True, slots=True)
class StoredScenarioJob:
    """A scenario job.

    Parameters
    ----------
    id
        Database id.
    created_at, created_by
        When and by whom it was started.
    status
        Queued, running, done or failed.
    sources
        The scenario files, in the order of the comparison.
    replications
        Replications of each scenario.
    progress_done, progress_total
        Simulated days done and to do, over all scenarios and replications.
    message
        What the job is doing now, or why it failed.
    started_at, finished_at
        When the run began and ended.
    result
        The aggregated results (``None`` until done, and in job lists).
    plan
        A capacity-plan job's request (beds or budget, candidates, method; issue 15):
        the job plans first and adds the planned scenario to ``sources``. ``None`` for a
        plain scenario job.
    """

    id: int
    created_at: datetime
    created_by: str
    status: JobStatus
    sources: tuple[ScenarioSource, ...]
    replications: int
    progress_done: int
    progress_total: int
    message: str | None
    started_at: datetime | None
    finished_at: datetime | None
    result: Mapping[str, Any] | None = None
    plan: Mapping[str, Any] | None = None


def _job(row: ScenarioJobRow, *, with_result: bool) -> StoredScenarioJob:
    return StoredScenarioJob(
        id=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
        status=JobStatus(row.status),
        sources=tuple(ScenarioSource(s["name"], s["text"]) for s in row.sources),
        replications=row.replications,
        progress_done=row.progress_done,
        progress_total=row.progress_total,
        message=row.message,
        started_at=row.started_at,
        finished_at=row.finished_at,
        result=row.result if with_result else None,
        plan=row.plan,
    )


class ScenarioJobRepository:
    """Scenario jobs in one unit of work (never commits).

    Parameters
    ----------
    session
        The unit of work.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        created_by: str,
        sources: Sequence[ScenarioSource],
        replications: int,
        progress_total: int,
        plan: Mapping[str, Any] | None = None,
    ) -> StoredScenarioJob:
        """Store a new queued job (with ``plan``: a capacity-plan job)."""
        values = {"created_by": created_by, "status": JobStatus.QUEUED.value}
        row = ScenarioJobRow(
            **checked(ScenarioJobRow, values),
            sources=[{"name": s.name, "text": s.text} for s in sources],
            replications=replications,
            progress_done=0,
            progress_total=progress_total,
            plan=None if plan is None else dict(plan),
        )
        self._session.add(row)
        self._session.flush()
        return _job(row, with_result=False)

    def active(self, *, since: datetime) -> int:
        """Jobs queued or running that were created after ``since`` (older ones have
        outlived their time limit: their process is gone)."""
        r = ScenarioJobRow
        unfinished = r.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
        query = select(func.count()).select_from(r).where(unfinished, r.created_at > since)
        return int(self._session.scalar(query) or 0)

    def job(self, job_id: int) -> StoredScenarioJob:
        """One job with its results.

        Raises
        ------
        UnknownReferenceError
            When there is no such job.
        """
        row = self._session.get(ScenarioJobRow, job_id)
        if row is None:
            raise UnknownReferenceError("scenario job", str(job_id))
        return _job(row, with_result=True)

    def jobs(self, *, limit: int) -> list[StoredScenarioJob]:
        """The newest jobs first, without their results."""
        query = (
            select(ScenarioJobRow)
            .options(defer(ScenarioJobRow.result))
            .order_by(ScenarioJobRow.id.desc())
            .limit(limit)
        )
        return [_job(row, with_result=False) for row in self._session.scalars(query)]

    def update(
        self,
        job_id: int,
        *,
        status: JobStatus | None = None,
        message: str | None = None,
        advance: int = 0,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        result: Mapping[str, Any] | None = None,
        sources: Sequence[ScenarioSource] | None = None,
        progress_total: int | None = None,
    ) -> None:
        """Change a job: what is given is set, ``advance`` is added to the progress."""
        values: dict[str, Any] = {}
        if status is not None:
            values["status"] = status.value
        if message is not None:
            values["message"] = message
        if advance:
            values["progress_done"] = ScenarioJobRow.progress_done + advance
        if started_at is not None:
            values["started_at"] = started_at
        if finished_at is not None:
            values["finished_at"] = finished_at
        if result is not None:
            values["result"] = dict(result)
        if sources is not None:
            values["sources"] = [{"name": s.name, "text": s.text} for s in sources]
        if progress_total is not None:
            values["progress_total"] = progress_total
        if values:
            self._session.execute(
                update(ScenarioJobRow).where(ScenarioJobRow.id == job_id).values(**values)
            )
