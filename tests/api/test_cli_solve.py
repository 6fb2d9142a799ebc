"""``opvang solve PROBLEM.json``: the result file, and errors as a message with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

EXAMPLE = {
    "format": "opvang-problem/1",
    "horizon_days": 4,
    "unplaced_penalty_days": 30,
    "facilities": [{"id": "F1", "free_beds": [0, 1, 1, 1]}],
    "cases": [{"id": "C1", "beds": 1, "weight": 3.0}, {"id": "C2", "beds": 1, "weight": 1.0}],
    "options": [
        {
            "case": "C1",
            "facility": "F1",
            "penalty": 2.0,
            "stay_days": 90,
            "cost": 12000.0,
            "stream": "wmo",
        },
        {"case": "C2", "facility": "F1"},
    ],
    "budgets": [{"stream": "wmo", "amount": 50000.0}],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_solve_writes_the_documented_result(tmp_path: Path):
    out = tmp_path / "result.json"
    result = CliRunner().invoke(
        app, ["solve", str(write(tmp_path, EXAMPLE)), "--time-limit", "5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["status"] == "optimal"
    assert data["assignments"] == [{"case": "C1", "facility": "F1", "start_day": 1}]
    assert data["unplaced"] == ["C2"]
    # C1 waits 1 day (3 x 1 + penalty 2); C2 unplaced counts 1 x (4 + 30)
    assert data["objective"] == 3.0 + 2.0 + 34.0
    assert data["bound"] <= data["objective"] + 1e-9
    assert set(data["stats"]) >= {"method", "build_seconds", "solve_seconds"}


def test_solve_prints_json_to_stdout_without_a_solver_banner(tmp_path: Path):
    result = CliRunner().invoke(app, ["solve", str(write(tmp_path, EXAMPLE))])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "optimal"


def test_a_malformed_file_is_an_error_naming_the_entry(tmp_path: Path):
    bad = dict(EXAMPLE, options=[{"case": "C1", "facility": "F9"}])
    result = CliRunner().invoke(app, ["solve", str(write(tmp_path, bad))])
    assert result.exit_code == 2
    assert "options[0] (C1 -> F9): unknown facility 'F9'" in result.output


def test_missing_file_and_broken_json_are_errors(tmp_path: Path):
    missing = CliRunner().invoke(app, ["solve", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2
    assert "cannot be read" in missing.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(app, ["solve", str(broken)])
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_bad_time_limit_is_refused(tmp_path: Path):
    result = CliRunner().invoke(app, ["solve", str(write(tmp_path, EXAMPLE)), "--time-limit", "-1"])
    assert result.exit_code == 2
    assert "time_limit" in result.output


def test_an_out_path_that_cannot_be_written_is_refused_before_the_solve(tmp_path: Path):
    problem = str(write(tmp_path, EXAMPLE))
    for out, reason in (
        (tmp_path / "no-such-folder" / "result.json", "no such folder"),
        (tmp_path, "it is a folder"),
    ):
        result = CliRunner().invoke(app, ["solve", problem, "--out", str(out)])
        assert result.exit_code == 2, result.output
        assert f"{out}: cannot be written ({reason})" in result.stderr
        assert "Traceback" not in result.output
        assert "objective" not in result.output  # refused before solving
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problem.json"]


def test_the_command_line_starts_without_the_heavy_stacks():
    # issue 12: `opvang --help` imported FastAPI, SQLAlchemy, matplotlib and Dask (about 5 s)
    import subprocess
    import sys

    code = (
        "import sys; from api.cli import app; "
        "from typer.testing import CliRunner; r = CliRunner().invoke(app, ['--help']); "
        "assert r.exit_code == 0, r.output; "
        "heavy = [m for m in ('fastapi', 'sqlalchemy', 'matplotlib', 'dask', 'scenarios', "
        "'store', 'matching', 'numpy', 'uvicorn') if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
