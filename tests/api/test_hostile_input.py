"""Hostile and odd input (issue 10): every one a 4xx naming the field, never a 500, and
nothing of it echoed in answers or logs.

Found by a red-team pass: NaN, Infinity and 1e400 in numbers, a lone surrogate in text,
a year-1 intake date, a facility twice in one batch, 100 MB bodies, a report route that
ignored Content-Type, control and invisible characters stored on SQLite only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.transport import NoQueryStrings

OWN, OTHER = "ws-amsterdam", "cosm-leeuwarden"
CASE = {
    "age": 25,
    "gender": "female",
    "residence_status": "nl",
    "exploitation_type": "sexual",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


@pytest.fixture
def api(world, helpers) -> Any:
    with helpers.client_for(world.url) as client:
        yield world, client


def raw(client: TestClient, method: str, path: str, text: str, headers: dict[str, str]) -> Any:
    """Send ``text`` as the JSON body as it is (NaN, Infinity and lone surrogates are not
    JSON a client library would write)."""
    return client.request(
        method,
        path,
        content=text.encode("utf-8", "surrogatepass"),
        headers={**headers, "Content-Type": "application/json"},
    )


def assert_422_naming(answer: Any, *loc: object) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    body = json.loads(answer.content.decode("utf-8"))  # valid UTF-8 JSON, whatever was sent
    assert list(loc) in [e["loc"] for e in body["detail"]], body
    assert all(set(e) == {"loc", "msg", "type"} for e in body["detail"])  # no input echoed
    return body


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_bed_count_is_a_422(api, number):
    world, client = api
    now = datetime.now(UTC).isoformat()
    body = f'{{"beds_free": {number}, "as_of": "{now}"}}'
    answer = raw(
        client, "PUT", f"/v1/facilities/{OWN}/availability", body, world.auth("reporter-hvo")
    )
    assert_422_naming(answer, "body", "beds_free")


@pytest.mark.parametrize("number", ["NaN", "1e400"])
def test_a_non_finite_age_is_a_422(api, number):
    world, client = api
    body = json.dumps(CASE)[:-1] + f', "age": {number}}}'
    answer = raw(client, "POST", "/v1/cases", body, world.auth("coordinator"))
    assert_422_naming(answer, "body", "age")


@pytest.mark.parametrize("number", ["NaN", "Infinity"])
def test_a_non_finite_time_limit_is_a_422(api, number):
    world, client = api
    answer = raw(
        client,
        "POST",
        "/v1/matching-runs",
        f'{{"time_limit": {number}}}',
        world.auth("coordinator"),
    )
    assert_422_naming(answer, "body", "time_limit")


def test_a_lone_surrogate_is_a_422_naming_the_field_everywhere(api):
    world, client = api
    case = json.dumps({**CASE, "responsible_organisation": "X"}).replace('"X"', '"\\ud800"')
    answer = raw(client, "POST", "/v1/cases", case, world.auth("coordinator"))
    assert_422_naming(answer, "body", "responsible_organisation")
    proposal = world.proposal_ids[0]
    decline = '{"reason": "other", "text": "a\\ud800b"}'
    answer = raw(
        client, "POST", f"/v1/proposals/{proposal}/decline", decline, world.auth("coordinator")
    )
    assert_422_naming(answer, "body", "text")
    user = '{"name": "x\\ud800", "role": "admin"}'
    answer = raw(client, "POST", "/v1/users", user, world.auth("admin"))
    assert_422_naming(answer, "body", "name")


def test_an_unknown_key_with_a_lone_surrogate_is_a_422_that_is_valid_json(api):
    world, client = api
    case = json.dumps(CASE)[:-1] + ', "\\udc00x": 1}'
    answer = raw(client, "POST", "/v1/cases", case, world.auth("coordinator"))
    assert answer.status_code == 422
    detail = json.loads(answer.content)["detail"]  # valid JSON, whatever the key held
    assert detail[0]["loc"][0] == "body"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Co\x00Mensha", "U+0000"),
        ("CoMensha\u202e", "U+202E"),
        ("Co\u200bMensha", "U+200B"),
        ("Co\nMensha", "U+000A"),
    ],
)
def test_control_and_invisible_characters_are_refused_on_every_database(api, text, words):
    world, client = api
    answer = client.post(
        "/v1/cases",
        json={**CASE, "responsible_organisation": text},
        headers=world.auth("coordinator"),
    )
    body = assert_422_naming(answer, "body", "responsible_organisation")
    assert words in body["detail"][0]["msg"]


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_an_intake_date_before_2000_is_refused(api, day):
    world, client = api
    answer = client.post(
        "/v1/cases", json={**CASE, "intake_date": day}, headers=world.auth("coordinator")
    )
    assert_422_naming(answer, "body", "intake_date")


def test_an_intake_date_in_2000_is_taken(api):
    world, client = api
    answer = client.post(
        "/v1/cases", json={**CASE, "intake_date": "2000-01-01"}, headers=world.auth("coordinator")
    )
    assert answer.status_code == 201, answer.text


def test_a_batch_naming_a_facility_twice_is_a_422_naming_both_entries(api):
    world, client = api
    now = datetime.now(UTC).isoformat()
    reports = [
        {"facility_id": OWN, "beds_free": 1, "as_of": now},
        {"facility_id": OTHER, "beds_free": 2, "as_of": now},
        {"facility_id": OWN, "beds_free": 2, "as_of": now},
    ]
    admin = world.auth("admin")
    before = client.get(f"/v1/facilities/{OWN}/availability", headers=admin).json()["count"]
    answer = client.put(
        "/v1/availability", json={"reports": reports}, headers=world.auth("reporter-hvo")
    )
    if answer.status_code == 403:  # reporter-hvo does not own OTHER: use the admin's batch
        answer = client.put("/v1/availability", json={"reports": reports}, headers=admin)
    body = assert_422_naming(answer, "body", "reports", 2, "facility_id")
    assert "reports[0]" in body["detail"][0]["msg"]
    after = client.get(f"/v1/facilities/{OWN}/availability", headers=admin).json()["count"]
    assert after == before


def test_a_body_over_the_limit_is_a_413_before_it_is_read(world, helpers):
    with helpers.client_for(world.url, max_body_bytes=4096) as client:
        big = {**CASE, "preferred_regions": ["amsterdam"] * 2000}
        answer = client.post("/v1/cases", json=big, headers=world.auth("coordinator"))
        assert answer.status_code == 413
        assert "4096 bytes" in answer.json()["detail"]


def test_a_streamed_body_over_the_limit_is_a_413(world, helpers):
    def chunks():
        for _ in range(10):
            yield b" " * 1024

    with helpers.client_for(world.url, max_body_bytes=4096) as client:
        answer = client.post(
            "/v1/cases",
            content=chunks(),
            headers={**world.auth("coordinator"), "Content-Type": "application/json"},
        )
        assert answer.status_code == 413


@pytest.mark.parametrize(
    ("method", "path"), [("PUT", f"/v1/facilities/{OWN}/availability"), ("POST", "/v1/cases")]
)
def test_a_json_route_refuses_another_content_type(api, method, path):
    world, client = api
    now = datetime.now(UTC).isoformat()
    answer = client.request(
        method,
        path,
        content=json.dumps({"beds_free": 1, "as_of": now}),
        headers={**world.auth("admin"), "Content-Type": "text/plain"},
    )
    assert answer.status_code == 415
    assert "application/json" in answer.json()["detail"]


def test_json_with_a_charset_is_fine(api):
    world, client = api
    now = datetime.now(UTC).isoformat()
    answer = client.put(
        f"/v1/facilities/{OWN}/availability",
        content=json.dumps({"beds_free": 1, "as_of": now}),
        headers={**world.auth("reporter-hvo"), "Content-Type": "application/json; charset=utf-8"},
    )
    assert answer.status_code == 201, answer.text


def test_api_answers_are_not_cached_or_sniffed(api):
    world, client = api
    for answer in (
        client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator")),
        client.get("/v1/cases/C-2099-0001", headers=world.auth("coordinator")),
        client.get("/v1/cases"),
    ):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_an_unexpected_error_is_a_500_that_logs_no_request_value(api, monkeypatch, caplog):
    world, client = api
    from api.cases import service

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("secret-organisation-Fier-0612345678")

    monkeypatch.setattr(service, "create", broken)
    with caplog.at_level(logging.ERROR):
        answer = client.post("/v1/cases", json=CASE, headers=world.auth("coordinator"))
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal error; it has been logged"}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "ValueError" in logged
    assert "secret-organisation" not in logged


def test_the_access_log_keeps_no_query_string():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/v1/cases?access_token=s3cr3t&region=x", "1.1", 200),
        None,
    )
    NoQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /v1/cases HTTP/1.1" 200'


def test_the_api_documents_load_nothing_from_another_site(api):
    _, client = api
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        assert "cdn." not in page.text
        assert "https://" not in page.text.replace("https://fastapi.tiangolo.com", "")
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 200


def _age_answers(url: str, hours: float) -> None:
    from sqlalchemy import text

    from store import ensure_database, session_scope

    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            moment = datetime.now(UTC) - timedelta(hours=hours)
            session.execute(text("UPDATE idempotent_requests SET created_at = :t"), {"t": moment})
    finally:
        engine.dispose()


def _answers(url: str) -> int:
    from sqlalchemy import text

    from store import ensure_database, session_scope

    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            return int(session.execute(text("SELECT count(*) FROM idempotent_requests")).scalar())
    finally:
        engine.dispose()


def test_idempotency_answers_are_forgotten_after_the_retention(api):
    # issue 10: the first answer to every keyed write (case records among them) was kept
    # for ever
    world, client = api
    headers = {**world.auth("coordinator"), "Idempotency-Key": "intake-1"}
    first = client.post("/v1/cases", json=CASE, headers=headers)
    again = client.post("/v1/cases", json=CASE, headers=headers)
    assert again.json()["id"] == first.json()["id"]  # within the day: replayed
    _age_answers(world.url, hours=25)
    later = client.post("/v1/cases", json=CASE, headers=headers)
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]  # the key is new again
    assert "idempotent-replayed" not in later.headers
    _age_answers(world.url, hours=25)
    other = {**world.auth("coordinator"), "Idempotency-Key": "intake-2"}
    client.post("/v1/cases", json=CASE, headers=other)
    assert _answers(world.url) == 1  # storing an answer deleted the expired one
