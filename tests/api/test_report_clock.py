"""Availability reports and the clock (issue 10): a report counts from its receipt at the
latest, a report dated ahead never blocks a correct one, and a report of more free beds
than the placements leave is counted as what they leave, and says so.

Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.deps import get_now
from capacity import CaseStatus, Placement
from capacity.clock import local_date
from store import Repository, ensure_database, session_scope

OWN = "ws-amsterdam"  # 4 beds, 1 taken by a placement; proposals 1 and 2 pending there


def report(client: TestClient, world: Any, beds_free: int, as_of: datetime) -> Any:
    return client.put(
        f"/v1/facilities/{OWN}/availability",
        json={"beds_free": beds_free, "as_of": as_of.isoformat()},
        headers=world.auth("reporter-hvo"),
    )


def accept(client: TestClient, world: Any, proposal_id: int) -> Any:
    return client.post(f"/v1/proposals/{proposal_id}/accept", headers=world.auth("coordinator"))


def test_a_report_dated_ahead_does_not_let_one_free_bed_be_taken_twice(world, helpers):
    first, second = world.proposal_ids
    with helpers.client_for(world.url) as client:
        now = datetime.now(UTC)
        assert report(client, world, 1, now).status_code == 201
        ahead = report(client, world, 1, now + timedelta(seconds=30))
        assert ahead.status_code == 201, ahead.text  # within the tolerated skew
        assert accept(client, world, first).status_code == 201
        assert accept(client, world, second).status_code == 409
        # once the server's clock passes the report's as_of, the bed is still taken
        client.app.dependency_overrides[get_now] = lambda: now + timedelta(seconds=32)
        later = accept(client, world, second)
        assert later.status_code == 409, later.text


def test_a_report_dated_ahead_never_blocks_a_correct_report(world, helpers):
    with helpers.client_for(world.url) as client:
        now = datetime.now(UTC)
        assert report(client, world, 2, now + timedelta(seconds=250)).status_code == 201
        correct = report(client, world, 1, datetime.now(UTC))
        assert correct.status_code == 201, correct.text
        shown = client.get(f"/v1/facilities/{OWN}", headers=world.auth("coordinator")).json()
        assert shown["beds_free"] == 1
        assert shown["updated"] <= datetime.now(UTC).isoformat()


def test_a_report_still_may_not_be_older_than_the_last(world, helpers):
    with helpers.client_for(world.url) as client:
        now = datetime.now(UTC)
        assert report(client, world, 2, now).status_code == 201
        old = report(client, world, 1, now - timedelta(minutes=5))
        assert old.status_code == 422
        assert old.json()["detail"][0]["loc"] == ["body", "as_of"]


def test_more_free_beds_than_the_placements_leave_are_counted_as_they_leave(world, helpers):
    with helpers.client_for(world.url) as client:
        answer = report(client, world, 4, datetime.now(UTC))  # 4 beds, 1 placed there
        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["beds_free"] == 4
        assert body["beds_free_counted"] == 3
        assert "record their discharge" in body["notice"]
        shown = client.get(f"/v1/facilities/{OWN}", headers=world.auth("reporter-hvo")).json()
        assert (shown["beds_free"], shown["beds_free_counted"]) == (4, 3)
        assert shown["notice"] == body["notice"]
        history = client.get(
            f"/v1/facilities/{OWN}/availability", headers=world.auth("reporter-hvo")
        ).json()
        assert history["data"][0]["beds_free_counted"] == 3


def test_a_report_within_the_placements_is_counted_as_reported(world, helpers):
    with helpers.client_for(world.url) as client:
        body = report(client, world, 3, datetime.now(UTC)).json()
        assert (body["beds_free"], body["beds_free_counted"], body["notice"]) == (3, 3, None)


def _place_two_more(url: str, helpers) -> None:
    """Two more women at ws-amsterdam since yesterday: 3 of its 4 beds are taken."""
    engine = ensure_database(url)
    now = datetime.now(UTC)
    today = local_date(now)
    try:
        with session_scope(engine, immediate=True) as session:
            repo = Repository(session)
            for n in (6, 7):
                case = helpers.woman(
                    f"C-2026-{n:04d}", today - timedelta(days=5), CaseStatus.PLACED
                )
                repo.add_case(case)
                repo.add_placement(
                    Placement(
                        id=f"PL-{n:04d}",
                        case_id=case.id,
                        facility_id=OWN,
                        beds=1,
                        start=today - timedelta(days=1),
                        expected_end=today + timedelta(days=90),
                        recorded_at=now - timedelta(hours=20),
                    )
                )
    finally:
        engine.dispose()


def test_accepting_never_places_more_cases_than_beds_whatever_is_reported(world, helpers):
    # 16 active placements at a 14-bed facility were seen: a report of more free beds than
    # the placements leave was taken at face value, and every accept went through
    _place_two_more(world.url, helpers)
    first, second = world.proposal_ids
    with helpers.client_for(world.url) as client:
        answer = report(client, world, 4, datetime.now(UTC)).json()
        assert (answer["beds_free"], answer["beds_free_counted"]) == (4, 1)
        assert accept(client, world, first).status_code == 201
        assert accept(client, world, second).status_code == 409
