"""A database that cannot be used or a setting out of range: every command says so and
exits with 2, never a traceback (found by an audit of the command line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

COMMANDS = [
    ["db", "check"],
    ["db", "upgrade"],
    ["users", "list"],
    ["organisations", "list"],
    ["rounds", "lapse"],
    ["retention", "apply", "--dry-run"],
]


def _urls(tmp_path: Path) -> list[tuple[str, str]]:
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"not a database" * 500)
    return [
        ("postgresql+psycopg://root@127.0.0.1:1/x", "cannot be used: connection failed"),
        (f"sqlite:///{tmp_path}", "cannot be used: unable to open database file"),  # a folder
        (f"sqlite:///{damaged}", "cannot be used: file is not a database"),
        ("nonsense", "'nonsense' is not a database URL"),
    ]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_that_cannot_be_used_is_named_with_the_reason(command, tmp_path, monkeypatch):
    for url, words in _urls(tmp_path):
        monkeypatch.setenv("OPVANG_DATABASE_URL", url)
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, (url, result.output)
        assert words in result.stderr
        assert "OPVANG_DATABASE_URL" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_password_in_the_url_is_not_shown(monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", "postgresql+psycopg://root:s3cret@127.0.0.1:1/x")
    result = CliRunner().invoke(app, ["db", "check"])
    assert result.exit_code == 2
    assert "s3cret" not in result.output
    assert "***" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "command"),
    [
        ("OPVANG_MATCHING_TIME_LIMIT", "abc", ["users", "list"]),
        ("OPVANG_MATCHING_TIME_LIMIT", "-1", ["rounds", "run"]),
        ("OPVANG_DAILY_ROUND_AT", "25:00", ["organisations", "list"]),
    ],
)
def test_a_setting_out_of_range_is_named(variable, value, command, tmp_path, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{tmp_path / 'opvang.db'}")
    monkeypatch.setenv(variable, value)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: {variable}: ")


@pytest.mark.parametrize("url", ["sqlite:///", "sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_for_it_keeps_nothing(url, monkeypatch):
    # `users add` and `import` reported success, then the data was gone
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    result = CliRunner().invoke(app, ["users", "add", "bob", "--role", "admin"])
    assert result.exit_code == 2, result.output
    assert "OPVANG_DATABASE_URL: an in-memory SQLite database keeps nothing" in result.stderr


# Commands that read or change what is stored: a database file that does not exist is a
# mistyped OPVANG_DATABASE_URL, never a new, empty database reported as clean.
NEEDS_A_DATABASE = [
    ["db", "check"],
    ["db", "backup", "{tmp}/backup.db"],
    ["round", "export", "{tmp}/round.json"],
    ["plan", "--beds", "1", "--replications", "0"],
    ["rounds", "run"],
    ["rounds", "lapse"],
    ["retention", "apply", "--dry-run"],
    ["users", "list"],
    ["users", "token", "bob"],
    ["organisations", "list"],
    ["organisations", "remove", "Fier"],
]
# Commands that set a database up or add its first records (README, docs/api.md)
CREATE_A_DATABASE = [
    ["db", "upgrade"],
    ["users", "add", "bob", "--role", "admin"],
    ["organisations", "add", "Fier"],
]


@pytest.mark.parametrize("command", NEEDS_A_DATABASE, ids=" ".join)
def test_a_database_file_that_does_not_exist_is_refused_and_nothing_is_created(
    command, tmp_path, monkeypatch
):
    missing = tmp_path / "no" / "such" / "dir" / "x.db"
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{missing}")
    result = CliRunner().invoke(app, [arg.format(tmp=tmp_path) for arg in command])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: OPVANG_DATABASE_URL: "), result.stderr
    assert f"{missing} does not exist" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "no").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no backup, no round file


@pytest.mark.parametrize("command", CREATE_A_DATABASE, ids=" ".join)
def test_commands_that_set_a_database_up_create_it_on_a_fresh_path(command, tmp_path, monkeypatch):
    fresh = tmp_path / "new" / "opvang.db"
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{fresh}")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert fresh.is_file()
    assert CliRunner().invoke(app, ["db", "check"]).exit_code == 0  # and it is found after


def test_a_folder_that_cannot_be_made_is_named_by_db_upgrade(monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", "sqlite:////proc/opvang-x.db")
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2, result.output
    assert "cannot be used: unable to open database file" in result.stderr
