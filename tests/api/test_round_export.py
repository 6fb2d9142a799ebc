"""The live round as a problem file (issue 11): ``opvang round export PATH`` and
``GET /v1/rounds/current/problem`` (admins) write the round a matching run would solve,
``opvang solve`` reads it back to the same plan value, and the export is audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

import flows
from api.cli import app
from api.settings import ApiSettings
from capacity import bundled_rulebook
from matching import SolveParams, problem_from_dict, problem_to_dict, solve
from store import audit, ensure_database, session_scope


def in_process(url: str, as_of: datetime) -> tuple[dict, float]:
    """The round as a matching run prepares it, and its objective solved in this process."""
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            inputs = flows.prepare_round(
                session,
                as_of=as_of,
                rulebook=bundled_rulebook(),
                staleness=ApiSettings(database_url=url).staleness_rule(),
            )
    finally:
        engine.dispose()
    problem = inputs.build().problem
    return problem_to_dict(problem), solve(problem, SolveParams(time_limit=20)).objective


def export_and_solve(url: str, as_of: datetime, tmp_path: Path, monkeypatch) -> tuple[dict, dict]:
    monkeypatch.setenv("OPVANG_DATABASE_URL", url)
    path = tmp_path / "round.json"
    runner = CliRunner()
    exported = runner.invoke(app, ["round", "export", str(path), "--as-of", as_of.isoformat()])
    assert exported.exit_code == 0, exported.output
    assert f"-> {path}" in exported.stderr
    out = tmp_path / "result.json"
    solved = runner.invoke(app, ["solve", str(path), "--time-limit", "20", "--out", str(out)])
    assert solved.exit_code == 0, solved.output
    return json.loads(path.read_text()), json.loads(out.read_text())


def audit_log(url: str, action: str) -> list[audit.AuditEntry]:
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            return [e for e in audit.entries(session) if e.action == action]
    finally:
        engine.dispose()


def test_the_exported_round_solves_to_the_in_process_objective(fresh_world, tmp_path, monkeypatch):
    as_of = datetime.now(UTC)
    problem, result = export_and_solve(fresh_world.url, as_of, tmp_path, monkeypatch)
    expected_problem, expected_objective = in_process(fresh_world.url, as_of)
    assert problem == expected_problem
    assert result["objective"] == pytest.approx(expected_objective)
    # case ids as in the live data: the waiting list of the small world
    assert {c["id"] for c in problem["cases"]} == {f"C-2026-000{i}" for i in range(1, 5)}
    entries = audit_log(fresh_world.url, "round.export")
    assert {(e.actor, e.record_type) for e in entries} == {("cli", "round"), ("cli", "case")}
    assert sorted(e.record_id for e in entries if e.record_type == "case") == sorted(
        c["id"] for c in problem["cases"]
    )


@pytest.mark.slow
def test_the_exported_demo_round_solves_to_the_in_process_objective(tmp_path, monkeypatch):
    from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
    from store import Repository

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF))
    finally:
        engine.dispose()
    problem, result = export_and_solve(url, DEMO_AS_OF, tmp_path, monkeypatch)
    expected_problem, expected_objective = in_process(url, DEMO_AS_OF)
    assert problem == expected_problem
    assert len(problem["cases"]) > 100
    assert result["status"] == "optimal"
    assert result["objective"] == pytest.approx(expected_objective, rel=1e-6)


def test_an_as_of_without_timezone_is_refused_and_nothing_written(
    fresh_world, tmp_path, monkeypatch
):
    monkeypatch.setenv("OPVANG_DATABASE_URL", fresh_world.url)
    path = tmp_path / "round.json"
    result = CliRunner().invoke(app, ["round", "export", str(path), "--as-of", "2026-12-03"])
    assert result.exit_code == 2
    assert "--as-of" in result.stderr
    assert "timezone" in result.stderr
    assert not path.exists()


def test_an_unwritable_path_is_an_error_not_a_traceback(fresh_world, tmp_path, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", fresh_world.url)
    path = tmp_path / "no-such-folder" / "round.json"
    result = CliRunner().invoke(app, ["round", "export", str(path)])
    assert result.exit_code == 2
    assert "cannot be written" in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "opvang.db"]


def test_admins_download_the_round_as_a_problem_file(fresh_world, helpers):
    with helpers.client_for(fresh_world.url) as client:
        answer = client.get("/v1/rounds/current/problem", headers=fresh_world.auth("admin"))
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-disposition"].startswith('attachment; filename="round-')
        problem = problem_from_dict(answer.json())
        assert problem.n_cases == 4
        assert len(answer.headers["x-inputs-hash"]) == 64
        refused = client.get("/v1/rounds/current/problem", headers=fresh_world.auth("coordinator"))
        assert refused.status_code == 403
    entries = audit_log(fresh_world.url, "round.export")
    assert {(e.actor, e.record_type) for e in entries} == {("admin", "round"), ("admin", "case")}
    (whole,) = [e for e in entries if e.record_type == "round"]
    assert whole.record_id == answer.headers["x-inputs-hash"]


def test_the_export_is_the_round_a_run_solves_with_a_stale_facility(fresh_world, helpers):
    """``cosm-leeuwarden`` never reported: runs plan it with no free beds today, and so
    must the export (it left the staleness rule out: another problem, another hash)."""
    with helpers.client_for(fresh_world.url) as client:
        exported = client.get("/v1/rounds/current/problem", headers=fresh_world.auth("admin"))
        run = client.post(
            "/v1/matching-runs",
            json={"time_limit": 5, "seed": 1},
            headers=fresh_world.auth("coordinator"),
        )
    assert exported.status_code == 200, exported.text
    assert run.status_code == 201, run.text
    assert exported.headers["x-inputs-hash"] == run.json()["inputs_hash"]
    problem = exported.json()
    (stale,) = [f for f in problem["facilities"] if f["id"] == "cosm-leeuwarden"]
    assert stale["free_beds"][0] == 0
