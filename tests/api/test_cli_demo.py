"""``opvang demo`` and ``opvang db upgrade`` on a fresh SQLite file in a temporary folder."""

from __future__ import annotations

import csv
import re
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
        app,
        [
            "demo",
            "--time-limit",
            "20",
            "--show",
            "5",
            "--scenario-replications",
            "2",
            "--scenario-days",
            "20",
        ],
    )
    assert first.exit_code == 0, first.output
    out = first.output
    assert (in_tmp / "opvang.db").exists()
    assert "loaded the demo dataset" in out
    for section in (
        "National beds by placement type",
        "Beds and free beds today by region",
        "Waiting list by complexity class (rulebook national-v1)",
        "waiting cases that no facility in the country is eligible for",
        "Matching round",
        "Proposals, highest priority first",
        "cannot start within the horizon",
        "The five most valuable extra beds",
    ):
        assert section in out, section
    for words in ("COSM (categorical shelter)", "Women's shelter", "Maastricht", "highly complex"):
        assert words in out
    # issue 17: the glossary's words, every row filled, units
    assert "highly_complex" not in out
    assert re.search(r"all classes +220 +\d+ +\d+", out)
    assert "proven bound" in out
    # issue 5: the simulated period, today's practice against national optimisation
    assert "20 simulated days" in out
    assert "Complex cases, mean wait under today's practice (current-practice):" in out
    assert "Complex cases, mean wait under national optimisation (optimised):" in out
    assert "(anticipatory):" in out
    assert "Comparison report: demo-out/report.html" in out
    assert (in_tmp / "demo-out" / "report.html").exists()
    # issue 17: the long lists in full, in demo-out/
    proposals = list(csv.DictReader((in_tmp / "demo-out" / "proposals.csv").open()))
    assert len(proposals) > 5
    assert all(p["criteria met"] for p in proposals)
    gaps = list(csv.DictReader((in_tmp / "demo-out" / "capacity-gaps.csv").open()))
    assert {g["case"] for g in gaps} >= {"C-2026-0207"}
    regions = list(csv.DictReader((in_tmp / "demo-out" / "regions.csv").open()))
    assert len(regions) == 35
    assert [r["region"] for r in regions].index("'s-Hertogenbosch") > 10
    assert (in_tmp / "demo-out" / "unplaced.csv").exists()

    second = runner.invoke(
        app, ["demo", "--time-limit", "20", "--show", "5", "--scenario-replications", "0"]
    )
    assert second.exit_code == 0, second.output
    assert "demo dataset already loaded (nothing added)" in second.output
