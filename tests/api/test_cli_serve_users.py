"""``opvang users add`` prints a token once and stores only its hash; ``serve --demo``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import app
from api.cli.serve import load_demo
from store import Repository, ensure_database, session_scope


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'opvang.db'}"
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    return url


def test_users_add_prints_the_token_once_and_stores_its_hash(db_env, helpers):
    result = CliRunner().invoke(app, ["users", "add", "desk-1", "--role", "intake_coordinator"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("opv_")
    engine = ensure_database(db_env)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
            assert stored == [hashlib.sha256(token.encode()).hexdigest()]
            dump = "\n".join(str(r) for r in conn.execute(text("SELECT * FROM api_tokens")))
            assert token not in dump
    finally:
        engine.dispose()
    with helpers.client_for(db_env) as client:
        answer = client.get("/v1/cases", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200
    listing = CliRunner().invoke(app, ["users", "list"])
    assert "desk-1" in listing.output
    assert token not in listing.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["x", "--role", "region_reporter"], "needs a provider or a region"),
        (
            ["x", "--role", "region_reporter", "--provider", "fier", "--region", "amsterdam"],
            "a provider or a region, not both",
        ),
        (["x", "--role", "policymaker", "--region", "utrecht"], "only a region_reporter"),
        (["x", "--role", "region_reporter", "--region", "atlantis"], "unknown region"),
        (["bad name", "--role", "admin"], "name"),
    ],
)
def test_users_add_refuses_bad_input_with_a_message(db_env, args, words):
    result = CliRunner().invoke(app, ["users", "add", *args])
    assert result.exit_code == 2
    assert words in result.output


def test_users_add_refuses_an_unknown_role(db_env):
    result = CliRunner().invoke(app, ["users", "add", "x", "--role", "king"])
    assert result.exit_code == 2


def test_a_revoked_token_no_longer_works(db_env, helpers):
    token = CliRunner().invoke(app, ["users", "add", "boss", "--role", "admin"]).stdout.strip()
    assert CliRunner().invoke(app, ["users", "revoke", "boss"]).exit_code == 0
    with helpers.client_for(db_env) as client:
        answer = client.get("/v1/regions", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


@pytest.mark.slow
def test_serve_demo_loads_the_demo_once(db_env):
    engine = ensure_database(db_env)
    try:
        assert load_demo(engine, now=datetime.now(UTC)) is True
        assert load_demo(engine, now=datetime.now(UTC)) is False
        with session_scope(engine) as session:
            repo = Repository(session)
            assert len(repo.facilities()) == 75
            assert len(repo.cases()) > 200
    finally:
        engine.dispose()
