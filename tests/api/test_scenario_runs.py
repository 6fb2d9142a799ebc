"""``/v1/scenario-runs``: scenario changes without YAML, and stored runs compared (issue 15)."""

from __future__ import annotations

import pytest
import yaml

from api.web import scenario_jobs as jobs
from api.web import scenario_worker as worker
from store import make_engine

TWO_HOUSES = {"base": "two-houses.yaml", "replications": 2}


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    monkeypatch.setattr(jobs, "launch", lambda db, job_id, **k: started.append(job_id))
    return started


@pytest.fixture
def policy(fresh_world, helpers, launched):
    with helpers.client_for(fresh_world.url) as client:
        client.headers.update(fresh_world.auth("policymaker"))
        yield client


def _changes(**extra):
    beds = [{"placement_type": "womens_shelter", "region": "amsterdam", "beds": 1}]
    return {**TWO_HOUSES, "changes": {"beds": beds}} | extra


def test_a_scenario_run_is_accepted_started_and_read_with_its_files(policy, launched):
    answer = policy.post("/v1/scenario-runs", json=_changes(horizon_days=20))
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert launched == [job["id"]]
    assert job["status"] == "queued"
    assert [f["name"] for f in job["scenarios"]] == [
        "two-houses-20-days.yaml",
        "two-houses-20-days-changed.yaml",
    ]
    changed = yaml.safe_load(job["scenarios"][1]["yaml"])
    assert changed["supply"]["changes"][0]["beds"]["add"] == 1
    assert job["result"] is None
    again = policy.get(f"/v1/scenario-runs/{job['id']}")
    assert again.status_code == 200
    assert again.json()["scenarios"] == job["scenarios"]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        (
            _changes(
                changes={"beds": [{"placement_type": "hotel", "region": "utrecht", "beds": 1}]}
            ),
            ["body", "changes", "beds", 0, "placement_type"],
            "unknown placement type 'hotel'",
        ),
        (
            _changes(changes={"beds": [{"placement_type": "cosm", "region": "mars", "beds": 1}]}),
            ["body", "changes", "beds", 0, "region"],
            "unknown region 'mars'",
        ),
        (
            _changes(
                changes={
                    "beds": [{"placement_type": "womens_shelter", "region": "utrecht", "beds": -3}]
                }
            ),
            ["body", "changes", "beds", 0, "beds"],
            "only 1 bed of type Women's shelter in Utrecht to remove",
        ),
        (
            _changes(changes={"budgets": [{"stream": "vws-omm", "per_year": 5}]}),
            ["body", "changes", "budgets", 0, "stream"],
            "unknown funding stream 'vws-omm'",
        ),
        (_changes(policy="lottery"), ["body", "policy"], "unknown policy 'lottery'"),
        (_changes(horizon_days=0), ["body", "horizon_days"], "must be from 1 to 730 days"),
        (_changes(replications=101), ["body", "replications"], "must be from 1 to"),
        (_changes(base="../etc.yaml"), ["body", "base"], "is not one of the example files"),
    ],
)
def test_a_change_that_cannot_apply_is_a_422_naming_its_field(policy, launched, body, loc, message):
    answer = policy.post("/v1/scenario-runs", json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"][0]
    assert detail["loc"] == loc
    assert message in detail["msg"]
    assert launched == []


def test_a_full_queue_is_a_429_with_retry_after(fresh_world, helpers, launched, monkeypatch):
    monkeypatch.setenv("OPVANG_WEB_SCENARIO_JOBS_AT_ONCE", "1")
    with helpers.client_for(fresh_world.url) as client:
        client.headers.update(fresh_world.auth("policymaker"))
        assert client.post("/v1/scenario-runs", json=_changes()).status_code == 202
        busy = client.post("/v1/scenario-runs", json=_changes())
    assert busy.status_code == 429
    assert busy.headers["Retry-After"] == "60"
    assert len(launched) == 1


def test_an_unknown_run_is_a_404_and_a_coordinator_is_refused(policy, fresh_world, helpers):
    assert policy.get("/v1/scenario-runs/999999").status_code == 404
    assert policy.get("/v1/scenario-runs/compare?jobs=999998&jobs=999999").status_code == 404
    with helpers.client_for(fresh_world.url) as other:
        other.headers.update(fresh_world.auth("coordinator"))
        assert other.post("/v1/scenario-runs", json=_changes()).status_code == 403


@pytest.mark.parametrize("number", ["0", "-3", str(2**63), "523740552961144794121339427356672"])
def test_a_run_number_out_of_range_is_a_422_naming_the_query(policy, fresh_world, number):
    """Found by schema fuzzing in CI: a number past the database's integer was a 500."""
    answer = policy.get(f"/v1/scenario-runs/compare?jobs=1&jobs={number}")
    assert answer.status_code == 422
    assert any(e["loc"][:2] == ["query", "jobs"] for e in answer.json()["detail"])


def _run(url: str, job_id: int) -> None:
    engine = make_engine(url)
    try:
        worker.run_job(engine, job_id, 600.0)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_finished_runs_are_compared_with_warnings_and_paired_differences(policy, fresh_world):
    ids = []
    for n in (3, 2):  # each run before the next is asked for: at most 2 jobs at once
        ids.append(policy.post("/v1/scenario-runs", json=_changes(replications=n)).json()["id"])
        _run(fresh_world.url, ids[-1])
    first, other = ids
    unfinished = policy.post("/v1/scenario-runs", json=_changes()).json()["id"]
    done = policy.get(f"/v1/scenario-runs/{first}").json()
    assert done["status"] == "done"
    assert [p["run"] for p in done["result"]["paired"]][:1] == ["two-houses-changed"]
    answer = policy.get(f"/v1/scenario-runs/compare?jobs={first}&jobs={other}")
    assert answer.status_code == 200, answer.text
    comparison = answer.json()
    assert comparison["runs"] == [
        f"run {first}: two-houses",
        f"run {first}: two-houses-changed",
        f"run {other}: two-houses",
        f"run {other}: two-houses-changed",
    ]
    assert any("different replications (2, 3)" in w for w in comparison["warnings"])
    assert {p["run"] for p in comparison["paired"]} == {f"run {first}: two-houses-changed"}
    assert all(len(k["values"]) == 4 for k in comparison["kpis"])
    refused = policy.get(f"/v1/scenario-runs/compare?jobs={first}")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "jobs"]
    pending = policy.get(f"/v1/scenario-runs/compare?jobs={first}&jobs={unfinished}")
    assert pending.status_code == 422
    assert "has not finished" in pending.json()["detail"][0]["msg"]


def test_only_a_list_parameter_may_repeat_in_the_query(policy):
    # jobs is a list: repeated, it names the runs (here none exist: 404, not a 422)
    assert policy.get("/v1/scenario-runs/compare?jobs=999998&jobs=999999").status_code == 404
    repeated = policy.get("/v1/cases?limit=1&limit=2")
    assert repeated.status_code == 422
    assert repeated.json()["detail"][0]["loc"] == ["query", "limit"]
