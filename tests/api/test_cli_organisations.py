"""``opvang organisations add|list|remove``: the managed list of organisations (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from store import ensure_database


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'opvang.db'}"
    ensure_database(url).dispose()  # `remove` and `list` refuse a database that does not exist
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    return url


def _run(*args: str):
    return CliRunner().invoke(app, ["organisations", *args])


def test_add_list_and_remove(db_env):
    assert _run("add", "Zorgcoördinatie Utrecht").exit_code == 0
    assert _run("add", "CoMensha").exit_code == 0
    listing = _run("list")
    assert listing.exit_code == 0
    assert listing.output.index("CoMensha") < listing.output.index("Zorgcoördinatie Utrecht")
    removed = _run("remove", "CoMensha")
    assert removed.exit_code == 0, removed.output
    assert "CoMensha" not in _run("list").output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["add", "Jan de Vries 06-12345678"], "no e-mail address or phone number"),
        (["remove", "Nobody"], "unknown organisation 'Nobody'"),
    ],
)
def test_bad_input_is_a_message_and_exit_2(db_env, args, words):
    result = _run(*args)
    assert result.exit_code == 2
    assert words in result.output


def test_a_name_twice_is_refused(db_env):
    assert _run("add", "Fier").exit_code == 0
    again = _run("add", "Fier")
    assert again.exit_code == 2
    assert "already exists" in again.output
