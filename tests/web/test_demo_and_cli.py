"""``opvang serve --demo`` gives every role a user and a password; ``users ... --password``."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.cli import serve as serve_module
from api.settings import ApiSettings
from capacity.demo import DEMO_AS_OF, build_demo_dataset
from store import Repository, ensure_database, session_scope
from store.service import UserRepository


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'opvang.db'}"
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    return url


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """``uvicorn.run`` replaced: the command does everything up to serving."""
    calls: list[dict] = []
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda *a, **kw: calls.append(kw))
    return calls


def _users(url: str) -> list[str]:
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            return [u.name for u in UserRepository(session).users()]
    finally:
        engine.dispose()


def _sign_in(url: str, name: str, password: str) -> int:
    with TestClient(create_app(ApiSettings(database_url=url)), follow_redirects=False) as client:
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = {"username": name, "password": password, "csrf_token": token}
        return client.post("/login", data=form).status_code


def test_serve_without_demo_creates_no_user(db_env, no_server):
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert no_server
    assert _users(db_env) == []
    assert "Sign in at" not in result.output  # no demo login table, no password


def test_serve_leaves_no_scheduler_switched_on_in_its_process(db_env, no_server, monkeypatch):
    # serve switched OPVANG_SCHEDULER on for its workers and left it on: every app made
    # later in the same process (the rest of a test run) ran the daily round by itself
    monkeypatch.delenv("OPVANG_SCHEDULER", raising=False)
    assert CliRunner().invoke(cli, ["serve"]).exit_code == 0
    assert "OPVANG_SCHEDULER" not in os.environ
    assert ApiSettings(database_url=db_env).scheduler is False


@pytest.mark.slow
def test_serve_demo_prints_a_password_for_each_role_that_signs_in(db_env, no_server):
    result = CliRunner().invoke(cli, ["serve", "--demo"])
    assert result.exit_code == 0, result.output
    logins = dict(re.findall(r"(demo-[a-z]+)\s.*?\s([A-Za-z0-9_-]{16})\s", result.output))
    assert sorted(logins) == ["demo-admin", "demo-coordinator", "demo-policymaker", "demo-reporter"]
    assert "http://127.0.0.1:8000/" in result.output
    assert _sign_in(db_env, "demo-coordinator", logins["demo-coordinator"]) == 303
    again = CliRunner().invoke(cli, ["serve", "--demo"])
    new = dict(re.findall(r"(demo-[a-z]+)\s.*?\s([A-Za-z0-9_-]{16})\s", again.output))
    assert new["demo-coordinator"] != logins["demo-coordinator"]
    assert _sign_in(db_env, "demo-coordinator", logins["demo-coordinator"]) == 401
    assert _sign_in(db_env, "demo-coordinator", new["demo-coordinator"]) == 303
    assert sorted(_users(db_env)) == sorted(logins)


def test_users_add_with_a_password_read_from_standard_input(db_env):
    result = CliRunner().invoke(
        cli,
        ["users", "add", "desk-2", "--role", "intake_coordinator", "--password"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1].startswith("opv_")  # the token still
    assert _sign_in(db_env, "desk-2", "a long enough password") == 303
    assert _sign_in(db_env, "desk-2", "another password!!") == 401


def test_users_add_refuses_a_short_password_and_creates_nobody(db_env):
    result = CliRunner().invoke(
        cli, ["users", "add", "desk-3", "--role", "policymaker", "--password"], input="short\n"
    )
    assert result.exit_code == 2
    assert "password: must be at least 12 characters" in result.output
    assert _users(db_env) == []


def test_users_password_sets_a_new_password(db_env):
    assert CliRunner().invoke(cli, ["users", "add", "pm", "--role", "policymaker"]).exit_code == 0
    assert _sign_in(db_env, "pm", "whatever it is now") == 401  # no password yet
    result = CliRunner().invoke(cli, ["users", "password", "pm"], input="the new password\n")
    assert result.exit_code == 0, result.output
    assert _sign_in(db_env, "pm", "the new password") == 303
    unknown = CliRunner().invoke(cli, ["users", "password", "nobody"], input="the new password\n")
    assert unknown.exit_code == 2
    assert "unknown user" in unknown.output


def test_serve_demo_after_opvang_demo_says_the_demo_is_already_loaded(db_env, no_server):
    # issue 17: after `make demo` it said "data present, demo not loaded"
    engine = ensure_database(db_env)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(build_demo_dataset(as_of=DEMO_AS_OF))
    finally:
        engine.dispose()
    result = CliRunner().invoke(cli, ["serve", "--demo"])
    assert result.exit_code == 0, result.output
    assert "the demo dataset is already loaded" in result.output
    assert "not loaded" not in result.output


def test_serve_demo_on_other_data_says_why_it_loads_nothing(db_env, no_server, monkeypatch):
    engine = ensure_database(db_env)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(build_demo_dataset(as_of=DEMO_AS_OF))
    finally:
        engine.dispose()
    # the database's facilities are not all of the demo's: someone else's data
    demo = serve_module.demo_facilities()
    other = [*demo, replace(demo[0], id="not-in-this-database")]
    monkeypatch.setattr(serve_module, "demo_facilities", lambda: other)
    result = CliRunner().invoke(cli, ["serve", "--demo"])
    assert result.exit_code == 0, result.output
    assert "holds other facilities, so the demo dataset was not loaded" in result.output


def test_serve_without_users_says_how_to_sign_in(db_env, no_server):
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert "no user can sign in to the dashboard yet" in result.output


def test_serve_banner_and_readme_point_to_the_same_pages(db_env, no_server):
    result = CliRunner().invoke(cli, ["serve"])
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `opvang serve"))
    paths = ("/docs", "/openapi.json", "/v1")
    for path in paths:
        assert f" {path}" in " ".join(result.output.split()), path
        assert f"`{path}`" in row, path
