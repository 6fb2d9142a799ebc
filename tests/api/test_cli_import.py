"""``opvang import``: problems on stderr and exit 2 with nothing written; then an import,
and the same file again adds nothing (issue 16)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from store import OrganisationRepository, Repository, ensure_database, session_scope

HEADER = (
    "id,intake_date,age,gender,residence_status,exploitation_type,region_signalled,"
    "region_of_exploitation,responsible_organisation\n"
)


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'opvang.db'}"
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    engine = ensure_database(url)
    with session_scope(engine) as session:  # the managed list of issue 14
        OrganisationRepository(session).ensure(["CoMensha"])
    engine.dispose()
    return url


def cases(url):
    engine = ensure_database(url)
    with session_scope(engine) as session:
        found = [c.id for c in Repository(session).cases()]
    engine.dispose()
    return found


def test_import_reports_problems_then_imports_once(url, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(
        HEADER + "C-2026-0201,2026-10-01,dertig,female,eu,sexual,utrecht,utrecht,CoMensha\n"
        "C-2026-0202,2026-10-01,30,female,eu,sexual,utrecht,utrecht,CoMensha\n"
    )
    refused = CliRunner().invoke(app, ["import", "cases", str(path)])
    assert refused.exit_code == 2
    assert "dertig" in refused.stderr
    assert "must be a whole number" in refused.stderr
    assert cases(url) == []

    path.write_text(path.read_text().replace("dertig", "30"))
    dry = CliRunner().invoke(app, ["import", "cases", str(path), "--dry-run"])
    assert dry.exit_code == 0
    assert "would import 2 new" in dry.stdout
    assert cases(url) == []

    done = CliRunner().invoke(app, ["import", "cases", str(path)])
    assert done.exit_code == 0, done.output
    assert cases(url) == ["C-2026-0201", "C-2026-0202"]
    again = CliRunner().invoke(app, ["import", "cases", str(path)])
    assert "imported 0 new, 0 changed, 2 unchanged" in again.stdout


def test_a_file_that_is_not_a_table_is_a_message_and_exit_2(url, tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"not a workbook")
    result = CliRunner().invoke(app, ["import", "cases", str(path)])
    assert result.exit_code == 2
    assert "is not an XLSX workbook" in result.stderr


def test_a_cost_beyond_any_care_bed_and_a_cell_too_many_exit_2_naming_row_and_column(url, tmp_path):
    path = tmp_path / "facilities.csv"
    path.write_text(
        "id,name,provider_id,provider_name,region_id,placement_type,beds,funding_stream_id,"
        "cost_per_bed_day\n"
        "vo-a,Opvang A,moviera,Moviera,utrecht,womens_shelter,8,wmo-utrecht,1e308\n"
        "vo-b,Opvang B,moviera,Moviera,utrecht,womens_shelter,8,wmo-utrecht,150,extra\n"
    )
    refused = CliRunner().invoke(app, ["import", "facilities", str(path)])
    assert refused.exit_code == 2
    assert "cost_per_bed_day" in refused.stderr
    assert "1e308" in refused.stderr
    assert "no care bed costs more" in refused.stderr
    assert "column 10" in refused.stderr
    assert "extra" in refused.stderr
    engine = ensure_database(url)
    with session_scope(engine) as session:
        assert Repository(session).facilities() == []
    engine.dispose()
