"""Scenario runs from the dashboard: stored jobs, run in another process, time-bounded."""

from __future__ import annotations

import base64
import contextlib
import logging
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest

from api.database import Database
from api.settings import ApiSettings
from api.web import scenario_jobs as jobs
from api.web import scenario_report as report
from api.web import scenario_worker as worker
from api.web.settings import WebSettings
from scenarios import plots
from store import ensure_database, make_engine
from store.service import (
    JobStatus,
    ScenarioJobRepository,
    ScenarioSource,
    StoredScenarioJob,
    StoredUser,
)

PM = StoredUser(1, "pm", "policymaker", None, None)


@pytest.fixture
def db(database_url):
    ensure_database(database_url).dispose()
    database = Database(ApiSettings(database_url=database_url, inline_sqlite_writes=False))
    yield database
    database.close()


def _job(db: Database, job_id: int) -> StoredScenarioJob:
    with db.unit() as session:
        return ScenarioJobRepository(session).job(job_id)


def _run(database_url: str, job_id: int) -> str:
    """Run a job as the dashboard's worker process does, on an engine of its own."""
    engine = make_engine(database_url)
    try:
        return worker.run_job(engine, job_id)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_job_runs_its_scenarios_and_stores_the_comparison(db, database_url):
    sources = [jobs.example("two-houses.yaml"), jobs.example("two-houses.yaml")]
    job = jobs.create(db, user=PM, sources=sources, replications=2)
    assert job.progress_total == 2 * 2 * 30  # scenarios x replications x days
    message = _run(database_url, job.id)
    done = _job(db, job.id)
    assert done.status is JobStatus.DONE
    assert done.message == message
    assert done.progress_done == done.progress_total
    assert done.result is not None
    assert done.result["labels"] == ["two-houses (1)", "two-houses (2)"]
    assert [r["scenario"]["replications"] for r in done.result["runs"]] == [2, 2]
    assert "replications" not in done.result["runs"][0]  # the per-replication KPIs are left out
    assert sorted(done.result["charts"]) == sorted(report.CHART_TITLES)
    for png in done.result["charts"].values():
        assert base64.b64decode(png).startswith(b"\x89PNG")


def test_a_file_that_fails_in_the_worker_marks_the_job_failed_with_the_reason(
    db, database_url, monkeypatch
):
    with db.unit() as session:  # stored without the checks create() makes
        job = ScenarioJobRepository(session).add(
            created_by="pm",
            sources=[ScenarioSource("bad.yaml", "name: bad\nseed: 1\n")],
            replications=1,
            progress_total=1,
        )
    monkeypatch.setenv("OPVANG_DATABASE_URL", database_url)
    assert worker.main([str(job.id), "60"]) == 0
    failed = _job(db, job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.message.startswith("bad.yaml: ")
    assert "horizon_days" in failed.message
    assert failed.finished_at is not None


@pytest.mark.slow
def test_a_job_over_its_time_limit_is_stopped_and_marked_failed(db, database_url):
    job = jobs.create(db, user=PM, sources=[jobs.example("mmc-check.yaml")], replications=1)
    jobs.launch(db, job.id, database_url=database_url, time_limit=1.0)
    deadline = time.monotonic() + 60
    while _job(db, job.id).status is not JobStatus.FAILED:
        assert time.monotonic() < deadline, _job(db, job.id)
        time.sleep(0.3)
    assert _job(db, job.id).message == "stopped: the run took longer than 1 s"


def _stored_job(db: Database) -> StoredScenarioJob:
    with db.unit() as session:
        return ScenarioJobRepository(session).add(
            created_by="pm",
            sources=[jobs.example("two-houses.yaml")],
            replications=1,
            progress_total=30,
        )


def test_an_alarm_turned_into_another_exception_still_counts_as_stopped(
    db, database_url, monkeypatch
):
    """Seen in CI: the alarm landed in code that raised a TypeError instead."""

    def alarm_in_a_library(engine, job_id, time_limit):
        try:
            worker._on_alarm(signal.SIGALRM, None)
        except worker.TimeLimitError as exc:
            raise TypeError("the library's own error") from exc

    job = _stored_job(db)
    monkeypatch.setenv("OPVANG_DATABASE_URL", database_url)
    monkeypatch.setattr(worker, "run_job", alarm_in_a_library)
    assert worker.main([str(job.id), "60"]) == 0
    stopped = _job(db, job.id)
    assert stopped.status is JobStatus.FAILED
    assert stopped.message == "stopped: the run took longer than 60 s"


def test_an_alarm_swallowed_by_the_run_stops_it_at_its_next_progress_write(
    db, database_url, monkeypatch
):
    days: list[int] = []

    def swallowing_run(engine, job_id, time_limit):
        progress = worker.JobProgress(engine, job_id)
        for day in range(30):
            if day == 3:
                with contextlib.suppress(worker.TimeLimitError):
                    worker._on_alarm(signal.SIGALRM, None)
            progress.advance("two-houses", 1)
            days.append(day)

    job = _stored_job(db)
    monkeypatch.setenv("OPVANG_DATABASE_URL", database_url)
    monkeypatch.setattr(worker, "run_job", swallowing_run)
    assert worker.main([str(job.id), "60"]) == 0
    assert days == [0, 1, 2]
    stopped = _job(db, job.id)
    assert stopped.status is JobStatus.FAILED
    assert stopped.message == "stopped: the run took longer than 60 s"
    assert stopped.progress_done == 3


def test_a_failure_before_the_time_limit_keeps_its_own_reason(db, database_url, monkeypatch):
    def failing_run(engine, job_id, time_limit):
        raise TypeError("a bug")

    job = _stored_job(db)
    monkeypatch.setenv("OPVANG_DATABASE_URL", database_url)
    monkeypatch.setattr(worker, "run_job", failing_run)
    with pytest.raises(TypeError, match="a bug"):
        worker.main([str(job.id), "60"])
    failed = _job(db, job.id)
    assert failed.message == "the run failed (TypeError); see the server log"


def test_a_watcher_whose_database_went_away_logs_it_and_does_not_raise(tmp_path, caplog):
    """Seen in CI: a worker outlived its test's database and the watcher thread crashed."""
    empty = Database(ApiSettings(database_url=f"sqlite:///{tmp_path / 'gone.db'}"))
    with empty.engine.begin() as connection:  # as a test's teardown drops its tables
        connection.exec_driver_sql("DROP TABLE scenario_jobs")
    process = subprocess.Popen([sys.executable, "-c", "pass"], stderr=subprocess.PIPE, text=True)
    try:
        with caplog.at_level(logging.WARNING, logger="api.web.scenario_jobs"):
            jobs._watch(empty, 7, process, 30.0)
    finally:
        empty.close()
    assert "scenario job 7: its end was not recorded (OperationalError)" in caplog.text


def _stored(status: JobStatus, created: datetime) -> StoredScenarioJob:
    return StoredScenarioJob(
        id=1,
        created_at=created,
        created_by="pm",
        status=status,
        sources=(),
        replications=1,
        progress_done=30,
        progress_total=120,
        message="simulating",
        started_at=None,
        finished_at=None,
    )


def test_a_job_silent_past_its_time_limit_counts_as_failed():
    settings = WebSettings(scenario_time_limit=60)
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    running = jobs.view(
        _stored(JobStatus.RUNNING, now - timedelta(seconds=30)), now=now, settings=settings
    )
    assert (running.status, running.percent, running.finished) == (JobStatus.RUNNING, 25, False)
    lost = jobs.view(
        _stored(JobStatus.RUNNING, now - timedelta(hours=1)), now=now, settings=settings
    )
    assert lost.status is JobStatus.FAILED
    assert "without finishing" in lost.message
    done = jobs.view(_stored(JobStatus.DONE, now - timedelta(hours=1)), now=now, settings=settings)
    assert (done.status, done.percent) == (JobStatus.DONE, 100)


def test_uploaded_file_names_are_cleaned_and_sizes_bounded():
    assert jobs.uploaded("../../etc/x y.yaml", b"name: x", limit=100).name == "x_y.yaml"
    assert jobs.uploaded("C:\\Users\\me\\s.yaml", b"name: x", limit=100).name == "s.yaml"
    with pytest.raises(jobs.InvalidScenarioError, match="larger than"):
        jobs.uploaded("big.yaml", b"x" * 2048, limit=1024)


def test_an_upload_may_build_on_an_example_and_a_bundled_rulebook():
    text = "base: two-houses.yaml\nname: mine\nrulebook: regional-variation-v1\n"
    scenario = jobs.scenario(ScenarioSource("mine.yaml", text), replications=3)
    assert scenario.name == "mine"
    assert scenario.spec.replications == 3
    assert scenario.rulebook.version.startswith("regional-variation")


def _doc(cases: float, wait: float) -> dict:
    group = {
        "cases": cases,
        "wait_days": {"mean": wait, "ci95": [wait - 1, wait + 1], "p90": wait * 2},
        "placed_within_target": 0.5,
        "unplaced_at_end": cases / 2,
        "capacity_gap_cases": 0.0,
    }
    return {
        "scenario": {
            "policy": "fifo",
            "rulebook": "national-v1",
            "replications": 2,
            "horizon_days": 30,
        },
        "overall": group,
        "by_class": {"standard": group, "complex_cases": group},
        "out_of_region": {"share": 0.1},
        "occupancy": {"overall": 0.9},
        "cost": {"total_per_year": 1000.0},
        "budget_overrun": {"total": 0.0},
    }


def test_the_comparison_shows_small_groups_as_fewer_than_5_and_hides_their_waits():
    rows = {r.label: r.cells for r in report.comparison([_doc(3.0, 12.0), _doc(40.0, 12.0)])}
    assert rows["all cases: cases (mean per replication)"] == ["<5", "40.0"]
    assert rows["all cases: mean wait in days (95% interval)"] == ["-", "12.0 (11.0 to 13.0)"]
    assert rows["complex cases: unplaced at end"] == ["<5", "20.0"]
    assert rows["standard: placed within target"] == ["-", "50%"]
    assert rows["occupancy, all beds"] == ["90%", "90%"]
    lines = report.headline(["a", "b"], [_doc(3.0, 12.0), _doc(40.0, 12.0)])
    assert lines == [
        "a: fewer than 5 complex cases, so their wait is not shown",
        "b: complex cases wait 12.0 (11.0 to 13.0) days on average",
    ]


def test_the_worker_leaves_classes_of_fewer_than_5_cases_out_of_its_charts(
    db, database_url, monkeypatch
):
    # two-houses: one standard and one complex case, so every class is a small cell
    drawn: dict[str, tuple] = {}

    def spy(name: str):
        real = getattr(plots, name)

        def record(*args: object) -> bytes:
            drawn[name] = args
            return real(*args)

        return record

    for name in ("mean_wait_bars", "wait_distribution"):
        monkeypatch.setattr(plots, name, spy(name))
    job = jobs.create(db, user=PM, sources=[jobs.example("two-houses.yaml")], replications=1)
    _run(database_url, job.id)
    waits, _, hidden = drawn["wait_distribution"]
    assert waits == {"two-houses": {}}  # no case's wait reaches the chart
    assert hidden["two-houses"] == {
        "standard": "fewer than 5 cases",
        "complex": "fewer than 5 cases",
        "highly_complex": "fewer than 5 cases",
        "complex_cases": "fewer than 5 cases",
    }
    bars, _, bar_hidden = drawn["mean_wait_bars"]
    assert bars == {"two-houses": {}}
    assert bar_hidden == hidden
    result = _job(db, job.id).result
    caption = report.chart_caption("compare_wait_by_class.png", result["labels"], result["runs"])
    assert caption.endswith(
        "are not drawn, as their waits would show single cases (left out: standard, complex, "
        "highly complex, complex cases)."
    )


def test_chart_captions_name_the_classes_left_out_per_run():
    docs = [_doc(3.0, 12.0), _doc(40.0, 12.0)]
    caption = report.chart_caption("compare_mean_wait.png", ["a", "b"], docs)
    assert caption.startswith(report.CHART_TITLES["compare_mean_wait.png"])
    assert "Classes of fewer than 5 cases (mean per replication) are not drawn" in caption
    assert caption.endswith("(left out: a: standard, complex cases).")
    big = report.chart_caption("compare_wait_by_class.png", ["b"], docs[1:])
    assert big.endswith("are not drawn, as their waits would show single cases.")
    waiting = report.chart_caption("compare_waiting.png", ["a", "b"], docs)
    assert waiting == report.CHART_TITLES["compare_waiting.png"]


def test_the_worker_reports_progress_within_a_replication(db, database_url, monkeypatch):
    seen: list[int] = []
    update = ScenarioJobRepository.update

    def record(self, job_id, **changes):
        done = update(self, job_id, **changes)
        if "advance" in changes:
            seen.append(self.job(job_id).progress_done)
        return done

    monkeypatch.setattr(ScenarioJobRepository, "update", record)
    job = jobs.create(db, user=PM, sources=[jobs.example("two-houses.yaml")], replications=1)
    _run(database_url, job.id)
    # one replication of 30 days, reported every 2 simulated days (not once at its end)
    assert seen == [0, *range(2, 31, 2)]
    assert _job(db, job.id).progress_done == 30


def test_no_more_jobs_than_the_setting_run_at_once(db):
    # issue 10: six POST /scenarios started six worker processes
    settings = WebSettings(scenario_jobs_at_once=2)
    now = datetime.now(UTC)
    source = [jobs.example("two-houses.yaml")]
    for _ in range(2):
        jobs.create(db, user=PM, sources=source, replications=1, settings=settings, now=now)
    with pytest.raises(jobs.TooManyJobsError, match="2 scenario runs in progress"):
        jobs.create(db, user=PM, sources=source, replications=1, settings=settings, now=now)
    with db.unit() as session:  # one finishes: there is room again
        ScenarioJobRepository(session).update(1, status=JobStatus.DONE, finished_at=now)
    jobs.create(db, user=PM, sources=source, replications=1, settings=settings, now=now)


def test_jobs_past_their_time_limit_do_not_hold_a_place(db):
    settings = WebSettings(scenario_jobs_at_once=1, scenario_time_limit=60)
    then = datetime.now(UTC)
    source = [jobs.example("two-houses.yaml")]
    jobs.create(db, user=PM, sources=source, replications=1, settings=settings, now=then)
    later = then + timedelta(seconds=60 + 3 * jobs.GRACE_S)
    jobs.create(db, user=PM, sources=source, replications=1, settings=settings, now=later)


def test_the_dashboard_answers_429_beyond_the_limit(quick_world, web, monkeypatch):
    from fastapi.testclient import TestClient

    from api.app import create_app

    monkeypatch.setenv("OPVANG_WEB_SCENARIO_JOBS_AT_ONCE", "1")
    monkeypatch.setattr(jobs, "launch", lambda *a, **k: None)  # no worker process here
    app = create_app(ApiSettings(database_url=quick_world.url))
    with TestClient(app, follow_redirects=False) as client:
        token = web.sign_in(client, "policymaker")
        form = {"csrf_token": token, "example": "two-houses.yaml", "replications": "1"}
        assert client.post("/scenarios", data=form).status_code == 303
        refused = client.post("/scenarios", data=form)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "60"
        assert "1 scenario run in progress" in refused.text
