"""``opvang solve`` shows a live progress line on a terminal, and nowhere else (issue 11)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import api.cli.solve as solve_command
from api.cli import app
from api.cli.progress import ProgressLine
from matching import Progress
from matching.instances import SIZES, random_problem


@pytest.fixture
def problem_file(tmp_path: Path) -> Path:
    """A 'small' generated problem: a few stages, well under a second."""
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(random_problem(SIZES["small"], 1).to_dict()), encoding="utf-8")
    return path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """Standard output and standard error as terminals; what stderr shows is returned."""
    shown = io.StringIO()
    monkeypatch.setattr(solve_command, "_stdout", lambda: Console(force_terminal=True))
    monkeypatch.setattr(
        solve_command, "err_console", Console(file=shown, force_terminal=True, width=120)
    )
    return shown


def test_not_a_terminal_shows_no_progress(problem_file: Path):
    result = CliRunner().invoke(app, ["solve", str(problem_file), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "stage" not in result.stderr
    assert json.loads(result.stdout)["status"] in {"optimal", "feasible"}


def test_standard_error_to_a_file_shows_no_progress(problem_file: Path, monkeypatch):
    # `opvang solve P --out R 2> log` on a terminal: the line's last state went into the log
    log = io.StringIO()
    monkeypatch.setattr(solve_command, "_stdout", lambda: Console(force_terminal=True))
    monkeypatch.setattr(
        solve_command, "err_console", Console(file=log, force_terminal=False, soft_wrap=True)
    )
    out = problem_file.with_name("result.json")
    args = ["solve", str(problem_file), "--time-limit", "5", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "stage" not in log.getvalue()
    assert log.getvalue().endswith("\n")
    assert f"-> {out}" in log.getvalue()


def test_a_terminal_shows_stage_plan_bound_gap_and_time(problem_file: Path, terminal):
    out = problem_file.with_name("result.json")
    args = ["solve", str(problem_file), "--time-limit", "5", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    shown = terminal.getvalue()
    for word in ("stage ", "best ", "bound ", "gap ", "done in"):
        assert word in shown
    objective = json.loads(out.read_text())["objective"]
    assert f"best {objective:,.1f}" in shown  # the last line has the final plan


def test_quiet_is_honoured_on_a_terminal(problem_file: Path, terminal):
    out = problem_file.with_name("result.json")
    args = ["solve", str(problem_file), "--quiet", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    shown = terminal.getvalue()
    assert "stage" not in shown
    assert "-> " in shown  # the summary of --out is still printed


def event(**changes: object) -> Progress:
    base = {"part": 0, "parts": 1, "stage": "lp", "seconds": 0.5}
    return Progress(**(base | {"objective": 110.0, "bound": 100.0} | changes))  # type: ignore[arg-type]


def test_the_line_shows_figures_of_the_part_or_of_the_whole_when_given():
    line = ProgressLine(time_limit=10)
    assert "building the model" in line.render().plain
    line(event())
    text = line.render().plain
    assert "stage lp · best 110.0 · bound 100.0 · gap 9.09%" in text
    assert "s left" in text
    line(event(part=1, parts=3))
    assert "stage lp (part 2/3)" in line.render().plain
    line(event(part=1, parts=3, total_objective=1000.0, total_bound=1000.0))
    assert "(part" not in line.render().plain
    assert "best 1,000.0 · bound 1,000.0 · gap 0.00%" in line.render().plain
    line(event(objective=math.inf, bound=-math.inf))
    assert "best - · bound - · gap -" in line.render().plain
