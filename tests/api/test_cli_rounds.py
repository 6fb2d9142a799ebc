"""``opvang rounds run`` for cron (issue 14): a round recorded by 'scheduler'; with
``--daily`` once a day, whoever (the service or cron) runs it first."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app


@pytest.fixture
def cron_env(fresh_world, monkeypatch):
    monkeypatch.setenv("OPVANG_DATABASE_URL", fresh_world.url)
    monkeypatch.setenv("OPVANG_MATCHING_TIME_LIMIT", "5")
    return fresh_world


def test_rounds_run_daily_runs_once_a_day(cron_env, helpers):
    first = CliRunner().invoke(app, ["rounds", "run", "--daily"])
    assert first.exit_code == 0, first.output
    run_id = int(first.stdout.strip().splitlines()[-1])
    again = CliRunner().invoke(app, ["rounds", "run", "--daily"])
    assert again.exit_code == 0
    assert "already ran" in again.output
    with helpers.client_for(cron_env.url) as client:
        run = client.get(f"/v1/matching-runs/{run_id}", headers=cron_env.auth("coordinator"))
        assert run.json()["created_by"] == "scheduler"
        runs = client.get("/v1/matching-runs", headers=cron_env.auth("coordinator")).json()
        assert runs["count"] == 2  # the seeded run and one daily round
    extra = CliRunner().invoke(app, ["rounds", "run"])  # without --daily: a round now
    assert extra.exit_code == 0, extra.output


def test_rounds_lapse_reports_how_many(cron_env):
    result = CliRunner().invoke(app, ["rounds", "lapse"])
    assert result.exit_code == 0, result.output
    assert "0 proposals lapsed" in result.output  # the seeded proposals have no deadline


def test_a_daily_round_that_failed_can_be_run_again_that_day(cron_env, monkeypatch):
    import api.matching_runs.service as service
    from matching import MatchingError

    def broken(*args, **kwargs):
        raise MatchingError("options[0] (C-1 -> F-1): cost must be finite")

    with monkeypatch.context() as patch:
        patch.setattr(service, "run_round", broken)
        failed = CliRunner().invoke(app, ["rounds", "run", "--daily"])
    assert failed.exit_code == 2, failed.output
    assert "cost must be finite" in failed.stderr
    assert "failed; run 'opvang rounds run --daily' again" in failed.stderr
    retried = CliRunner().invoke(app, ["rounds", "run", "--daily"])  # once mended
    assert retried.exit_code == 0, retried.output
    assert "already ran" not in retried.output
    again = CliRunner().invoke(app, ["rounds", "run", "--daily"])
    assert "already ran" in again.output
