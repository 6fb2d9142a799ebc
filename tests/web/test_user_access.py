"""Users who leave are out (issue 10): revoke, disable and enable, on every route.

``opvang users revoke`` revoked tokens and ended sessions, but the password still signed
in again; nothing could disable a user. Now a revoked user has no token, no session and
no password; a disabled user keeps them but none of them works until enabled again.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import API_PREFIX, PUBLIC_PATHS
from api.cli import app as cli

PATH_PARAMS = re.compile(r"\{[^}]+\}")


def opvang(world: Any, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    result = CliRunner().invoke(cli, ["users", *args])
    assert result.exit_code == 0, result.output
    return result


def signs_in(client: TestClient, web: Any, name: str) -> bool:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"username": name, "password": web.PASSWORD, "csrf_token": web.csrf_of(page.text)},
    )
    return answer.status_code == 303


def _routes(app: FastAPI) -> list[tuple[str, set[str]]]:
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x: lazy routers

        found = [(rc.path, getattr(rc, "methods", None)) for rc in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI: a flat list
        found = [(getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    return [(path, set(methods)) for path, methods in found if path and methods]


def _example(path: str) -> str:
    return PATH_PARAMS.sub("1", path.replace("{facility_id}", "ws-amsterdam"))


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) of /v1, with placeholders filled in."""
    return [
        (method, _example(path))
        for path, methods in _routes(app)
        if path.startswith(API_PREFIX + "/")
        for method in sorted(methods - {"HEAD"})
    ]


def page_routes(app: FastAPI) -> list[str]:
    """Every dashboard page that answers GET (placeholders filled in)."""
    return sorted(
        {
            _example(path)
            for path, methods in _routes(app)
            if "GET" in methods
            and not path.startswith((API_PREFIX, "/static"))
            and path not in {*PUBLIC_PATHS, "/healthz"}
        }
    )


def test_a_revoked_user_can_neither_sign_in_nor_use_a_token(client, web, world, monkeypatch):
    assert signs_in(client, web, "coordinator")
    assert client.get("/waiting-list").status_code == 200
    result = opvang(world, monkeypatch, "revoke", "coordinator")
    assert "password cleared" in result.output
    assert client.get("/waiting-list").status_code == 303  # the session ended
    assert not signs_in(client, web, "coordinator")  # it signed in again before
    token = client.get("/v1/cases", headers=world.auth("coordinator"))
    assert token.status_code == 401


def test_a_new_token_after_a_revoke_opens_the_api_again(client, world, monkeypatch):
    opvang(world, monkeypatch, "revoke", "coordinator")
    issued = opvang(world, monkeypatch, "token", "coordinator").stdout.strip()
    answer = client.get("/v1/cases", headers={"Authorization": f"Bearer {issued}"})
    assert answer.status_code == 200


def test_a_disabled_user_is_out_everywhere_until_enabled(app, client, web, world, monkeypatch):
    assert signs_in(client, web, "coordinator")
    opvang(world, monkeypatch, "disable", "coordinator")
    headers = world.auth("coordinator")
    assert len(api_routes(app)) > 20  # the loops below check something
    assert len(page_routes(app)) > 8
    for method, path in api_routes(app):
        answer = client.request(method, path, headers=headers)
        assert answer.status_code == 401, (method, path, answer.status_code)
    for path in page_routes(app):
        answer = client.get(path)
        assert answer.status_code == 303, (path, answer.status_code)
        assert answer.headers["location"].startswith("/login")
    assert not signs_in(client, web, "coordinator")
    opvang(world, monkeypatch, "enable", "coordinator")
    assert client.get("/v1/cases", headers=headers).status_code == 200
    assert signs_in(client, web, "coordinator")


def test_a_cleared_password_no_longer_signs_in(client, web, world, monkeypatch):
    opvang(world, monkeypatch, "password", "coordinator", "--clear")
    assert not signs_in(client, web, "coordinator")
    assert client.get("/v1/cases", headers=world.auth("coordinator")).status_code == 200


def test_an_admin_disables_and_enables_a_user_through_the_api(client, web, world):
    admin = world.auth("admin")
    answer = client.patch("/v1/users/reporter-hvo", json={"active": False}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is False
    report = {"beds_free": 1, "as_of": "2026-01-01T00:00:00+00:00"}
    refused = client.put(
        "/v1/facilities/ws-amsterdam/availability", json=report, headers=world.auth("reporter-hvo")
    )
    assert refused.status_code == 401
    assert not signs_in(client, web, "reporter-hvo")
    again = client.patch("/v1/users/reporter-hvo", json={"active": True}, headers=admin)
    assert again.json()["active"] is True
    assert signs_in(client, web, "reporter-hvo")


def test_an_admin_revokes_a_user_and_issues_a_new_token_through_the_api(client, web, world):
    admin = world.auth("admin")
    revoked = client.post("/v1/users/policymaker/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["tokens_revoked"] == 1
    assert client.get("/v1/stats/waiting", headers=world.auth("policymaker")).status_code == 401
    assert not signs_in(client, web, "policymaker")
    issued = client.post("/v1/users/policymaker/tokens", headers=admin)
    assert issued.status_code == 201
    new = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert client.get("/v1/stats/waiting", headers=new).status_code == 200


def test_user_changes_are_for_admins_and_name_what_is_wrong(client, world):
    admin = world.auth("admin")
    coordinator = client.patch(
        "/v1/users/policymaker", json={"active": False}, headers=world.auth("coordinator")
    )
    assert coordinator.status_code == 403
    unknown = client.patch("/v1/users/nobody", json={"active": False}, headers=admin)
    assert unknown.status_code == 404
    herself = client.patch("/v1/users/admin", json={"active": False}, headers=admin)
    assert herself.status_code == 422
    assert herself.json()["detail"][0]["loc"] == ["path", "name"]
    bad = client.patch("/v1/users/policymaker", json={"active": "maybe"}, headers=admin)
    assert bad.status_code == 422


def test_every_change_of_access_is_audited(client, world, monkeypatch):
    opvang(world, monkeypatch, "disable", "coordinator")
    opvang(world, monkeypatch, "enable", "coordinator")
    opvang(world, monkeypatch, "revoke", "coordinator")
    opvang(world, monkeypatch, "token", "coordinator")
    log = client.get(
        "/v1/audit", params={"record_id": "coordinator"}, headers=world.auth("admin")
    ).json()
    actions = [e["action"] for e in log["data"]]
    for action in ("user.disable", "user.enable", "user.revoke", "user.token"):
        assert action in actions
