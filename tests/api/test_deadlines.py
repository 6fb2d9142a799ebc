"""Response deadlines (issue 14): a proposal unanswered by its ``respond_by`` lapses, its
beds go to the next round, the case keeps its place and priority, and coordinators see a
reminder list first.

The small world: ``ws-amsterdam`` has 2 free beds; a run proposes ``C-2026-0003`` and
``C-2026-0004`` there. Proposals here must be answered within one hour
(``respond_within_hours=1``); the clock is moved with the ``get_now`` dependency.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.deps import get_now


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    async def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def coord(world, helpers, clock):
    with helpers.client_for(world.url, respond_within_hours=1.0) as client:
        client.app.dependency_overrides[get_now] = clock
        client.headers.update(world.auth("coordinator"))
        yield client


def run(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5, "seed": 1})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_proposal_carries_its_deadline_and_is_on_the_reminders_when_close(coord, clock):
    first = run(coord)
    deadline = datetime.fromisoformat(first["proposals"][0]["respond_by"])
    assert deadline == clock.now + timedelta(hours=1)
    reminders = coord.get("/v1/proposals/reminders", params={"within_hours": 0.5}).json()
    assert reminders["count"] == 0
    clock.now += timedelta(minutes=40)
    due = coord.get("/v1/proposals/reminders", params={"within_hours": 0.5}).json()
    assert {p["case_id"] for p in due["data"]} == {"C-2026-0003", "C-2026-0004"}
    assert coord.get("/v1/proposals/reminders").json()["count"] == 2  # default: 12 hours


def test_a_lapsed_proposals_beds_are_proposed_again_in_the_next_round(coord, clock):
    first = run(coord)
    ids = {p["case_id"]: p["id"] for p in first["proposals"]}
    weight = coord.get("/v1/cases/C-2026-0003").json()["priority_weight"]
    clock.now += timedelta(hours=1, minutes=1)
    late = coord.post(f"/v1/proposals/{ids['C-2026-0003']}/accept")
    assert late.status_code == 409
    assert "lapsed" in late.json()["detail"]
    swept = coord.post("/v1/proposals/lapse").json()
    assert {p["case_id"] for p in swept["data"]} == {"C-2026-0003", "C-2026-0004"}
    for case_id, pid in ids.items():
        lapsed = coord.get(f"/v1/proposals/{pid}").json()
        assert lapsed["status"] == "lapsed"
        assert lapsed["decided_by"] == "coordinator"
        case = coord.get(f"/v1/cases/{case_id}").json()
        assert case["status"] == "waiting"  # back on the list, its intake date kept
        assert case["intake_date"] <= clock.now.date().isoformat()
    assert coord.get("/v1/cases/C-2026-0003").json()["priority_weight"] >= weight
    assert coord.post("/v1/proposals/lapse").json()["count"] == 0  # once
    second = run(coord)
    again = [p for p in second["proposals"] if p["facility_id"] == "ws-amsterdam"]
    assert len(again) == 2  # the two beds are proposed again
    assert {p["case_id"] for p in again} == {"C-2026-0003", "C-2026-0004"}  # same place


def test_a_round_after_the_deadline_records_the_lapse_not_a_replacement(coord, clock):
    first = run(coord)
    clock.now += timedelta(hours=2)
    run(coord)
    statuses = {coord.get(f"/v1/proposals/{p['id']}").json()["status"] for p in first["proposals"]}
    assert statuses == {"lapsed"}


def test_the_lapse_is_audited(coord, clock, world, helpers):
    first = run(coord)
    clock.now += timedelta(hours=2)
    coord.post("/v1/proposals/lapse")
    with helpers.client_for(world.url) as admin:
        admin.headers.update(world.auth("admin"))
        entries = admin.get("/v1/audit", params={"record_type": "proposal", "limit": 1000})
    lapses = {e["record_id"] for e in entries.json()["data"] if e["action"] == "proposal.lapse"}
    assert lapses == {str(p["id"]) for p in first["proposals"]}


def test_declining_before_the_deadline_still_works_and_nothing_lapses(coord, clock):
    first = run(coord)
    pid = first["proposals"][0]["id"]
    assert coord.post(f"/v1/proposals/{pid}/decline", json={"reason": "unsafe"}).status_code == 200
    clock.now += timedelta(minutes=30)
    assert coord.post("/v1/proposals/lapse").json()["count"] == 0
