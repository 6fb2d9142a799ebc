"""Capacity-plan jobs from the dashboard (issue 15): the form, the job, the worker."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from api.web import scenario_jobs as jobs
from api.web import scenario_worker as worker
from store import make_engine, session_scope
from store.service import JobStatus, ScenarioJobRepository

FIELD = 'class="field-error" id="{}-error">'


@pytest.fixture
def planner(quick_world, web, monkeypatch):
    """A signed-in policymaker on the small world, with no worker process started."""
    launched: list[int] = []
    monkeypatch.setattr(jobs, "launch", lambda db, job_id, **k: launched.append(job_id))
    app = create_app(ApiSettings(database_url=quick_world.url))
    with TestClient(app, follow_redirects=False) as client:
        token = web.sign_in(client, "policymaker")
        yield client, token, launched, quick_world.url


def _form(token: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": token, "beds": "1", "budget": "", "method": "lp"}
    base |= {"base": "two-houses.yaml", "replications": "3"}
    return base | fields


def test_the_bed_values_page_has_the_plan_form(planner):
    client, _, _, _ = planner
    page = client.get("/bed-values").text
    assert 'action="/plans"' in page
    assert 'name="types" value="womens_shelter"' in page


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"beds": ""}, "beds", "give either a number of beds or a budget, not both"),
        ({"budget": "200000"}, "beds", "give either a number of beds or a budget, not both"),
        ({"beds": "0"}, "beds", "must be from 1 to 500"),
        ({"beds": "", "budget": "lots"}, "budget", "must be a number of euros a year"),
        ({"beds": "", "budget": "-5"}, "budget", "must be a positive number of euros a year"),
        ({"beds": "", "budget": "1e308"}, "budget", "must be at most 1,000,000,000 euros a year"),
        ({"method": "guess"}, "method", "must be lp or exact"),
        ({"types": "hotel"}, "types", "unknown placement type &#39;hotel&#39;"),
        ({"regions": "atlantis"}, "regions", "unknown region &#39;atlantis&#39;"),
        ({"base": "../secret.yaml"}, "base", "is not one of the example files"),
        ({"replications": "0"}, "replications", "must be from 1 to"),
    ],
)
def test_a_bad_plan_request_names_the_field(planner, fields, field, message):
    client, token, launched, _ = planner
    page = client.post("/plans", data=_form(token, **fields))
    assert page.status_code == 422
    assert FIELD.format(field) + message in page.text
    assert launched == []


def test_a_plan_request_stores_a_plan_job_and_starts_it(planner):
    client, token, launched, url = planner
    answer = client.post("/plans", data=_form(token, types="womens_shelter", regions="amsterdam"))
    assert answer.status_code == 303
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert launched == [job_id]
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            job = ScenarioJobRepository(session).job(job_id)
    finally:
        engine.dispose()
    assert job.plan == {
        "beds": 1,
        "budget": None,
        "types": ["womens_shelter"],
        "regions": ["amsterdam"],
        "method": "lp",
    }
    assert [s.name for s in job.sources] == ["two-houses.yaml"]
    assert job.progress_total == 2 * 3 * 30  # base and plan x replications x days


@pytest.mark.slow
def test_the_worker_plans_simulates_and_the_page_shows_the_change(planner):
    client, token, _, url = planner
    answer = client.post("/plans", data=_form(token))
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    engine = make_engine(url)
    try:
        worker.run_job(engine, job_id, 600.0)
        with session_scope(engine) as session:
            job = ScenarioJobRepository(session).job(job_id)
    finally:
        engine.dispose()
    assert job.status is JobStatus.DONE
    assert [s.name for s in job.sources] == ["two-houses.yaml", "plan-1-beds.yaml"]
    assert "house-amsterdam" not in job.sources[1].text  # the planned bed: the largest there
    plan = job.result["plan"]
    assert [a["facility_id"] for a in plan["additions"]] == ["ws-amsterdam"]
    assert plan["waits"]["all_cases"]["pairs"] == 3
    page = client.get(f"/scenarios/jobs/{job_id}").text
    assert "The plan: where 1 bed does most good" in page
    assert "Change in mean wait, all cases (plan minus base, paired by replication):" in page
    assert f'href="/scenarios/jobs/{job_id}/tables/plan.csv"' in page
    plan_csv = client.get(f"/scenarios/jobs/{job_id}/tables/plan.csv").content.decode("utf-8-sig")
    assert plan_csv.splitlines()[0] == "placement type,region,facility,beds,EUR a year"
    assert ",ws-amsterdam,1," in plan_csv.splitlines()[1]


def test_beds_of_a_type_the_scenario_lacks_are_left_out_and_said():
    from scenarios import Addition, BedPlan, parse_scenario
    from scenarios.plan_check import left_out, planned_scenario_text

    base = jobs.scenario(jobs.example("two-houses.yaml"), replications=1)
    plan = BedPlan(
        additions=(
            Addition("sheltered_housing", "nijmegen", "sh-nijmegen", 2, 100.0, 5.0),
            Addition("womens_shelter", "utrecht", "ws-utrecht", 1, 50.0, 3.0),
        ),
        steps=(),
        beds_asked=3,
        budget=None,
        seconds=0.0,
        stopped="beds",
    )
    assert [a.placement_type for a in left_out(base, plan)] == ["sheltered_housing"]
    text = planned_scenario_text(base, "two-houses.yaml", plan)
    description = yaml.safe_load(text)["description"]
    assert "left out, no facility of the type in the scenario: 2 sheltered_housing" in description
    planned = parse_scenario(text, source="plan.yaml", base_dir=jobs.EXAMPLES_DIR)
    added = [s for s in planned.supply.bed_steps if s.delta > 0]
    assert [(planned.supply.facilities[s.facility].id, s.delta) for s in added] == [
        ("house-utrecht", 1)
    ]


def test_a_plan_change_from_few_pairs_is_marked_indicative():
    # issue 15: 3 pairs can give a zero-width interval, which reads as certainty
    from api.web.plan_view import _change

    assert _change({"mean": -1.0, "ci95": [-1.0, -1.0], "pairs": 9}) == (
        "-1.0 days (-1.0 to -1.0, indicative)"
    )
    assert _change({"mean": -2.0, "ci95": [-3.0, -1.0], "pairs": 3}) == (
        "-2.0 days (-3.0 to -1.0, indicative)"
    )
    assert _change({"mean": -2.0, "ci95": [-3.0, -1.0], "pairs": 5}) == "-2.0 days (-3.0 to -1.0)"
