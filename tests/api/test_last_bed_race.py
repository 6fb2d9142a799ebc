"""The last bed: 20 coordinators accept 20 proposals for one remaining bed at the same moment.

Against a running server (uvicorn in a subprocess on 127.0.0.1), on SQLite and on
PostgreSQL: exactly one 201, nineteen 409s that say why, and never a double booking. On
PostgreSQL also with two worker processes (``--workers 2``, as ``opvang serve --workers``
runs it), so the row locks must hold across processes, not only across threads.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import httpx
import pytest

from capacity import AvailabilityReport, CaseStatus
from capacity.clock import local_date
from store import ProposalDraft, Repository, ensure_database, session_scope

FACILITY = "ws-amsterdam"
RACERS = 20


def one_bed_left(url: str, helpers) -> list[int]:
    """Report 1 free bed and propose it to 20 new cases; returns the proposal ids."""
    now = datetime.now(UTC)
    today = local_date(now)
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            repo = Repository(session)
            repo.add_report(AvailabilityReport(FACILITY, 1, now, "race-test", "race-1"))
            for i in range(RACERS):
                repo.add_case(helpers.woman(f"C-2026-{100 + i:04d}", today))
    finally:
        engine.dispose()
    drafts = [
        ProposalDraft(f"C-2026-{100 + i:04d}", FACILITY, 1, today, "Meets: all.")
        for i in range(RACERS)
    ]
    _, ids = helpers.add_run(url, drafts, as_of=now)
    return list(ids)


def accept_all_at_once(
    base: str, proposal_ids: list[int], headers: dict[str, str]
) -> list[httpx.Response]:
    barrier = threading.Barrier(len(proposal_ids))
    answers: list[httpx.Response | None] = [None] * len(proposal_ids)

    def accept(i: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60.0) as client:
            barrier.wait()
            answers[i] = client.post(f"/v1/proposals/{proposal_ids[i]}/accept")

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(proposal_ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def race_for_the_last_bed(world, helpers, *, workers: int = 1, output: list[str] | None = None):
    """20 accepts of the last bed at once; checks one 201, nineteen 409s, one placement."""
    proposal_ids = one_bed_left(world.url, helpers)
    with helpers.running_server(world.url, workers=workers, output=output) as server:
        base = server.base
        answers = accept_all_at_once(base, proposal_ids, world.auth("coordinator"))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * (RACERS - 1), [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 409:
            detail = answer.json()["detail"]
            assert f"facility {FACILITY} has 0 free beds on" in detail
            assert detail.endswith("needs 1")

    engine = ensure_database(world.url)
    try:
        with session_scope(engine) as session:
            repo = Repository(session)
            today = local_date(datetime.now(UTC))
            taken = [p for p in repo.placements(active_on=today) if p.facility_id == FACILITY]
            winner = next(a.json() for a in answers if a.status_code == 201)
            assert sorted(p.id for p in taken) == sorted(["PL-0001", winner["id"]])
            placed = repo.cases(status=CaseStatus.PLACED)
            assert sum(1 for c in placed if c.id.startswith("C-2026-01")) == 1
            snapshot = repo.supply_snapshot(as_of=datetime.now(UTC))
            assert snapshot.free(FACILITY).min() == 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_accept_last_bed_twenty_times_gives_one_201_and_nineteen_409(world, helpers):
    race_for_the_last_bed(world, helpers)


@pytest.mark.slow
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_accept_last_bed_across_two_worker_processes_on_postgresql(world, helpers):
    output: list[str] = []
    race_for_the_last_bed(world, helpers, workers=2, output=output)
    started = [line for line in output[0].splitlines() if "Started server process" in line]
    assert len(started) == 2, output[0]
