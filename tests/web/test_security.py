"""Sign-in, sessions and CSRF: what keeps the dashboard (and the API beside it) closed."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import PUBLIC_PATHS
from api.auth import passwords
from api.web import sessions

PATH_PARAMS = re.compile(r"\{[^}]+\}")


def page_routes(app: FastAPI, method: str) -> list[str]:
    """Every dashboard path (outside /v1 and the static files) that answers ``method``."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.16x: lazy routers

        routes = [(rc.path, getattr(rc, "methods", None)) for rc in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI: a flat list
        routes = [(getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    return sorted(
        {
            path
            for path, methods in routes
            if path and methods and method in methods and not path.startswith(("/v1", "/static"))
        }
        - {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/healthz"}
    )


def concrete(path: str) -> str:
    return PATH_PARAMS.sub("1", path)


def test_every_form_route_of_the_dashboard_is_known_here(quick_app):
    """If a form route is added, the CSRF tests below cover it (this list catches omissions)."""
    assert page_routes(quick_app, "POST") == [
        "/admin/users",
        "/admin/users/{name}/active",
        "/admin/users/{name}/password",
        "/availability",
        "/cases/new",
        "/cases/{case_id}/keep-apart",
        "/cases/{case_id}/keep-apart/{other_case_id}/lift",
        "/cases/{case_id}/withdraw",
        "/import",
        "/login",
        "/logout",
        "/matching",
        "/placements/{placement_id}/discharge",
        "/plans",
        "/proposals/{proposal_id}/accept",
        "/proposals/{proposal_id}/decline",
        "/scenarios",
        "/scenarios/changes",
    ]


@pytest.mark.parametrize("who", ["admin", "coordinator"])
def test_a_post_without_the_csrf_token_is_refused_on_every_form(quick_client, quick_app, web, who):
    web.sign_in(quick_client, who)
    for path in page_routes(quick_app, "POST"):
        if path == "/login":
            continue  # signing in has its own token; see the next tests
        answer = quick_client.post(concrete(path), data={"reason": "other"})
        assert answer.status_code == 403, path
        assert "security token" in answer.text, path


def test_a_post_with_a_wrong_csrf_token_is_refused_on_every_form(quick_client, quick_app, web):
    token = web.sign_in(quick_client, "admin")
    for path in page_routes(quick_app, "POST"):
        if path == "/login":
            continue
        wrong = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        answer = quick_client.post(concrete(path), data={"csrf_token": wrong})
        assert answer.status_code == 403, path
        answer = quick_client.post(concrete(path), data={"csrf_token": ""})
        assert answer.status_code == 403, path


def test_the_right_token_passes_the_check(client, web, world):
    """The same posts with the session's token get past the check (so the 403s mean CSRF)."""
    token = web.sign_in(client, "coordinator")
    answer = client.post(f"/proposals/{world.proposal_ids[0]}/accept", data={"csrf_token": token})
    assert answer.status_code == 303


def test_another_sessions_token_is_refused(quick_app, quick_world, web):
    with (
        TestClient(quick_app, follow_redirects=False) as one,
        TestClient(quick_app, follow_redirects=False) as two,
    ):
        web.sign_in(one, "coordinator")
        theirs = web.sign_in(two, "coordinator")
        answer = one.post(
            f"/proposals/{quick_world.proposal_ids[0]}/accept", data={"csrf_token": theirs}
        )
        assert answer.status_code == 403


def test_the_login_form_needs_its_token_too(quick_client, web):
    page = quick_client.get("/login")
    form = {"username": "coordinator", "password": web.PASSWORD}
    assert quick_client.post("/login", data=form).status_code == 403
    assert quick_client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 403
    quick_client.cookies.clear()  # a token from the page but no cookie: a cross-site post
    answer = quick_client.post("/login", data={**form, "csrf_token": web.csrf_of(page.text)})
    assert answer.status_code == 403


def _cookie_headers(answer, name: str) -> str:
    found = [h for h in answer.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, answer.headers.get_list("set-cookie")
    return found[0].lower()


def test_the_session_cookie_is_httponly_samesite_and_not_secure_over_http(quick_client, web):
    page = quick_client.get("/login")
    login_cookie = _cookie_headers(page, sessions.LOGIN_CSRF_COOKIE)
    assert "httponly" in login_cookie
    assert "samesite=strict" in login_cookie
    answer = quick_client.post(
        "/login",
        data={
            "username": "coordinator",
            "password": web.PASSWORD,
            "csrf_token": web.csrf_of(page.text),
        },
    )
    cookie = _cookie_headers(answer, sessions.SESSION_COOKIE)
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "path=/" in cookie
    assert "max-age=28800" in cookie  # 8 hours
    assert "secure" not in cookie


def test_over_https_the_session_cookie_is_secure(quick_app, web):
    with TestClient(quick_app, base_url="https://testserver", follow_redirects=False) as client:
        page = client.get("/login")
        assert "secure" in _cookie_headers(page, sessions.LOGIN_CSRF_COOKIE)
        answer = client.post(
            "/login",
            data={
                "username": "admin",
                "password": web.PASSWORD,
                "csrf_token": web.csrf_of(page.text),
            },
        )
        assert "secure" in _cookie_headers(answer, sessions.SESSION_COOKIE)


def test_the_secure_flag_can_be_forced_by_the_setting(quick_app, quick_client, web):
    quick_app.state.web_settings = quick_app.state.web_settings.model_copy(
        update={"cookie_secure": "always"}
    )
    assert "secure" in _cookie_headers(quick_client.get("/login"), sessions.LOGIN_CSRF_COOKIE)


def test_the_session_cookie_holds_a_token_the_database_keeps_only_hashed(client, web, world):
    from sqlalchemy import text

    from store import make_engine

    web.sign_in(client, "coordinator")
    token = client.cookies.get(sessions.SESSION_COOKIE)
    assert token is not None
    assert len(token) >= 43  # 256 bits
    engine = make_engine(world.url)
    try:
        with engine.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text("SELECT * FROM web_sessions"))]
    finally:
        engine.dispose()
    assert len(rows) == 1
    assert token not in repr(rows)


def _login(client, name: str, password: str):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client):
    wrong = _login(client, "coordinator", "not the password at all")
    unknown = _login(client, "nobody-here", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Unknown user name or wrong password." in wrong.text
    strip = re.compile(r'value="[^"]*"')  # the user name typed is shown again
    assert strip.sub("", wrong.text).replace("coordinator", "X") == strip.sub(
        "", unknown.text
    ).replace("nobody-here", "X")
    assert sessions.SESSION_COOKIE not in client.cookies


def test_an_unknown_user_costs_a_password_check_too(quick_client, monkeypatch):
    """The constant-time path: a dummy hash is checked when nobody has the name.

    Also the first time in a process: the dummy costs no derivation of its own, so the
    first unknown name is not slower than the rest (and this test passes run alone).
    """
    passwords._dummy.cache_clear()
    checked = []
    real = passwords._derive

    def counting(*args, **kwargs):
        checked.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(passwords, "_derive", counting)
    _login(quick_client, "nobody-here", "a guess of some length")
    _login(quick_client, "coordinator", "a guess of some length")
    assert checked == ["a guess of some length", "a guess of some length"]


def test_a_user_without_a_password_cannot_sign_in(client, world):
    from store import ensure_database, session_scope
    from store.service import UserRepository

    engine = ensure_database(world.url)
    try:
        with session_scope(engine) as session:
            users = UserRepository(session)
            users.set_password(user_id=users.user("policymaker").id, password_hash=None)
    finally:
        engine.dispose()
    assert _login(client, "policymaker", "").status_code == 401
    assert _login(client, "policymaker", "anything at all!").status_code == 401


def test_after_signing_in_the_browser_goes_back_to_the_page_it_asked_for(quick_client, web):
    first = quick_client.get("/cases/C-2026-0001?x=1")
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=%2Fcases%2FC-2026-0001%3Fx%3D1"
    page = quick_client.get(first.headers["location"])
    assert 'name="next" value="/cases/C-2026-0001?x=1"' in page.text
    answer = quick_client.post(
        "/login",
        data={
            "username": "coordinator",
            "password": web.PASSWORD,
            "next": "/cases/C-2026-0001?x=1",
            "csrf_token": web.csrf_of(page.text),
        },
    )
    assert answer.headers["location"] == "/cases/C-2026-0001?x=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_signing_in_never_redirects_off_the_site(quick_client, web, target):
    page = quick_client.get("/login")
    answer = quick_client.post(
        "/login",
        data={
            "username": "coordinator",
            "password": web.PASSWORD,
            "next": target,
            "csrf_token": web.csrf_of(page.text),
        },
    )
    assert answer.headers["location"] == "/"


def test_signing_out_ends_the_session_on_the_server(client, web):
    token = web.sign_in(client, "coordinator")
    cookie = client.cookies.get(sessions.SESSION_COOKIE)
    answer = client.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    client.cookies.set(sessions.SESSION_COOKIE, cookie)  # replaying the old cookie
    assert client.get("/waiting-list").status_code == 303


def test_an_expired_session_sends_the_browser_to_the_sign_in_page(client, web, world):
    from sqlalchemy import text

    from store import make_engine

    web.sign_in(client, "coordinator")
    assert client.get("/waiting-list").status_code == 200
    engine = make_engine(world.url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE web_sessions SET expires_at = created_at"))
    finally:
        engine.dispose()
    answer = client.get("/waiting-list")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")


def test_a_session_cookie_never_opens_the_api(quick_client, web, quick_world):
    web.sign_in(quick_client, "admin")
    for path in ("/v1/regions", "/v1/cases", "/v1/stats/waiting"):
        answer = quick_client.get(path)
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"] == "Bearer"
    token = web.csrf_of(quick_client.get("/waiting-list").text)
    answer = quick_client.post(
        f"/v1/proposals/{quick_world.proposal_ids[0]}/accept", data={"csrf_token": token}
    )
    assert answer.status_code == 401


def test_a_bearer_token_never_opens_a_page_but_still_opens_the_api(quick_client, quick_world):
    answer = quick_client.get("/waiting-list", headers=quick_world.auth("coordinator"))
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login")
    assert quick_client.get("/v1/cases", headers=quick_world.auth("coordinator")).status_code == 200


def test_pages_without_a_session_go_to_the_sign_in_page(quick_client, quick_app):
    for path in page_routes(quick_app, "GET"):
        if path == "/login":
            continue
        answer = quick_client.get(concrete(path))
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login"), path
    for path in page_routes(quick_app, "POST"):
        if path != "/login":
            assert quick_client.post(concrete(path)).headers["location"] == "/login", path


def test_only_the_sign_in_page_and_assets_are_public(quick_client):
    assert [p for p in PUBLIC_PATHS if not p.startswith(("/docs", "/redoc", "/openapi"))] == [
        "/healthz",
        "/login",
        "/static/",
    ]
    assert quick_client.get("/static/opvang.css").status_code == 200
    assert quick_client.get("/static/../api/app.py").status_code in (303, 404)
    assert quick_client.get("/static-not/x").status_code == 303  # a prefix, not a loose match


def test_pages_send_security_headers(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    answer = quick_client.get("/waiting-list")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"


def test_revoking_a_user_ends_their_sessions(client, web, world, monkeypatch):
    from typer.testing import CliRunner

    from api.cli import app as cli

    web.sign_in(client, "coordinator")
    assert client.get("/waiting-list").status_code == 200
    monkeypatch.setenv("OPVANG_DATABASE_URL", world.url)
    result = CliRunner().invoke(cli, ["users", "revoke", "coordinator"])
    assert result.exit_code == 0, result.output
    assert "ended 1 dashboard session" in result.output
    assert client.get("/waiting-list").status_code == 303
