"""The availability feed: reports, idempotent retries, every field rule, history, batches.

Runs on SQLite with the inline writer and without it, and on PostgreSQL (when
``TEST_DATABASE_URL`` is set) with the asynchronous ledger and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

OWN = "ws-amsterdam"  # 4 beds; reported 2 free an hour ago
OTHER = "cosm-leeuwarden"  # 6 beds; never reported


@pytest.fixture(params=["inline", "session"])
def reporting(request, world, helpers) -> Iterator[tuple[Any, TestClient]]:
    """The world and a client, with the hot path's ledger (SQLite's inline writer,
    PostgreSQL's asynchronous connections) on or off."""
    on = request.param == "inline"
    settings = {"inline_sqlite_writes": on, "async_postgres_writes": on}
    with helpers.client_for(world.url, **settings) as client:
        if not world.url.startswith("sqlite"):
            assert (client.app.state.db.pg is not None) == on
        yield world, client


def now_iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def _headers(world: Any, user: str, key: str | None) -> dict[str, str]:
    """The user's bearer token and, when given, an Idempotency-Key."""
    headers: dict[str, str] = world.auth(user)
    return headers if key is None else {**headers, "Idempotency-Key": key}


def put(
    client: TestClient,
    world: Any,
    body: Any,
    *,
    facility: str = OWN,
    key: str | None = None,
    user: str = "reporter-hvo",
) -> Any:
    headers = _headers(world, user, key)
    return client.put(f"/v1/facilities/{facility}/availability", json=body, headers=headers)


def test_a_report_is_appended_and_shown_on_the_facility(reporting):
    world, client = reporting
    as_of = now_iso()
    answer = put(client, world, {"beds_free": 3, "as_of": as_of})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["beds_free"] == 3
    assert body["reporter"] == "reporter-hvo"
    assert datetime.fromisoformat(body["as_of"]) == datetime.fromisoformat(as_of)
    fac = client.get(f"/v1/facilities/{OWN}", headers=world.auth("coordinator")).json()
    assert fac["beds_free"] == 3
    assert fac["beds"] == 4
    assert datetime.fromisoformat(fac["updated"]) == datetime.fromisoformat(as_of)
    assert fac["stale"] is False
    history = client.get(f"/v1/facilities/{OWN}/availability", headers=world.auth("coordinator"))
    assert [r["beds_free"] for r in history.json()["data"]] == [3, 2]  # newest first
    assert history.json()["count"] == 2


def test_a_retry_with_the_same_key_returns_the_first_answer_and_writes_nothing(reporting):
    world, client = reporting
    body = {"beds_free": 1, "as_of": now_iso()}
    first = put(client, world, body, key="feed-0001")
    again = put(client, world, body, key="feed-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    history = client.get(f"/v1/facilities/{OWN}/availability", headers=world.auth("admin")).json()
    assert history["count"] == 2
    audit = client.get("/v1/audit?record_type=facility", headers=world.auth("admin")).json()
    assert [e["action"] for e in audit["data"]] == ["availability.report"]


def test_a_retry_after_a_newer_report_still_replays(reporting):
    world, client = reporting
    body = {"beds_free": 1, "as_of": now_iso(timedelta(minutes=-10))}
    first = put(client, world, body, key="k-1")
    assert put(client, world, {"beds_free": 2, "as_of": now_iso()}, key="k-2").status_code == 201
    again = put(client, world, body, key="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()


def test_the_same_key_for_another_report_is_refused(reporting):
    world, client = reporting
    as_of = now_iso()
    assert put(client, world, {"beds_free": 1, "as_of": as_of}, key="k").status_code == 201
    answer = put(client, world, {"beds_free": 2, "as_of": as_of}, key="k")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_keys_are_scoped_to_the_user(reporting):
    world, client = reporting
    as_of = now_iso()
    assert put(client, world, {"beds_free": 1, "as_of": as_of}, key="k").status_code == 201
    other = put(client, world, {"beds_free": 1, "as_of": as_of}, key="k", user="reporter-amsterdam")
    assert other.status_code == 201
    assert "idempotent-replayed" not in other.headers


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        ({"beds_free": 5, "as_of": "NOW"}, ["body", "beds_free"], "from 0 to 4"),
        ({"beds_free": -1, "as_of": "NOW"}, ["body", "beds_free"], "greater than or equal"),
        ({"beds_free": True, "as_of": "NOW"}, ["body", "beds_free"], "JSON number"),
        ({"beds_free": "2", "as_of": "NOW"}, ["body", "beds_free"], "JSON number"),
        ({"beds_free": 1.5, "as_of": "NOW"}, ["body", "beds_free"], "integer"),
        ({"as_of": "NOW"}, ["body", "beds_free"], "required"),
        ({"beds_free": 1}, ["body", "as_of"], "required"),
        ({"beds_free": 1, "as_of": "2026-11-28T09:00:00"}, ["body", "as_of"], "timezone"),
        ({"beds_free": 1, "as_of": "yesterday"}, ["body", "as_of"], "datetime"),
        ({"beds_free": 1, "as_of": "FUTURE"}, ["body", "as_of"], "in the future"),
        ({"beds_free": 1, "as_of": "OLD"}, ["body", "as_of"], "older than the last report"),
        ({"beds_free": 1, "as_of": "NOW", "note": "x"}, ["body", "note"], "Extra inputs"),
    ],
)
def test_every_field_rule_is_a_422_naming_the_field(reporting, body, loc, words):
    world, client = reporting
    moments = {
        "NOW": now_iso(),
        "FUTURE": now_iso(timedelta(minutes=6)),
        "OLD": now_iso(timedelta(hours=-2)),
    }
    body = {k: moments.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    answer = put(client, world, body)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(e["loc"] == loc and words.lower() in e["msg"].lower() for e in errors), errors
    history = client.get(f"/v1/facilities/{OWN}/availability", headers=world.auth("admin"))
    assert history.json()["count"] == 1  # nothing written


def test_a_few_minutes_of_clock_skew_are_allowed(reporting):
    world, client = reporting
    assert (
        put(client, world, {"beds_free": 1, "as_of": now_iso(timedelta(minutes=4))}).status_code
        == 201
    )


def test_malformed_json_is_a_4xx(reporting):
    world, client = reporting
    headers = {**world.auth("reporter-hvo"), "Content-Type": "application/json"}
    answer = client.put(
        f"/v1/facilities/{OWN}/availability", content=b"{beds_free: 1", headers=headers
    )
    assert answer.status_code in (400, 422)


def test_unknown_facility_is_404(reporting):
    world, client = reporting
    answer = put(
        client, world, {"beds_free": 1, "as_of": now_iso()}, facility="nowhere", user="admin"
    )
    assert answer.status_code == 404
    assert "nowhere" in answer.json()["detail"]


def test_a_batch_is_taken_all_or_nothing(reporting):
    world, client = reporting
    as_of = now_iso()
    batch = {
        "reports": [
            {"facility_id": OWN, "beds_free": 1, "as_of": as_of},
            {"facility_id": OTHER, "beds_free": 9, "as_of": as_of},
        ]
    }
    answer = client.put("/v1/availability", json=batch, headers=world.auth("admin"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "reports", 1, "beds_free"]
    history = client.get(f"/v1/facilities/{OWN}/availability", headers=world.auth("admin"))
    assert history.json()["count"] == 1
    batch["reports"][1]["beds_free"] = 6
    first = client.put(
        "/v1/availability", json=batch, headers={**world.auth("admin"), "Idempotency-Key": "b1"}
    )
    assert first.status_code == 201
    assert [r["facility_id"] for r in first.json()["data"]] == [OWN, OTHER]
    again = client.put(
        "/v1/availability", json=batch, headers={**world.auth("admin"), "Idempotency-Key": "b1"}
    )
    assert again.json() == first.json()


def test_a_batch_with_a_facility_outside_the_scope_is_403_and_writes_nothing(reporting):
    world, client = reporting
    as_of = now_iso()
    batch = {
        "reports": [
            {"facility_id": OWN, "beds_free": 1, "as_of": as_of},
            {"facility_id": OTHER, "beds_free": 1, "as_of": as_of},
        ]
    }
    answer = client.put("/v1/availability", json=batch, headers=world.auth("reporter-hvo"))
    assert answer.status_code == 403
    history = client.get(f"/v1/facilities/{OWN}/availability", headers=world.auth("admin"))
    assert history.json()["count"] == 1


def test_a_facility_without_a_recent_report_is_stale(world, helpers):
    with helpers.client_for(world.url, stale_after_hours=0.5) as client:
        facilities = {
            f["id"]: f
            for f in client.get("/v1/facilities", headers=world.auth("admin")).json()["data"]
        }
    assert facilities[OWN]["stale"] is True  # reported an hour ago
    assert facilities[OTHER]["stale"] is True  # never reported
    assert facilities[OTHER]["beds_free"] is None
    assert facilities[OTHER]["updated"] is None


def test_facilities_filter_by_region_and_type(client, world):
    h = world.auth("policymaker")
    assert [
        f["id"] for f in client.get("/v1/facilities?region=leeuwarden", headers=h).json()["data"]
    ] == [OTHER]
    assert [
        f["id"]
        for f in client.get("/v1/facilities?placement_type=womens_shelter", headers=h).json()[
            "data"
        ]
    ] == [OWN]
    assert client.get("/v1/facilities?region=atlantis", headers=h).status_code == 422
    assert client.get("/v1/facilities?placement_type=castle", headers=h).status_code == 422


def test_a_report_waits_for_another_writer_instead_of_failing(world, helpers):
    """The inline writer never blocks the event loop: a held lock moves it to a thread."""
    if not world.url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    import sqlite3
    import threading
    import time

    holder = sqlite3.connect(
        world.url.removeprefix("sqlite:///"), isolation_level=None, check_same_thread=False
    )
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    with helpers.client_for(world.url) as client:
        holder.execute("BEGIN IMMEDIATE")
        release.start()
        started = time.monotonic()
        answer = put(client, world, {"beds_free": 1, "as_of": now_iso()})
        waited = time.monotonic() - started
    release.join()
    holder.close()
    assert answer.status_code == 201, answer.text
    assert waited >= 0.3


def test_a_body_that_is_not_even_utf8_is_a_422(reporting):
    world, client = reporting
    headers = {**world.auth("reporter-hvo"), "Content-Type": "application/json"}
    answer = client.put(f"/v1/facilities/{OWN}/availability", content=b"\x80\xff", headers=headers)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body"]


def test_a_key_reused_on_a_facility_outside_the_scope_is_403_not_422(reporting):
    """The scope is checked before the key: a reporter learns nothing from a key."""
    world, client = reporting
    as_of = now_iso()
    assert put(client, world, {"beds_free": 1, "as_of": as_of}, key="k").status_code == 201
    for body in ({"beds_free": 1, "as_of": as_of}, {"beds_free": 2, "as_of": as_of}):
        answer = put(client, world, body, key="k", facility=OTHER)
        assert answer.status_code == 403, answer.text
        assert OTHER in answer.json()["detail"]
    history = client.get(f"/v1/facilities/{OTHER}/availability", headers=world.auth("admin"))
    assert history.json()["count"] == 0


def put_batch(
    client: TestClient,
    world: Any,
    reports: list[dict[str, Any]],
    *,
    key: str | None = None,
    user: str = "admin",
) -> Any:
    headers = _headers(world, user, key)
    return client.put("/v1/availability", json={"reports": reports}, headers=headers)


def ledger_count(client: TestClient, world: Any, facility: str) -> int:
    history = client.get(f"/v1/facilities/{facility}/availability", headers=world.auth("admin"))
    count: int = history.json()["count"]
    return count


def test_a_retried_batch_replays_the_first_answer_and_writes_nothing(reporting):
    world, client = reporting
    as_of = now_iso(timedelta(minutes=-1))
    reports = [
        {"facility_id": OWN, "beds_free": 1, "as_of": as_of},
        {"facility_id": OTHER, "beds_free": 2, "as_of": as_of},
    ]
    first = put_batch(client, world, reports, key="batch-1")
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    put(client, world, {"beds_free": 3, "as_of": now_iso()}, user="admin")  # a newer report
    again = put_batch(client, world, reports, key="batch-1")
    assert again.status_code == 201, again.text
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert ledger_count(client, world, OWN) == 3  # the seed's, the batch's, the newer one
    assert ledger_count(client, world, OTHER) == 1


def test_a_batch_key_reused_with_another_report_added_is_a_422(reporting):
    world, client = reporting
    as_of = now_iso(timedelta(minutes=-1))
    reports = [
        {"facility_id": OWN, "beds_free": 1, "as_of": as_of},
        {"facility_id": OTHER, "beds_free": 2, "as_of": as_of},
    ]
    assert put_batch(client, world, reports, key="B").status_code == 201
    more = [*reports, {"facility_id": OWN, "beds_free": 0, "as_of": now_iso()}]
    answer = put_batch(client, world, more, key="B")
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert ledger_count(client, world, OWN) == 2  # the third report was not written
    fewer = put_batch(client, world, reports[:1], key="B")
    assert fewer.status_code == 422, fewer.text
    assert ledger_count(client, world, OWN) == 2


def test_a_single_report_and_a_batch_of_one_do_not_share_keys(reporting):
    """The same key on the two endpoints names two requests: neither replays the other."""
    world, client = reporting
    as_of = now_iso(timedelta(minutes=-1))
    body = {"beds_free": 1, "as_of": as_of}
    single = put(client, world, body, key="k-1", user="admin")
    assert single.status_code == 201, single.text
    batch = put_batch(client, world, [{"facility_id": OWN, **body}], key="k-1")
    assert batch.status_code == 201, batch.text
    assert "idempotent-replayed" not in batch.headers
    assert batch.json()["data"][0]["id"] != single.json()["id"]
    # and the other way round
    batch = put_batch(client, world, [{"facility_id": OWN, **body}], key="k-2")
    assert batch.status_code == 201, batch.text
    single = put(client, world, body, key="k-2", user="admin")
    assert single.status_code == 201, single.text
    assert "idempotent-replayed" not in single.headers
    assert single.json()["id"] != batch.json()["data"][0]["id"]
    assert ledger_count(client, world, OWN) == 5


def test_a_batch_key_reused_on_a_facility_outside_the_scope_is_403_not_422(reporting):
    world, client = reporting
    as_of = now_iso()
    own = [{"facility_id": OWN, "beds_free": 1, "as_of": as_of}]
    assert put_batch(client, world, own, key="B", user="reporter-hvo").status_code == 201
    other = [{"facility_id": OTHER, "beds_free": 1, "as_of": as_of}]
    answer = put_batch(client, world, other, key="B", user="reporter-hvo")
    assert answer.status_code == 403, answer.text
    assert OTHER in answer.json()["detail"]
    assert ledger_count(client, world, OTHER) == 0
