"""The audit log records every write and every read of a case record, and cannot be altered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from api.app import PUBLIC_PATHS
from store import ensure_database


@pytest.fixture
def app_client(world, helpers):
    with helpers.client_for(world.url) as client:
        yield client


def entries(client, world, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    answer = client.get(f"/v1/audit?limit=1000&{query}", headers=world.auth("admin"))
    assert answer.status_code == 200
    return answer.json()["data"]


def test_reads_of_case_records_are_logged_with_who_and_which(app_client, world):
    h = world.auth("coordinator")
    app_client.get("/v1/cases/C-2026-0003", headers=h)
    app_client.get("/v1/cases?status=waiting", headers=h)
    app_client.get(f"/v1/matching-runs/{world.run_id}", headers=h)
    app_client.get(f"/v1/proposals/{world.proposal_ids[0]}", headers=h)
    log = entries(app_client, world, actor="coordinator")
    seen = {(e["action"], e["record_id"]) for e in log}
    assert ("case.read", "C-2026-0003") in seen
    assert ("case.list", "C-2026-0003") in seen
    assert ("case.list", "C-2026-0004") in seen
    assert ("matching_run.read", "C-2026-0001") in seen
    assert ("proposal.read", "C-2026-0001") in seen
    assert all(e["record_type"] == "case" for e in log)
    assert all(e["at"] for e in log)
    who_saw = entries(app_client, world, record_type="case", record_id="C-2026-0003")
    assert {e["actor"] for e in who_saw} == {"coordinator"}


def test_writes_are_logged(app_client, world):
    h = world.auth("coordinator")
    case = app_client.post(
        "/v1/cases",
        headers=h,
        json={
            "age": 30,
            "gender": "female",
            "residence_status": "eu",
            "exploitation_type": "sexual",
            "region_signalled": "amsterdam",
            "region_of_exploitation": "utrecht",
            "responsible_organisation": "CoMensha",
        },
    ).json()
    app_client.post(f"/v1/proposals/{world.proposal_ids[0]}/accept", headers=h)
    app_client.post(
        f"/v1/proposals/{world.proposal_ids[1]}/decline", headers=h, json={"reason": "unsafe"}
    )
    app_client.post("/v1/cases/C-2026-0003/withdraw", headers=h)
    app_client.post("/v1/placements/PL-0001/discharge", headers=h)
    app_client.put(
        "/v1/facilities/ws-amsterdam/availability",
        headers=world.auth("reporter-hvo"),
        json={"beds_free": 1, "as_of": datetime.now(UTC).isoformat()},
    )
    actions = [(e["actor"], e["action"], e["record_id"]) for e in entries(app_client, world)]
    for expected in [
        ("coordinator", "case.create", case["id"]),
        ("coordinator", "proposal.accept", str(world.proposal_ids[0])),
        ("coordinator", "placement.create", f"PL-P{world.proposal_ids[0]}"),
        ("coordinator", "proposal.decline", str(world.proposal_ids[1])),
        ("coordinator", "case.withdraw", "C-2026-0003"),
        ("coordinator", "placement.discharge", "PL-0001"),
        ("reporter-hvo", "availability.report", "ws-amsterdam"),
    ]:
        assert expected in actions, expected


def test_a_refused_write_leaves_no_trace(app_client, world):
    before = len(entries(app_client, world))
    bad = app_client.put(
        "/v1/facilities/ws-amsterdam/availability",
        headers=world.auth("reporter-hvo"),
        json={"beds_free": 99, "as_of": datetime.now(UTC).isoformat()},
    )
    assert bad.status_code == 422
    after = entries(app_client, world)
    assert len(after) == before + 1  # only the admin's read of the log itself
    assert after[-1]["action"] == "audit.read"


def test_no_route_changes_or_deletes_audit_rows(app_client, world):
    h = world.auth("admin")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert app_client.request(method, "/v1/audit", headers=h).status_code == 405
        assert app_client.request(method, "/v1/audit/1", headers=h).status_code in (404, 405)
    writers = [
        (route.path, sorted(route.methods))
        for route in app_client.app.routes
        if "audit" in getattr(route, "path", "")
        and set(getattr(route, "methods", ())) - {"GET", "HEAD"}
    ]
    assert writers == []


def test_the_database_refuses_to_alter_audit_rows(app_client, world):
    app_client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator"))
    engine = ensure_database(world.url)
    try:
        for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
                conn.execute(text(statement))
    finally:
        engine.dispose()
    assert entries(app_client, world, actor="coordinator")


def test_only_the_public_routes_answer_without_a_token(app_client):
    for route in app_client.app.routes:
        path = getattr(route, "path", "")
        if path in PUBLIC_PATHS:
            continue
        for method in sorted(set(getattr(route, "methods", ())) - {"HEAD"}):
            url = path.replace("{", "").replace("}", "")
            answer = app_client.request(method, url)
            assert answer.status_code == 401, (method, path, answer.status_code)
    for path in PUBLIC_PATHS:
        # a prefix ("/static/": the dashboard's assets) is checked in tests/web/test_security.py
        if path != "/docs/oauth2-redirect" and not path.endswith("/"):
            assert app_client.get(path).status_code == 200, path
