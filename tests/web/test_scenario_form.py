"""The scenarios page's form "change the national demo" (issue 15): no YAML to write."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import ApiSettings
from api.web import scenario_jobs as jobs
from api.web import scenario_worker as worker
from store import make_engine, session_scope
from store.service import ScenarioJobRepository

FIELD = 'class="field-error" id="{}-error">'


@pytest.fixture
def policymaker(quick_world, web, monkeypatch):
    """A signed-in policymaker on the small world, with no worker process started."""
    launched: list[int] = []
    monkeypatch.setattr(jobs, "launch", lambda db, job_id, **k: launched.append(job_id))
    app = create_app(ApiSettings(database_url=quick_world.url))
    with TestClient(app, follow_redirects=False) as client:
        token = web.sign_in(client, "policymaker")
        yield client, token, launched, quick_world.url


def _form(token: str, **fields: str) -> dict[str, str]:
    base = {"csrf_token": token, "change_base": "two-houses.yaml", "change_replications": "2"}
    base |= {"beds-0-placement_type": "womens_shelter", "beds-0-region": "utrecht"}
    return base | {"beds-0-beds": "2"} | fields


def _stored(url: str, job_id: int):
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return ScenarioJobRepository(session).job(job_id)
    finally:
        engine.dispose()


def test_the_scenarios_page_has_the_change_form(policymaker):
    client, _, _, _ = policymaker
    page = client.get("/scenarios").text
    assert 'action="/scenarios/changes"' in page
    assert 'name="beds-4-placement_type"' in page
    assert 'value="vws-omm"' in page  # the national demo's capped streams


def test_a_change_stores_the_base_and_the_changed_file_and_starts_them(policymaker):
    client, token, launched, url = policymaker
    answer = client.post("/scenarios/changes", data=_form(token, change_policy="fifo"))
    assert answer.status_code == 303, answer.text
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert launched == [job_id]
    job = _stored(url, job_id)
    assert [s.name for s in job.sources] == ["two-houses-fifo.yaml", "two-houses-fifo-changed.yaml"]
    changed = yaml.safe_load(job.sources[1].text)
    assert changed["base"] == "two-houses.yaml"
    assert changed["policy"] == "fifo"
    assert changed["supply"]["changes"] == [
        {"day": 0, "beds": {"placement_type": "womens_shelter", "region": "utrecht", "add": 2}}
    ]
    assert job.progress_total == 2 * 2 * 30  # two runs x replications x days
    page = client.get(f"/scenarios/jobs/{job_id}").text
    assert "two-houses-fifo-changed.yaml" in page
    assert f'href="/scenarios/jobs/{job_id}/files/1" download' in page
    download = client.get(f"/scenarios/jobs/{job_id}/files/1")
    assert download.status_code == 200
    assert 'filename="two-houses-fifo-changed.yaml"' in download.headers["content-disposition"]
    assert yaml.safe_load(download.text) == changed
    assert client.get(f"/scenarios/jobs/{job_id}/files/2").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"beds-0-placement_type": "hotel"}, "beds-0-placement_type", "unknown placement type"),
        ({"beds-0-region": "atlantis"}, "beds-0-region", "unknown region &#39;atlantis&#39;"),
        (
            {"beds-0-beds": "-2"},
            "beds-0-beds",
            "only 1 bed of type Women&#39;s shelter in Utrecht to remove",
        ),
        ({"beds-0-beds": "two"}, "beds-0-beds", "must be a whole number"),
        ({"beds-0-region": ""}, "beds-0-region", "is required in a filled row"),
        (
            {"beds-2-placement_type": "cosm", "beds-2-region": "utrecht", "beds-2-beds": "1"},
            "beds-2-placement_type",
            "the scenario has no cosm facility",
        ),
        (
            {"budgets-1-stream": "vws-omm", "budgets-1-per_year": "1000"},
            "budgets-1-stream",
            "unknown funding stream",
        ),
        ({"budgets-0-per_year": "lots"}, "budgets-0-per_year", "must be a number of euros"),
        ({"change_replications": "0"}, "change_replications", "must be from 1 to"),
        ({"change_horizon_days": "9999"}, "change_horizon_days", "must be from 1 to 730 days"),
        ({"change_policy": "lottery"}, "change_policy", "unknown policy"),
        ({"change_base": "../secret.yaml"}, "change_base", "is not one of the example files"),
    ],
)
def test_a_change_that_cannot_apply_is_a_422_naming_its_field(policymaker, fields, field, message):
    client, token, launched, _ = policymaker
    page = client.post("/scenarios/changes", data=_form(token, **fields))
    assert page.status_code == 422
    assert FIELD.format(field) + message in page.text
    assert launched == []
    beds = _form(token, **fields)["beds-0-beds"]
    assert f'name="beds-0-beds" type="text" value="{beds}"' in page.text  # filled in again


def run_worker(url: str, job_id: int) -> None:
    """Run a stored job as the worker process does (here, in this process)."""
    engine = make_engine(url)
    try:
        worker.run_job(engine, job_id, 600.0)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_finished_change_shows_paired_differences_and_every_table_as_csv(policymaker):
    client, token, _, url = policymaker
    fields = {"beds-0-beds": "-1", "change_replications": "3", "change_horizon_days": "20"}
    answer = client.post("/scenarios/changes", data=_form(token, **fields))
    job_id = int(answer.headers["location"].rsplit("/", 1)[1])
    run_worker(url, job_id)
    job = _stored(url, job_id)
    assert len(job.result["paired_values"]) == 2
    assert [len(v) for v in job.result["paired_values"]] == [3, 3]
    page = client.get(f"/scenarios/jobs/{job_id}").text
    assert "Paired differences from two-houses-20-days" in page
    for table in ("kpis", "paired"):
        assert f'href="/scenarios/jobs/{job_id}/tables/{table}.csv"' in page
        csv = client.get(f"/scenarios/jobs/{job_id}/tables/{table}.csv")
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
    kpis = client.get(f"/scenarios/jobs/{job_id}/tables/kpis.csv").content.decode("utf-8-sig")
    assert kpis.splitlines()[0] == "KPI,two-houses-20-days,two-houses-20-days-changed"
    assert "replications,3,3" in kpis
    paired = client.get(f"/scenarios/jobs/{job_id}/tables/paired.csv").content.decode("utf-8-sig")
    assert paired.splitlines()[0].startswith("run,KPI,difference from the first run")
    assert "cost per year (EUR)" in paired  # cases under 5: their waits are left out
    assert "mean wait" not in paired
    assert client.get(f"/scenarios/jobs/{job_id}/tables/plan.csv").status_code == 404
    assert f'href="/scenarios/jobs/{job_id}/charts/compare_waiting.png" download' in page


@pytest.mark.slow
def test_stored_runs_are_compared_flagged_and_downloadable(policymaker):
    client, token, _, url = policymaker
    ids = []
    for n in ("3", "2"):  # one after the other: at most 2 jobs at once
        answer = client.post("/scenarios/changes", data=_form(token, change_replications=n))
        ids.append(int(answer.headers["location"].rsplit("/", 1)[1]))
        run_worker(url, ids[-1])
    a, b = ids
    listing = client.get("/scenarios/compare").text
    assert f'name="jobs" value="{a}"' in listing
    assert f'name="jobs" value="{b}"' in listing
    query = f"jobs={a}&jobs={b}"
    in_html = query.replace("&", "&amp;")
    page = client.get(f"/scenarios/compare?{query}")
    assert page.status_code == 200
    assert f"run {a}: two-houses-changed" in page.text
    assert "The runs have different replications (2, 3)" in page.text
    assert f'name="jobs" value="{a}" id="jobs-{a}" checked' in page.text
    for table in ("kpis", "paired"):
        assert f'href="/scenarios/compare/tables/{table}.csv?{in_html}"' in page.text
        csv = client.get(f"/scenarios/compare/tables/{table}.csv?{query}")
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
    kpis = client.get(f"/scenarios/compare/tables/kpis.csv?{query}").content.decode("utf-8-sig")
    assert "replications,3,3,2,2" in kpis
    paired = client.get(f"/scenarios/compare/tables/paired.csv?{query}").content.decode("utf-8-sig")
    assert f"run {a}: two-houses-changed" in paired
    assert f"run {b}:" not in paired  # other replications: not paired with the first run
    for chart in ("compare_mean_wait.png", "compare_waiting.png"):
        assert f'href="/scenarios/compare/charts/{chart}?{in_html}" download' in page.text
        png = client.get(f"/scenarios/compare/charts/{chart}?{query}")
        assert png.status_code == 200
        assert png.content.startswith(b"\x89PNG")
    one = client.get(f"/scenarios/compare?jobs={a}")
    assert one.status_code == 422
    assert "choose from 2 to 8 different runs" in one.text
    assert client.get("/scenarios/compare?jobs=999998&jobs=999999").status_code == 404
    assert client.get(f"/scenarios/compare/tables/kpis.csv?jobs={a}").status_code == 422
    assert client.get(f"/scenarios/compare/charts/nope.png?{query}").status_code == 404


def test_a_change_beyond_the_jobs_at_once_is_a_429_with_retry_after(quick_world, web, monkeypatch):
    monkeypatch.setenv("OPVANG_WEB_SCENARIO_JOBS_AT_ONCE", "1")
    monkeypatch.setattr(jobs, "launch", lambda *a, **k: None)  # no worker process here
    app = create_app(ApiSettings(database_url=quick_world.url))
    with TestClient(app, follow_redirects=False) as client:
        token = web.sign_in(client, "policymaker")
        assert client.post("/scenarios/changes", data=_form(token)).status_code == 303
        refused = client.post("/scenarios/changes", data=_form(token))
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    assert "1 scenario run in progress" in refused.text
    assert 'name="beds-0-beds" type="text" value="2"' in refused.text
