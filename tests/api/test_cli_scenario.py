"""``opvang scenario run|compare`` refuse bad input with a message and exit code 2, and
before the simulation runs (never a traceback, never a run whose results are lost)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.cli import scenario as scenario_cli
from scenarios import EXAMPLES_DIR

TWO_HOUSES = EXAMPLES_DIR / "two-houses.yaml"  # 30 days, 1 replication
LATIN1 = "name: café\nseed: 1\n".encode("latin-1")


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """The simulation may not start: the input is refused before it."""

    def simulate(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("simulated before the input was checked")

    monkeypatch.setattr(scenario_cli, "simulate", simulate)


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["scenario", "run", *args])
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def _fifo(path: Path, **changes: str) -> Path:
    text = TWO_HOUSES.read_text(encoding="utf-8").replace("policy: optimised", "policy: fifo")
    for old, new in changes.items():
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            {"mean_days: 10}}": "mean_days: .inf}}"},
            "demand[0].stay.womens_shelter.mean_days: Input should be a finite number",
        ),
        (
            {"mean_days: 10}}": "mean_days: .nan}}"},
            "demand[0].stay.womens_shelter.mean_days: Input should be a finite number",
        ),
        (
            {"horizon_days: 30": "horizon_days: 100000000000"},
            "horizon_days: must be from 1 to 36500 days",
        ),
        (
            {"horizon_days: 30": "horizon_days: 30\nreplications: 100000"},
            "replications: must be from 1 to 1000",
        ),
    ],
    ids=["infinite stay", "NaN stay", "horizon too long", "too many replications"],
)
def test_run_refuses_a_value_out_of_range(tmp_path: Path, edit: dict[str, str], message: str):
    spec = _fifo(tmp_path / "bad.yaml", **edit)
    code, out = _run(str(spec), "--out", str(tmp_path / "out"))
    assert code == 2, out
    assert f"error: {spec}: {message}" in out


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_a_file_that_is_not_utf8(tmp_path: Path):
    spec = tmp_path / "latin1.yaml"
    spec.write_bytes(LATIN1)
    code, out = _run(str(spec), "--out", str(tmp_path / "out"))
    assert code == 2, out
    assert f"error: {spec}: is not UTF-8 text (byte 0xe9 at position 9)" in out


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_too_many_replications_asked_on_the_command_line(tmp_path: Path):
    code, out = _run(str(TWO_HOUSES), "--out", str(tmp_path / "o"), "--replications", "5000")
    assert code == 2, out
    assert "replications: must be from 1 to 1000" in out


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.parametrize("address", ["nonsense", "tcp://:8786", "tcp://host:port"])
def test_run_refuses_a_malformed_scheduler_address(tmp_path: Path, address: str):
    code, out = _run(str(TWO_HOUSES), "--out", str(tmp_path / "o"), "--scheduler", address)
    assert code == 2, out
    assert f"error: --scheduler: {address!r} is not a scheduler address" in out


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_an_out_that_is_a_file_before_simulating(tmp_path: Path):
    taken = tmp_path / "results.txt"
    taken.write_text("kept", encoding="utf-8")
    code, out = _run(str(TWO_HOUSES), "--out", str(taken))
    assert code == 2, out
    assert f"error: --out: {taken}: is a file, not a folder" in out
    assert taken.read_text(encoding="utf-8") == "kept"


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_an_out_that_cannot_be_made_before_simulating(tmp_path: Path):
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    below_a_file = tmp_path / "a-file" / "out"
    code, out = _run(str(TWO_HOUSES), "--out", str(below_a_file))
    assert code == 2, out
    assert f"error: --out: {below_a_file}: cannot write the results" in out


@pytest.mark.usefixtures("no_simulation")
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_run_refuses_an_unwritable_out_before_simulating(tmp_path: Path):
    code, out = _run(str(TWO_HOUSES), "--out", "/proc/x")
    assert code == 2, out
    assert "error: --out: /proc/x: cannot write the results" in out


def test_run_leaves_no_folder_behind_when_it_refuses(tmp_path: Path):
    spec = _fifo(tmp_path / "bad.yaml", **{"mean_days: 10}}": "mean_days: .inf}}"})
    code, _ = _run(str(TWO_HOUSES), str(spec), "--out", str(tmp_path / "new" / "out"))
    assert code == 2
    assert not (tmp_path / "new").exists()


def test_run_checks_the_out_folder_and_leaves_it_for_the_results(tmp_path: Path):
    out = tmp_path / "new" / "deeper"
    code, text = _run(str(_fifo(tmp_path / "fifo.yaml")), "--out", str(out))
    assert code == 0, text
    assert (out / "kpis.json").is_file()


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_two_files_of_one_name_naming_both(tmp_path: Path):
    first = _fifo(tmp_path / "first.yaml")
    second = _fifo(tmp_path / "second.yaml")  # both are called two-houses
    out = tmp_path / "out"
    code, text = _run(str(first), str(second), "--out", str(out))
    assert code == 2, text
    assert f"error: {second}: name: 'two-houses' is also the name in {first}" in text
    assert f"both runs would be written to {out / 'two-houses'}" in text
    assert not out.exists()


@pytest.mark.usefixtures("no_simulation")
def test_run_refuses_a_name_that_is_no_folder_name(tmp_path: Path):
    first = _fifo(tmp_path / "first.yaml")
    climbing = _fifo(tmp_path / "second.yaml", **{"name: two-houses": "name: .."})
    code, text = _run(str(first), str(climbing), "--out", str(tmp_path / "out"))
    assert code == 2, text
    assert f"error: {climbing}: name: '..' cannot be a folder's name" in text


def test_compare_refuses_a_kpis_json_that_is_not_utf8(tmp_path: Path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "kpis.json").write_bytes(b'{"scenario": "caf\xe9"}')
    (run / "series.json").write_text(json.dumps({"classes": []}), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["scenario", "compare", str(run), "--out", str(tmp_path / "c.html")]
    )
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert f"error: {run}/kpis.json: is not UTF-8 text (byte 0xe9 at position 17)" in out
    assert not (tmp_path / "c.html").exists()
