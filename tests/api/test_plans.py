"""``/v1/plans``: capacity-plan jobs for policymakers (issue 15)."""

from __future__ import annotations

import pytest

from api.web import scenario_jobs as jobs


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


def test_a_plan_job_is_accepted_started_and_read(policy, launched):
    body = {"beds": 2, "types": ["womens_shelter"], "base": "two-houses.yaml"}
    answer = policy.post("/v1/plans", json=body)
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert launched == [job["id"]]
    assert job["status"] == "queued"
    assert job["request"] == {
        "beds": 2,
        "budget": None,
        "types": ["womens_shelter"],
        "regions": [],
        "method": "lp",
    }
    assert job["scenarios"] == ["two-houses.yaml"]
    assert job["result"] is None
    assert job["page"] == f"/scenarios/jobs/{job['id']}"
    again = policy.get(f"/v1/plans/{job['id']}")
    assert again.status_code == 200
    assert again.json()["id"] == job["id"]


def test_a_retried_plan_request_starts_one_job(policy, launched):
    headers = {"Idempotency-Key": "plan-once-1234"}
    first = policy.post("/v1/plans", json={"beds": 1}, headers=headers)
    second = policy.post("/v1/plans", json={"beds": 1}, headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert launched == [first.json()["id"]]


@pytest.mark.parametrize(
    ("body", "loc", "message"),
    [
        ({}, "beds", "give either a number of beds or a budget, not both"),
        ({"beds": 1, "budget": 1e6}, "beds", "give either a number of beds or a budget"),
        ({"beds": 501}, "beds", "must be from 1 to 500"),
        ({"budget": 0}, "budget", "must be a positive number of euros a year"),
        ({"budget": 1e308}, "budget", "less than or equal to 1000000000"),  # issue 15
        ({"beds": 1, "types": ["hotel"]}, "types", "unknown placement type 'hotel'"),
        ({"beds": 1, "regions": ["atlantis"]}, "regions", "unknown region 'atlantis'"),
        ({"beds": 1, "method": "guess"}, "method", "must be lp or exact"),
        ({"beds": 1, "base": "/etc/passwd"}, "base", "is not one of the example files"),
        ({"beds": 1, "replications": 1000}, "replications", "must be from 1 to"),
    ],
)
def test_a_bad_plan_request_is_a_422_naming_the_field(policy, launched, body, loc, message):
    answer = policy.post("/v1/plans", json=body)
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"][0]
    assert detail["loc"] == ["body", loc]
    assert message in detail["msg"]
    assert launched == []


def test_an_unknown_plan_is_a_404(policy):
    assert policy.get("/v1/plans/999").status_code == 404


def test_plans_are_for_policymakers_and_admins(fresh_world, helpers, launched):
    with helpers.client_for(fresh_world.url) as client:
        for who, code in (("coordinator", 403), ("reporter-hvo", 403), ("admin", 202)):
            client.headers.update(fresh_world.auth(who))
            assert client.post("/v1/plans", json={"beds": 1}).status_code == code, who
