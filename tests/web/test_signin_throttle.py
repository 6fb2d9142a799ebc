"""Sign-in throttling and the audit of failures and refusals (issue 10).

Sixty wrong passwords in 5.4 s were answered without a pause, failed sign-ins and refused
case reads left no trace, and every attempt cost a full scrypt check.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import passwords
from api.auth.throttle import ChecksBusyError, SignInThrottle
from api.settings import ApiSettings
from store import Repository, ensure_database, session_scope


@pytest.fixture
def limited(quick_world, monkeypatch) -> Iterator[TestClient]:
    """A dashboard allowing 3 failures a minute per name and 6 per client address."""
    monkeypatch.setenv("OPVANG_WEB_SIGNIN_LIMIT_PER_NAME", "3/minute")
    monkeypatch.setenv("OPVANG_WEB_SIGNIN_LIMIT_PER_ADDRESS", "6/minute")
    with TestClient(
        create_app(ApiSettings(database_url=quick_world.url)), follow_redirects=False
    ) as client:
        yield client


def attempt(client: TestClient, web: Any, name: str, password: str) -> Any:
    page = client.get("/login")
    form = {"username": name, "password": password, "csrf_token": web.csrf_of(page.text)}
    return client.post("/login", data=form)


def audit(url: str, action: str) -> list[Any]:
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            return [e for e in Repository(session).audit_entries() if e.action == action]
    finally:
        engine.dispose()


def test_after_the_limit_a_name_gets_429_with_retry_after_and_no_password_check(
    limited, web, monkeypatch
):
    for _ in range(3):
        assert attempt(limited, web, "coordinator", "wrong password!").status_code == 401
    checks = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda *a: checks.append(1) or real(*a))
    refused = attempt(limited, web, "coordinator", web.PASSWORD)  # even the right one
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many failed sign-ins" in refused.text
    assert checks == []


def test_a_successful_sign_in_clears_the_names_failures(limited, web):
    for _ in range(2):
        assert attempt(limited, web, "coordinator", "wrong password!").status_code == 401
    assert attempt(limited, web, "coordinator", web.PASSWORD).status_code == 303
    limited.cookies.clear()
    for _ in range(3):
        assert attempt(limited, web, "coordinator", "wrong password!").status_code == 401


def test_many_names_from_one_address_are_limited_too(limited, web):
    names = ["coordinator", "policymaker", "admin", "reporter-hvo", "reporter-fier", "nobody"]
    for name in names:
        assert attempt(limited, web, name, "wrong password!").status_code == 401
    assert attempt(limited, web, "someone-else", "wrong password!").status_code == 429


def test_failed_and_throttled_sign_ins_are_audited(limited, web, quick_world):
    for _ in range(4):
        attempt(limited, web, "coordinator", "wrong password!")
    attempt(limited, web, "<script>", "wrong password!")
    entries = audit(quick_world.url, "session.sign_in_failed")
    reasons = [(e.record_id, e.detail) for e in entries]
    assert sum('"reason": "wrong"' in d for _, d in reasons) == 4  # 3 + the odd name
    assert sum('"reason": "throttled"' in d for _, d in reasons) == 1
    assert {r for r, _ in reasons} == {"coordinator", "(not a user name)"}
    assert all(e.actor == "anonymous" and '"client": "testclient"' in e.detail for e in entries)


def test_a_refused_case_read_is_audited_on_the_api_and_on_a_page(quick_client, web, quick_world):
    answer = quick_client.get("/v1/cases/C-2026-0001", headers=quick_world.auth("policymaker"))
    assert answer.status_code == 403
    web.sign_in(quick_client, "policymaker")
    assert quick_client.get("/cases/C-2026-0002").status_code == 403
    refused = audit(quick_world.url, "access.refused")
    assert [(e.actor, e.record_type, e.record_id) for e in refused] == [
        ("policymaker", "case", "C-2026-0001"),
        ("policymaker", "case", "C-2026-0002"),
    ]


def test_a_refused_route_other_than_a_case_is_audited_by_its_path(quick_client, quick_world):
    answer = quick_client.get("/v1/users", headers=quick_world.auth("coordinator"))
    assert answer.status_code == 403
    refused = audit(quick_world.url, "access.refused")
    assert [(e.record_type, e.record_id) for e in refused] == [("route", "/v1/users")]


def test_password_checks_run_at_most_n_at_once_and_the_queue_is_bounded():
    throttle = SignInThrottle(
        per_name="100/minute", per_address="100/minute", checks_at_once=2, checks_waiting=4
    )
    running, most, lock = [0], [0], threading.Lock()

    def slow_check() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.1)
        with lock:
            running[0] -= 1

    outcomes: list[str] = []

    async def one() -> None:
        try:
            await throttle.check(slow_check)
            outcomes.append("checked")
        except ChecksBusyError:
            outcomes.append("busy")

    async def many() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(7):
                group.start_soon(one)

    # a thread of its own: the browser tests leave an event loop running in this one
    runner = threading.Thread(target=anyio.run, args=(many,))
    runner.start()
    runner.join(timeout=30)
    assert most[0] == 2
    assert outcomes.count("checked") == 4
    assert outcomes.count("busy") == 3
