"""Scenario jobs in the database: queued, progressing, finished with their results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from capacity import UnknownReferenceError
from store.service import JobStatus, ScenarioJobRepository, ScenarioSource


def test_a_job_is_stored_queued_and_updated_to_done_with_its_result(unit_of_work):
    sources = [ScenarioSource("a.yaml", "name: a\n"), ScenarioSource("b.yaml", "name: b\n")]
    with unit_of_work() as session:
        job = ScenarioJobRepository(session).add(
            created_by="pm", sources=sources, replications=2, progress_total=120
        )
    assert job.status is JobStatus.QUEUED
    assert (job.progress_done, job.progress_total) == (0, 120)
    started = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with unit_of_work() as session:
        jobs = ScenarioJobRepository(session)
        jobs.update(job.id, status=JobStatus.RUNNING, message="running", started_at=started)
        jobs.update(job.id, advance=30)
        jobs.update(job.id, advance=30, message="half")
    with unit_of_work() as session:
        running = ScenarioJobRepository(session).job(job.id)
    assert running.status is JobStatus.RUNNING
    assert running.progress_done == 60
    assert running.message == "half"
    assert running.started_at == started
    assert running.sources == tuple(sources)
    assert running.result is None
    with unit_of_work() as session:
        ScenarioJobRepository(session).update(
            job.id, status=JobStatus.DONE, finished_at=started, result={"labels": ["a", "b"]}
        )
    with unit_of_work() as session:
        jobs = ScenarioJobRepository(session)
        done = jobs.job(job.id)
        listed = jobs.jobs(limit=10)
    assert done.status is JobStatus.DONE
    assert done.result == {"labels": ["a", "b"]}
    assert [j.id for j in listed] == [job.id]
    assert listed[0].result is None  # lists leave the results out


def test_jobs_are_listed_newest_first_and_an_unknown_job_is_an_error(unit_of_work):
    with unit_of_work() as session:
        jobs = ScenarioJobRepository(session)
        ids = [
            jobs.add(created_by="pm", sources=[], replications=1, progress_total=1).id
            for _ in range(3)
        ]
    with unit_of_work() as session:
        jobs = ScenarioJobRepository(session)
        assert [j.id for j in jobs.jobs(limit=2)] == ids[::-1][:2]
        with pytest.raises(UnknownReferenceError):
            jobs.job(max(ids) + 1)
