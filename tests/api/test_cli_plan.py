"""``opvang plan``: beds planned on the database's round, then checked by simulation."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.fixture
def on_world(fresh_world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small world (4 adult EU women wait; ws-amsterdam has room for fewer)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPVANG_DATABASE_URL", fresh_world.url)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def test_plan_puts_a_bed_where_women_wait(on_world: Path):
    result = CliRunner().invoke(app, ["plan", "--beds", "1", "--replications", "0"])
    assert result.exit_code == 0, result.output
    assert "Where 1 bed does most good (lp values; all beds placed)" in result.output
    row = next(line for line in result.output.splitlines() if "ws-amsterdam" in line)
    assert "Women's shelter" in row
    assert "Amsterdam" in row
    assert "Today's round, priority-weighted waiting days:" in result.output
    assert not (on_world / "plan-out").exists()  # no simulation asked for


def test_plan_in_candidates_without_value_adds_nothing(on_world: Path):
    args = ["plan", "--beds", "2", "--types", "cosm", "--replications", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "no candidate bed shortens waiting any further" in " ".join(result.output.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--beds", "0"], "beds: must be from 1 to 500"),
        (["--beds", "2", "--budget", "100000"], "give either a number of beds or a budget"),
        ([], "give either a number of beds or a budget"),
        (["--budget", "-1"], "budget: must be a positive number of euros a year"),
        (["--budget", "1e308"], "not in the range x<=1000000000"),  # issue 15
        (["--beds", "2", "--types", "hotel"], "types: unknown placement type 'hotel'"),
        (["--beds", "2", "--regions", "atlantis"], "regions: unknown region 'atlantis'"),
        (["--beds", "2", "--method", "guess"], "--method: must be lp or exact"),
        (["--beds", "2", "--scenario", "missing.yaml"], "missing.yaml"),
    ],
)
def test_plan_refuses_bad_input_with_a_message(on_world: Path, args: list[str], message: str):
    result = CliRunner().invoke(app, ["plan", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_plan_refuses_a_scenario_that_is_not_utf8(on_world: Path):
    (on_world / "latin1.yaml").write_bytes("name: café\nseed: 1\n".encode("latin-1"))
    result = CliRunner().invoke(app, ["plan", "--beds", "1", "--scenario", "latin1.yaml"])
    assert result.exit_code == 2, result.output  # was a UnicodeDecodeError, exit code 1
    assert "latin1.yaml: is not UTF-8 text" in " ".join(result.output.split())


SCENARIO = """\
    format: opvang-scenario/1
    name: amsterdam-one-house
    seed: 3
    horizon_days: 120
    replications: 3
    policy: optimised
    supply:
      facilities:
        - {id: ws-amsterdam, region: amsterdam, placement_type: womens_shelter, beds: 1}
    demand:
      - name: women
        arrivals_per_day: 0.25
        profile: {age: 30, gender: female, residence_status: eu, exploitation_type: sexual,
                  region_signalled: amsterdam}
        stay:
          womens_shelter: {distribution: fixed, mean_days: 10}
"""


@pytest.mark.slow
def test_plan_is_checked_by_paired_simulation_and_kept(on_world: Path):
    base = on_world / "one-house.yaml"
    base.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    args = ["plan", "--beds", "1", "--scenario", str(base), "--replications", "3"]
    args += ["--out", "out", "--workers", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Change in mean wait, all cases (plan minus base, paired):" in out
    change = out.split("Change in mean wait, all cases (plan minus base, paired): ")[1]
    assert change.startswith("-")  # a second bed for 2.5 women a load of 10 days: shorter
    plan_file = on_world / "out" / "plan.yaml"
    assert "ws-amsterdam" in plan_file.read_text(encoding="utf-8")
    for run in ("base", "plan"):
        assert (on_world / "out" / run / "kpis.json").exists()
    assert (on_world / "out" / "report.html").exists()
