"""Scenario jobs of the dashboard: validate the files, store the job, run it elsewhere.

A job is a row in the database (:class:`store.ScenarioJobRepository`):
its scenario files, status and progress. It runs in a separate process
(:mod:`api.web.scenario_worker`) that writes its progress and results to that row, so
any web worker can answer the browser, and the run can be stopped at its time limit
without touching the web server. Scenario files come from ``scenarios/examples/`` or are
uploaded; an uploaded file may refer only to an example as its ``base`` and to a bundled
rulebook, never to another file on the server.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import PurePath
from typing import Any

import yaml
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.database import Database
from api.web.settings import WebSettings
from scenarios import EXAMPLES_DIR, InvalidScenarioError, Scenario, parse_scenario
from store import audit
from store.service import (
    JobStatus,
    ScenarioJobRepository,
    ScenarioSource,
    StoredScenarioJob,
    StoredUser,
)

log = logging.getLogger(__name__)

EXAMPLES: tuple[str, ...] = tuple(sorted(p.name for p in EXAMPLES_DIR.glob("*.yaml")))
DEFAULT_EXAMPLE = "national-demo.yaml"  # the form's first choice (issue 17: not the toy)
DEFAULT_COMPARE = "national-demo-current-practice.yaml"
BUNDLED_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # a rulebook's name, never a path
SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80  # characters of an uploaded file's name as shown
GRACE_S = 30.0  # seconds beyond the time limit before a silent job counts as lost
RECENT_JOBS = 20


@functools.cache
def example_descriptions() -> dict[str, str]:
    """Each example file's name and its ``description`` (or its name), read once.

    Read as YAML, not loaded as a scenario: loading builds the supply, seconds per file.
    """
    out: dict[str, str] = {}
    for name in EXAMPLES:
        doc = yaml.safe_load((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
        text = doc.get("description") if isinstance(doc, dict) else None
        out[name] = " ".join(str(text).split()) if text else name
    return out


def example(name: str) -> ScenarioSource:
    """One of ``scenarios/examples/``.

    Raises
    ------
    InvalidScenarioError
        When there is no example of that name.
    """
    if name not in EXAMPLES:
        raise InvalidScenarioError(name[:MAX_NAME], "", "is not one of the example files")
    return ScenarioSource(name, (EXAMPLES_DIR / name).read_text(encoding="utf-8"))


def uploaded(filename: str, data: bytes, *, limit: int) -> ScenarioSource:
    """An uploaded scenario file (UTF-8 YAML, at most ``limit`` bytes).

    Raises
    ------
    InvalidScenarioError
        When it is too large or not UTF-8 text.
    """
    name = SAFE_FILE_NAME.sub("_", PurePath(filename.replace("\\", "/")).name)[:MAX_NAME]
    name = name or "upload.yaml"
    if len(data) > limit:
        raise InvalidScenarioError(name, "", f"is larger than {limit // 1024} kB")
    try:
        return ScenarioSource(name, data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidScenarioError(name, "", "is not UTF-8 text") from None


def _check_references(source: ScenarioSource) -> None:
    """An uploaded file may use an example as ``base`` and a bundled rulebook, nothing else."""
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(source.text)):
            raise InvalidScenarioError(source.name, "", "anchors and aliases are not supported")
        data = yaml.safe_load(source.text)
    except yaml.YAMLError:
        return  # parse_scenario reports where the YAML is broken
    if not isinstance(data, dict):
        return
    base, rulebook = data.get("base"), data.get("rulebook")
    if base is not None and base not in EXAMPLES:
        reason = f"must name one of the example files ({', '.join(EXAMPLES)})"
        raise InvalidScenarioError(source.name, "base", reason)
    if rulebook is not None and not (isinstance(rulebook, str) and BUNDLED_NAME.match(rulebook)):
        reason = "must name a bundled rulebook (national-v1, regional-variation-v1)"
        raise InvalidScenarioError(source.name, "rulebook", reason)


def scenario(source: ScenarioSource, *, replications: int) -> Scenario:
    """The validated scenario of a file, with the replications asked for.

    Raises
    ------
    InvalidScenarioError
        Naming the file, the key and the reason.
    """
    _check_references(source)
    parsed = parse_scenario(source.text, source=source.name, base_dir=EXAMPLES_DIR)
    return parsed.with_replications(replications)


class TooManyJobsError(Exception):
    """As many scenario jobs run as the setting allows; try again when one is done."""

    def __init__(self, at_once: int) -> None:
        self.at_once = at_once
        super().__init__(
            f"{at_once} scenario run{'s' * (at_once != 1)} in progress, the most at once; "
            "start this one when one has finished"
        )


def create(
    db: Database,
    *,
    user: StoredUser,
    sources: list[ScenarioSource],
    replications: int,
    settings: WebSettings | None = None,
    now: datetime | None = None,
    plan: Mapping[str, Any] | None = None,
) -> StoredScenarioJob:
    """Validate the files and store a queued job (start it with :func:`launch`); with
    ``plan``, a capacity-plan job (:mod:`api.web.plan_jobs`) whose second scenario the
    worker plans.

    Raises
    ------
    TooManyJobsError
        When ``settings.scenario_jobs_at_once`` jobs are queued or running already (issue
        10: six requests started six worker processes); counted in the write transaction,
        so two requests at once cannot both take the last place.
    """
    total = progress_total(sources, replications=replications, plan=plan)
    with db.unit(immediate=True) as session:
        return add(
            session,
            user=user,
            sources=sources,
            replications=replications,
            total=total,
            settings=settings,
            now=now,
            plan=plan,
        )


def progress_total(
    sources: list[ScenarioSource], *, replications: int, plan: Mapping[str, Any] | None = None
) -> int:
    """Simulated days the job will run, the files validated on the way (before any write
    transaction: loading a scenario builds its dataset, which takes a moment).

    Raises
    ------
    InvalidScenarioError
        Naming the file, the key and the reason.
    """
    runs = [scenario(s, replications=replications) for s in sources]
    total = sum(r.spec.replications * r.spec.horizon_days for r in runs)
    return 2 * total if plan is not None else total  # a plan: its scenario is the base's


def add(
    session: Session,
    *,
    user: StoredUser,
    sources: list[ScenarioSource],
    replications: int,
    total: int,
    settings: WebSettings | None = None,
    now: datetime | None = None,
    plan: Mapping[str, Any] | None = None,
) -> StoredScenarioJob:
    """:func:`create` in the caller's write transaction (the API's unit of work);
    ``total`` from :func:`progress_total`, computed before the transaction."""
    settings = settings or WebSettings()
    now = now or datetime.now(UTC)
    alive_since = now - timedelta(seconds=settings.scenario_time_limit + 2 * GRACE_S)
    repo = ScenarioJobRepository(session)
    if repo.active(since=alive_since) >= settings.scenario_jobs_at_once:
        raise TooManyJobsError(settings.scenario_jobs_at_once)
    job = repo.add(
        created_by=user.name,
        sources=sources,
        replications=replications,
        progress_total=total,
        plan=plan,
    )
    detail: dict[str, Any] = {
        "files": ", ".join(s.name for s in sources),
        "replications": replications,
    }
    if plan is not None:
        detail["plan"] = dict(plan)
    audit.record(
        session,
        actor=user.name,
        action="scenario_job.create",
        record_type="scenario_job",
        record_id=str(job.id),
        detail=detail,
    )
    return job


def launch(db: Database, job_id: int, *, database_url: str, time_limit: float) -> None:
    """Run the job in a new process; a thread waits for it and stops it at the time limit."""
    command = [sys.executable, "-m", "api.web.scenario_worker", str(job_id), str(time_limit)]
    env = {**os.environ, "OPVANG_DATABASE_URL": database_url}
    process = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watcher = threading.Thread(
        target=_watch, args=(db, job_id, process, time_limit), daemon=True, name=f"job-{job_id}"
    )
    watcher.start()


def _watch(db: Database, job_id: int, process: subprocess.Popen[str], time_limit: float) -> None:
    """Wait for the worker; mark the job failed if it overran or died without saying so."""
    try:
        _, stderr = process.communicate(timeout=time_limit + GRACE_S)
        reason = f"the run stopped unexpectedly (exit code {process.returncode})"
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        reason = f"stopped: the run took longer than {time_limit:.0f} s"
    if stderr.strip():
        log.warning("scenario job %s: %s", job_id, stderr.strip()[-2000:])
    try:
        with db.unit() as session:
            jobs = ScenarioJobRepository(session)
            if jobs.job(job_id).status in (JobStatus.QUEUED, JobStatus.RUNNING):
                now = datetime.now(UTC)
                jobs.update(job_id, status=JobStatus.FAILED, message=reason, finished_at=now)
    except SQLAlchemyError as exc:
        # The database went away first (a server stopping): nothing is lost, since a page
        # counts a job silent past its time limit as failed (``view``).
        log.warning("scenario job %s: its end was not recorded (%s)", job_id, type(exc).__name__)


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as a page shows it (a job silent past its time limit counts as failed)."""

    job: StoredScenarioJob
    status: JobStatus
    message: str
    percent: int

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.job.id,
            "status": self.status.value,
            "message": self.message,
            "percent": self.percent,
            "finished": self.finished,
        }


def view(job: StoredScenarioJob, *, now: datetime, settings: WebSettings) -> JobView:
    status, message = job.status, job.message or ""
    deadline = job.created_at + timedelta(seconds=settings.scenario_time_limit + 2 * GRACE_S)
    if status in (JobStatus.QUEUED, JobStatus.RUNNING) and now > deadline:
        status, message = JobStatus.FAILED, "stopped without finishing (was the server restarted?)"
    total = max(job.progress_total, 1)
    percent = 100 if status is JobStatus.DONE else min(99, 100 * job.progress_done // total)
    return JobView(job, status, message, percent)


def get(db: Database, job_id: int) -> StoredScenarioJob:
    with db.unit() as session:
        return ScenarioJobRepository(session).job(job_id)


def recent(db: Database) -> list[StoredScenarioJob]:
    with db.unit() as session:
        return ScenarioJobRepository(session).jobs(limit=RECENT_JOBS)
