"""Options out of range are refused before any work, naming the option (found by an
audit of the command line: a port of 70000 was announced and another one listened, a
negative time limit was refused after a minute of demo, a negative --show printed 110
rows)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["serve", "--port", "70000"], "--port"),
        (["serve", "--port", "-1"], "--port"),
        (["demo", "--time-limit", "-1"], "--time-limit"),
        (["demo", "--time-limit", "inf"], "--time-limit"),
        (["demo", "--show", "-1"], "--show"),
        (["plan", "--beds", "1", "--time-limit", "inf"], "--time-limit"),
    ],
)
def test_an_option_out_of_range_is_refused_before_any_work(args, option, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{tmp_path / 'opvang.db'}")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output
    assert list(tmp_path.iterdir()) == []  # no database made, nothing written


def test_a_file_where_the_demo_writes_its_lists_is_named_before_any_work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{tmp_path / 'opvang.db'}")
    Path("demo-out").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 2, result.output
    assert "demo-out: a file is in the way" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo-out"]


def test_plan_refuses_a_file_as_its_out_folder_before_planning(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPVANG_DATABASE_URL", f"sqlite:///{tmp_path / 'opvang.db'}")
    Path("plan-out").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["plan", "--beds", "1"])
    assert result.exit_code == 2, result.output
    assert "--out: plan-out is a file, not a folder" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-out"]
