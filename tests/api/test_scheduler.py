"""Scheduled and triggered rounds (issue 14): the service runs its own rounds, one runner
across workers and hosts (a lease and claimed slots in the database).

Two :class:`api.scheduler.Jobs` on one database stand for two workers (or two hosts);
the slow test runs two real worker processes of the service.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from api.database import Database
from api.scheduler import DAILY_ROUND, REPORT_ROUND, SCHEDULER_ACTOR, Jobs
from api.settings import ApiSettings
from capacity import bundled_rulebook
from store import DecisionRepository


def _settings(url: str, **extra: object) -> ApiSettings:
    values: dict[str, object] = {
        "database_url": url,
        "inline_sqlite_writes": False,
        "matching_time_limit": 5.0,
        "daily_round_at": "00:00",  # due at any time of the day
        **extra,
    }
    return ApiSettings(**values)


def _worker(url: str, name: str, **extra: object) -> Jobs:
    settings = _settings(url, **extra)
    return Jobs(Database(settings), settings, bundled_rulebook("national-v1"), holder=name)


def _scheduled_runs(url: str) -> list[int]:
    db = Database(_settings(url))
    try:
        with db.unit() as session:
            runs, _ = DecisionRepository(session).runs(limit=100)
    finally:
        db.close()
    return [r.id for r in runs if r.record.created_by == SCHEDULER_ACTOR]


def test_two_workers_run_the_daily_round_once(world):
    a, b = _worker(world.url, "worker-a"), _worker(world.url, "worker-b")
    now = datetime.now(UTC)
    ticks = {}

    def tick(jobs: Jobs) -> None:
        ticks[jobs.holder] = jobs.tick(now)

    threads = [threading.Thread(target=tick, args=(w,)) for w in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(t.held for t in ticks.values()) == [False, True]  # one lease
    assert sum(len(t.runs) for t in ticks.values()) == 1
    assert len(_scheduled_runs(world.url)) == 1
    # the holder dies; once its lease expired the other takes over: today's slot is taken
    later = now + timedelta(seconds=a.settings.scheduler_lease_seconds + 1)
    idle = b if ticks["worker-b"].held is False else a
    taken = idle.tick(later)
    assert taken.held is True
    assert taken.runs == ()
    assert len(_scheduled_runs(world.url)) == 1
    # the next day, once
    tomorrow = now + timedelta(days=1)
    assert len(idle.tick(tomorrow).runs) == 1
    assert idle.tick(tomorrow + timedelta(minutes=1)).runs == ()
    assert len(_scheduled_runs(world.url)) == 2


def test_no_daily_round_before_its_time_or_when_switched_off(world):
    off = _worker(world.url, "w", daily_round_at="")
    assert off.tick().runs == ()
    late = _worker(world.url, "w", daily_round_at="23:59")
    early = datetime.now(UTC).replace(hour=5, minute=0)  # 06:00 or 07:00 Dutch time
    assert late.tick(early).runs == ()
    assert _scheduled_runs(world.url) == []


def test_the_scheduler_lapses_proposals_past_their_deadline(world, helpers):
    jobs = _worker(world.url, "w", daily_round_at="", respond_within_hours=1.0)
    with helpers.client_for(world.url, respond_within_hours=1.0) as coord:
        coord.headers.update(world.auth("coordinator"))
        first = coord.post("/v1/matching-runs", json={"time_limit": 5}).json()
        assert jobs.tick(datetime.now(UTC)).lapsed == 0
        assert jobs.tick(datetime.now(UTC) + timedelta(hours=2)).lapsed == 2
        for p in first["proposals"]:
            lapsed = coord.get(f"/v1/proposals/{p['id']}").json()
            assert (lapsed["status"], lapsed["decided_by"]) == ("lapsed", SCHEDULER_ACTOR)


def test_a_round_follows_reports_of_free_beds_once_they_stop(world, helpers):
    jobs = _worker(
        world.url,
        "w",
        daily_round_at="",
        round_after_report=True,
        round_after_report_quiet_seconds=60,
    )
    assert jobs.tick().runs == ()  # no report since the latest round
    time.sleep(1.1)  # the database's clock has whole seconds: the report comes after the run
    with helpers.client_for(world.url) as reporter:
        answer = reporter.put(
            f"/v1/facilities/{helpers.OWN_FACILITY}/availability",
            json={"beds_free": 2, "as_of": datetime.now(UTC).isoformat()},
            headers=world.auth("reporter-hvo"),
        )
        assert answer.status_code == 201, answer.text
    assert jobs.tick().runs == ()  # not quiet yet: more reports may come
    quiet = datetime.now(UTC) + timedelta(seconds=61)
    done = jobs.tick(quiet)
    assert [job for job, _ in done.runs] == [REPORT_ROUND]
    assert jobs.tick(quiet + timedelta(seconds=1)).runs == ()  # once per batch of reports


@pytest.mark.slow
def test_two_service_worker_processes_run_the_daily_round_once(world, helpers, monkeypatch):
    monkeypatch.setenv("OPVANG_SCHEDULER", "true")
    monkeypatch.setenv("OPVANG_DAILY_ROUND_AT", "00:00")
    monkeypatch.setenv("OPVANG_SCHEDULER_TICK_SECONDS", "0.5")
    monkeypatch.setenv("OPVANG_MATCHING_TIME_LIMIT", "5")
    # two workers importing the solver stack on a busy machine took 48 s to start
    with helpers.running_server(world.url, workers=2, start_timeout=180) as server:
        deadline = time.monotonic() + 60
        while not _scheduled_runs(world.url) and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # several more ticks of both workers
        assert httpx.get(f"{server.base}/healthz").status_code == 200
    assert len(_scheduled_runs(world.url)) == 1
    assert DAILY_ROUND == "daily-round"


def test_the_retention_run_happens_once_a_night_and_erases_what_is_past_its_term(world, helpers):
    # issue 16: the service's own scheduled retention, not only `opvang retention apply`
    a = _worker(world.url, "worker-a", daily_round_at="", retention_at="00:00")
    b = _worker(world.url, "worker-b", daily_round_at="", retention_at="00:00")
    auth = world.auth("coordinator")
    with helpers.client_for(world.url) as coord:
        case_id = coord.get("/v1/cases?status=waiting", headers=auth).json()["data"][0]["id"]
        assert coord.post(f"/v1/cases/{case_id}/withdraw", headers=auth).status_code == 200
    now = datetime.now(UTC)
    assert a.tick(now).erased == 0  # within its term: kept
    assert a.tick(now + timedelta(minutes=1)).erased is None  # once a night
    later = now + timedelta(days=400)  # past the withdrawn cases' term (365 days)
    first = a.tick(later)
    assert first.erased == 1
    handover = later + timedelta(seconds=a.settings.scheduler_lease_seconds + 1)
    second = b.tick(handover)  # the lease passed to the other worker: the night is done
    assert (second.held, second.erased) == (True, None)
    with helpers.client_for(world.url) as coord:
        assert coord.get(f"/v1/cases/{case_id}", headers=auth).status_code == 404
