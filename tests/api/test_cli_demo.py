"""``opvang demo`` and ``opvang db upgrade`` on a fresh SQLite file in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPVANG_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path


def test_db_upgrade_creates_the_embedded_database(in_tmp: Path):
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (in_tmp / "opvang.db").exists()
    assert "at revision" in result.output


@pytest.mark.slow
def test_demo_prints_the_national_picture_and_a_matching_round(in_tmp: Path):
    runner = CliRunner()
    first = runner.invoke(
        app, ["demo", "--time-limit", "20", "--show", "5", "--scenario-replications", "2"]
    )
    assert first.exit_code == 0, first.output
    out = first.output
    assert (in_tmp / "opvang.db").exists()
    assert "loaded the demo dataset" in out
    for section in (
        "National beds and occupancy by placement type",
        "Beds and occupancy by region",
        "Waiting list by complexity class (national-v1)",
        "Capacity gaps:",
        "Matching round",
        "Proposals, highest priority first",
        "Unplaced within the horizon and what binds",
        "The five most valuable extra beds",
    ):
        assert section in out, section
    for words in ("COSM (categorical shelter)", "Women's shelter", "Maastricht", "highly_complex"):
        assert words in out
    assert "proven bound" in out
    # issue 5: the simulated year, today's practice against national optimisation
    assert "Complex cases, mean wait under current-practice:" in out
    assert "Complex cases, mean wait under optimised:" in out
    assert "Comparison report: demo-out/report.html" in out
    assert (in_tmp / "demo-out" / "report.html").exists()

    second = runner.invoke(
        app, ["demo", "--time-limit", "20", "--show", "5", "--scenario-replications", "0"]
    )
    assert second.exit_code == 0, second.output
    assert "demo dataset already loaded (nothing added)" in second.output
