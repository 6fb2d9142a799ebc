"""The dashboard's pages for each role, through a test client (no browser).

They call the API's services, so the rules are the API's: tests here check that the pages
use them (the same validation, the same 409, the same ledger, the same roles) and show
the answer where a person reads it.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from capacity import CaseStatus
from capacity.clock import LOCAL_TZ, local_date
from store import Repository, ensure_database, session_scope

FIELD_ERROR = re.compile(r'class="field-error" id="([^"]+)-error">([^<]*)<')


def field_errors(html: str) -> dict[str, str]:
    return dict(FIELD_ERROR.findall(html))


def today() -> str:
    return local_date(datetime.now(UTC)).isoformat()


# -- every page: roles and accessibility basics ------------------------------------------

PAGES = {
    "coordinator": [
        "/waiting-list",
        "/waiting-list?region=amsterdam&complexity=standard",
        "/cases/new",
        "/cases/C-2026-0001",
        "/matching",
        "/matching/runs/1",
        "/deadlines",
    ],
    "reporter-hvo": ["/availability"],
    "policymaker": [
        "/capacity",
        "/bed-values",
        "/waiting-stats",
        "/trends",
        "/forecast",
        "/scenarios",
    ],
    "admin": ["/admin/users", "/admin/audit", "/admin/audit?record_type=user&actor=admin"],
}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_every_page_has_a_title_one_h1_and_a_label_for_every_field(quick_client, web, who):
    web.sign_in(quick_client, who)
    for path in [*PAGES[who], "/login", "/no-such-page"]:
        page = quick_client.get(path)
        assert page.status_code in (200, 404), path
        assert web.accessibility_problems(page.text) == [], path


def test_the_start_page_sends_each_role_to_its_first_page(quick_app, web):
    from fastapi.testclient import TestClient

    first = {
        "coordinator": "/waiting-list",
        "reporter-hvo": "/availability",
        "policymaker": "/capacity",
        "admin": "/waiting-list",
    }
    for who, path in first.items():
        with TestClient(quick_app, follow_redirects=False) as client:
            web.sign_in(client, who)
            assert client.get("/").headers["location"] == path, who


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("policymaker", "/cases/C-2026-0001"),
        ("policymaker", "/waiting-list"),
        ("policymaker", "/availability"),
        ("reporter-hvo", "/cases/C-2026-0001"),
        ("reporter-hvo", "/capacity"),
        ("reporter-hvo", "/scenarios"),
        ("coordinator", "/capacity"),
        ("coordinator", "/bed-values"),
        ("reporter-hvo", "/bed-values"),
        ("coordinator", "/availability"),
        ("coordinator", "/admin/users"),
        ("policymaker", "/admin/audit"),
        ("reporter-hvo", "/admin/users"),
    ],
)
def test_a_role_gets_a_403_page_outside_its_pages(quick_client, web, who, path):
    web.sign_in(quick_client, who)
    page = quick_client.get(path)
    assert page.status_code == 403
    assert "<h1>Not allowed</h1>" in page.text
    assert "C-2026-0001</" not in page.text  # nothing of the case is shown


def test_a_policymaker_opening_a_case_reads_nothing_and_the_audit_log_says_so(client, web, world):
    web.sign_in(client, "policymaker")
    assert client.get("/cases/C-2026-0001").status_code == 403
    engine = ensure_database(world.url)
    try:
        with session_scope(engine) as session:
            reads = Repository(session).audit_entries(record_type="case", record_id="C-2026-0001")
    finally:
        engine.dispose()
    assert [e.actor for e in reads if e.action == "case.read"] == []


def test_an_unknown_case_is_a_404_page(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/cases/C-2099-9999")
    assert page.status_code == 404
    assert "<h1>Not found</h1>" in page.text
    assert "unknown case" in page.text


# -- coordinators ------------------------------------------------------------------------


def test_the_waiting_list_is_ordered_by_priority_with_its_columns(client, web):
    web.sign_in(client, "coordinator")
    page = client.get("/waiting-list")
    assert page.status_code == 200
    ids = re.findall(r'<td><a href="/cases/(C-[^"]+)">', page.text)
    assert ids == ["C-2026-0004", "C-2026-0003", "C-2026-0002", "C-2026-0001"]  # longest wait
    for column in ("Complexity class", "Days waited", "Expected start date", "Responsible"):
        assert column in page.text
    assert "CoMensha" in page.text
    assert today() in page.text  # the expected start date of the proposed cases
    # the two without a proposal say why they have no date (the run did not consider them)
    assert page.text.count('<span class="muted why">awaiting the next matching round</span>') == 2


def test_the_waiting_list_filters_by_region_and_class(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    assert "C-2026-0001" in quick_client.get("/waiting-list?region=amsterdam").text
    assert "C-2026-0001" not in quick_client.get("/waiting-list?region=utrecht").text
    assert "C-2026-0001" not in quick_client.get("/waiting-list?complexity=complex").text
    bad = quick_client.get("/waiting-list?region=atlantis&complexity=huge")
    assert bad.status_code == 422
    errors = field_errors(bad.text)
    assert errors["region"] == "unknown region &#39;atlantis&#39;"
    assert errors["complexity"].startswith("must be one of: standard")


def test_a_case_page_shows_profile_eligibility_with_reasons_and_the_proposal(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/cases/C-2026-0001").text
    assert "EU citizen" in page
    assert "Eligible placement types" in page
    assert "COSM (categorical shelter) serves" in page  # a reason, not just "no"
    proposal = page[page.index('id="proposal"') : page.index("Eligible placement types")]
    assert "<li>women</li>" in proposal  # the proposal's criteria, shown once (issue 14)
    assert proposal.count("women") == 1
    assert 'action="/proposals/1/accept"' in page
    assert 'action="/proposals/1/decline"' in page


def test_accepting_on_the_page_records_the_placement(client, web, world):
    token = web.sign_in(client, "coordinator")
    answer = client.post(f"/proposals/{world.proposal_ids[0]}/accept", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/cases/C-2026-0001?done=accepted"
    page = client.get(answer.headers["location"]).text
    assert "Proposal accepted" in page
    assert "Placed at <strong>Ws Amsterdam</strong>" in page
    api = client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator")).json()
    assert api["status"] == "placed"


def test_accepting_when_the_bed_went_shows_the_409_message(client, web, world):
    """The race-safe path of the API: the bed went in the meantime, nothing is written."""
    report = {"beds_free": 0, "as_of": datetime.now(UTC).isoformat()}
    put = client.put(
        "/v1/facilities/ws-amsterdam/availability", json=report, headers=world.auth("reporter-hvo")
    )
    assert put.status_code == 201
    token = web.sign_in(client, "coordinator")
    page = client.post(f"/proposals/{world.proposal_ids[0]}/accept", data={"csrf_token": token})
    assert page.status_code == 409
    assert f"facility ws-amsterdam has 0 free beds on {today()}; needs 1" in page.text
    assert 'role="alert"' in page.text
    api = client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator")).json()
    assert api["status"] == "proposed"


def test_the_last_bed_accepted_twice_gives_one_placement_and_one_409(client, web, world):
    report = {"beds_free": 1, "as_of": datetime.now(UTC).isoformat()}
    client.put(
        "/v1/facilities/ws-amsterdam/availability", json=report, headers=world.auth("reporter-hvo")
    )
    token = web.sign_in(client, "coordinator")
    first = client.post(f"/proposals/{world.proposal_ids[0]}/accept", data={"csrf_token": token})
    second = client.post(f"/proposals/{world.proposal_ids[1]}/accept", data={"csrf_token": token})
    assert [first.status_code, second.status_code] == [303, 409]
    assert "free beds on" in second.text


def test_declining_needs_a_coded_reason_and_text_for_other(client, web, world):
    token = web.sign_in(client, "coordinator")
    url = f"/proposals/{world.proposal_ids[0]}/decline"
    missing = client.post(url, data={"csrf_token": token, "reason": ""})
    assert missing.status_code == 422
    assert "reason" in field_errors(missing.text)
    other = client.post(url, data={"csrf_token": token, "reason": "other", "text": ""})
    assert other.status_code == 422
    assert field_errors(other.text)["text"] == "is required when the reason is &#39;other&#39;"
    done = client.post(url, data={"csrf_token": token, "reason": "facility_declined"})
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Proposal declined" in page
    assert "Why this case waits: awaiting the next matching round" in page
    again = client.post(url, data={"csrf_token": token, "reason": "unsafe"})
    assert again.status_code == 409
    assert "only a pending proposal can be decided" in again.text


def test_a_decline_text_with_identity_data_is_shown_at_the_field_and_not_stored(client, web, world):
    token = web.sign_in(client, "coordinator")
    url = f"/proposals/{world.proposal_ids[0]}/decline"
    text = "Jan Jansen, Kerkstraat 1, BSN 123456782"
    refused = client.post(url, data={"csrf_token": token, "reason": "other", "text": text})
    assert refused.status_code == 422
    assert "looks like a phone number or a BSN" in field_errors(refused.text)["text"]
    assert f'value="{text}"' in refused.text  # the form keeps what was typed, to correct it
    api = client.get(f"/v1/proposals/{world.proposal_ids[0]}", headers=world.auth("coordinator"))
    assert (api.json()["status"], api.json()["decline_text"]) == ("pending", None)


INTAKE = {
    "age": "34",
    "gender": "female",
    "residence_status": "eu",
    "exploitation_type": "sexual",
    "region_signalled": "utrecht",
    "region_of_exploitation": "amsterdam",
    "responsible_organisation": "CoMensha",
    "accompanying_children": "0",
    "safety_risk": "medium",
    "needs": ["trauma_care", "interpreter"],
    "interpreter_language": "ro",
}


def test_the_intake_form_registers_a_case_as_the_api_does(client, web, world):
    token = web.sign_in(client, "coordinator")
    answer = client.post("/cases/new", data={**INTAKE, "csrf_token": token})
    assert answer.status_code == 303
    case_id = re.fullmatch(r"/cases/(C-\d{4}-\d{4})\?done=registered", answer.headers["location"])
    assert case_id is not None
    api = client.get(f"/v1/cases/{case_id.group(1)}", headers=world.auth("coordinator")).json()
    assert api["needs"] == ["interpreter", "trauma_care"]
    assert api["interpreter_language"] == "ro"
    assert api["safety_risk"] == "medium"
    assert "The case is registered" in client.get(answer.headers["location"]).text


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"age": "thirty"}, "age", "must be a whole number"),
        ({"age": "121"}, "age", "must be at most 120"),
        ({"gender": ""}, "gender", "is required"),
        ({"gender": "robot"}, "gender", "choose one of the options in the list"),
        ({"region_signalled": "atlantis"}, "region_signalled", "unknown region"),
        ({"needs": ["trauma_care"]}, "interpreter_language", "only given when the needs"),
        (
            {"interpreter_language": "romanian"},
            "interpreter_language",
            "not an ISO 639 language code; Romanian is",
        ),
        (
            {"responsible_organisation": "Jan de Vries 06-12345678"},
            "responsible_organisation",
            "looks like a phone number",
        ),
        (
            {"responsible_organisation": "Stichting Onbekend"},
            "responsible_organisation",
            "is not on the list of organisations",
        ),
        ({"intake_date": "2999-01-01"}, "intake_date", "lies in the future"),
        ({"responsible_organisation": "x" * 81}, "responsible_organisation", "at most 80"),
        ({"unaccompanied": "yes"}, "unaccompanied", "only a minor"),
    ],
)
def test_intake_errors_are_shown_next_to_their_fields(quick_client, web, change, field, words):
    token = web.sign_in(quick_client, "coordinator")
    page = quick_client.post("/cases/new", data={**INTAKE, **change, "csrf_token": token})
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert field in errors, errors
    assert words in errors[field]
    assert f'id="{field}"' in page.text  # the field the message belongs to is on the page
    assert 'value="CoMensha"' in page.text or field == "responsible_organisation"  # kept


def test_an_intake_with_three_bad_fields_names_each_next_to_its_field(
    quick_client, web, quick_world
):
    """The form named the first refused field only: a coordinator corrected the region,
    sent it again and only then met the interpreter language, then the unaccompanied box."""
    token = web.sign_in(quick_client, "coordinator")
    cases = quick_client.get("/v1/cases", headers=quick_world.auth("coordinator")).json()["count"]
    three = {"region_signalled": "atlantis", "needs": ["trauma_care"], "unaccompanied": "yes"}
    page = quick_client.post("/cases/new", data={**INTAKE, **three, "csrf_token": token})
    assert page.status_code == 422
    assert field_errors(html.unescape(page.text)) == {
        "region_signalled": "unknown region 'atlantis'",
        "interpreter_language": "only given when the needs include 'interpreter'",
        "unaccompanied": "only a minor (under 18) can be an unaccompanied minor",
    }
    for field in ("region_signalled", "interpreter_language", "unaccompanied"):
        assert f'aria-describedby="{field}-error"' in page.text  # each message at its field
    assert 'value="CoMensha"' in page.text  # the rest as it was filled in
    after = quick_client.get("/v1/cases", headers=quick_world.auth("coordinator")).json()
    assert after["count"] == cases  # nothing stored


def test_a_matching_round_from_the_page_shows_status_objective_gap_and_proposals(client, web):
    token = web.sign_in(client, "coordinator")
    answer = client.post("/matching", data={"csrf_token": token})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    for words in ("Optimality gap", "Objective", 'class="run-status">optimal<', "Proposals"):
        assert words in page
    # issue 11: the stages of the solve (this small round: one step of min-cost flow)
    assert "How the solve went" in page
    assert re.search(r"<tr><td>flow</td><td>1 of 1</td><td>[\d.]+</td><td>[\d.]+</td>", page)
    assert re.search(r'<a href="/cases/C-2026-000\d">', page)
    assert "Matching round 2" in page


# -- region reporters --------------------------------------------------------------------


def test_a_reporter_sees_only_their_own_facilities(quick_client, web):
    web.sign_in(quick_client, "reporter-hvo")
    page = quick_client.get("/availability").text
    assert 'name="beds_free:ws-amsterdam"' in page
    assert "cosm-leeuwarden" not in page
    assert "Ws Amsterdam" in page


def test_a_report_on_the_form_goes_into_the_ledger(client, web, world):
    token = web.sign_in(client, "reporter-hvo")
    answer = client.post("/availability", data={"csrf_token": token, "beds_free:ws-amsterdam": "3"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/availability?saved=1"
    page = client.get(answer.headers["location"]).text
    assert "1 availability report saved" in page
    assert '<td class="num beds-free">3</td>' in page
    history = client.get(
        "/v1/facilities/ws-amsterdam/availability", headers=world.auth("reporter-hvo")
    ).json()
    assert history["count"] == 2
    assert history["data"][0]["beds_free"] == 3
    assert history["data"][0]["reporter"] == "reporter-hvo"


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"beds_free:ws-amsterdam": "5"}, "beds_free:ws-amsterdam", "must be from 0 to 4"),
        ({"beds_free:ws-amsterdam": "-1"}, "beds_free:ws-amsterdam", "must be at least 0"),
        ({"beds_free:ws-amsterdam": "two"}, "beds_free:ws-amsterdam", "must be a whole number"),
        ({"beds_free:ws-amsterdam": "1", "as_of": "yesterday"}, "as_of", "must be a date"),
        ({"beds_free:ws-amsterdam": "1", "as_of": "2020-01-01T10:00"}, "as_of", "is older than"),
    ],
)
def test_report_errors_are_shown_next_to_their_fields(quick_client, web, form, field, words):
    token = web.sign_in(quick_client, "reporter-hvo")
    page = quick_client.post("/availability", data={**form, "csrf_token": token})
    assert page.status_code == 422
    errors = field_errors(page.text)
    key = field.replace(":", "-")
    assert key in errors, errors
    assert words in errors[key]
    assert "Nothing was saved" in page.text


def test_a_report_of_more_free_beds_than_the_placements_leave_is_flagged_on_the_page(
    client, web, world
):
    # issue 10: 4 beds with 1 placed there; a report of 4 free counts as 3, and says why
    token = web.sign_in(client, "reporter-hvo")
    answer = client.post("/availability", data={"csrf_token": token, "beds_free:ws-amsterdam": "4"})
    assert answer.status_code == 303
    page = client.get(answer.headers["location"]).text
    assert '<span class="counted">counted: 3</span>' in page
    assert "record their discharge" in page


def test_a_report_in_dutch_local_time_is_stored_as_that_moment(client, web, world):
    moment = (datetime.now(LOCAL_TZ) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    token = web.sign_in(client, "reporter-hvo")
    form = {
        "csrf_token": token,
        "beds_free:ws-amsterdam": "1",
        "as_of": moment.strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post("/availability", data=form).status_code == 303
    history = client.get(
        "/v1/facilities/ws-amsterdam/availability", headers=world.auth("reporter-hvo")
    ).json()
    assert datetime.fromisoformat(history["data"][0]["as_of"]) == moment


def test_a_reporter_cannot_report_for_another_providers_facility(quick_client, web):
    token = web.sign_in(quick_client, "reporter-hvo")
    page = quick_client.post(
        "/availability", data={"csrf_token": token, "beds_free:cosm-leeuwarden": "1"}
    )
    assert page.status_code == 403
    assert "may not report availability for cosm-leeuwarden" in page.text


# -- policymakers ------------------------------------------------------------------------


def test_the_capacity_page_has_the_map_of_35_regions_and_suppressed_tables(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/capacity").text
    assert len(re.findall(r'<circle class="region ', page)) == 35
    assert "Women&#39;s shelter" in page
    assert '<span class="suppressed"' in page  # 4 cases wait in Amsterdam: suppressed
    assert "&lt;5" not in page  # supply is shown as it is (issue 15)
    assert "Capacity gaps" in page
    assert "C-2026" not in page  # aggregates only


def _cells(page: str, table_class: str) -> dict[str, list[str]]:
    """Rows of a table (by their header cell) and their cells' text."""
    body = re.search(rf'<table class="data {table_class}">(.*?)</table>', page, re.S)
    assert body, table_class
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    out = {}
    for row in rows:
        cells = [html.unescape(c.strip()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        out[cells[0]] = cells[1:]
    return out


def test_the_capacity_page_has_beds_by_placement_type_in_each_region(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/capacity").text
    table = _cells(page, "type-region")
    assert table["Region"] == ["COSM (categorical shelter)", "Women's shelter"]  # with facilities
    # one facility each: Amsterdam 4 women's shelter beds (2 free), Leeuwarden 6 COSM beds;
    # supply is not about people, so small numbers are shown (issue 15)
    assert table["Amsterdam"] == ["-", "4 / 2"]
    by_region = _cells(page, "regions")
    beds, free = by_region["Leeuwarden"][1], by_region["Leeuwarden"][3]
    assert table["Leeuwarden"] == [f"{beds} / {free}", "-"]
    assert beds == "6"
    assert list(table) == ["Region", "Amsterdam", "Leeuwarden"]  # only regions with beds


def test_the_bed_values_page_ranks_one_more_bed_per_type_and_region(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    capacity = quick_client.get("/capacity").text
    assert 'href="/bed-values"' in capacity  # in the navigation and in the capacity page
    page = quick_client.get("/bed-values").text
    table = _cells(page, "bed-values")
    assert list(table) == ["Rank", "1"]
    assert table["1"][:3] == ["Women's shelter", "Amsterdam", "ws-amsterdam"]
    assert float(table["1"][3].replace(",", "")) > 0
    assert "Incomplete" not in page
    assert "C-2026-" not in page  # supply figures only, never a case


def test_the_bed_values_page_refuses_a_bad_time_limit(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/bed-values?time_limit=600")
    assert page.status_code == 422
    assert "time_limit: must be a whole number of seconds from 1 to 60" in page.text


def test_the_map_names_its_marks_with_the_glossary_terms(quick_client, web):
    glossary = (Path(__file__).parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")
    terms = {
        row.split("|")[2].strip().split(":")[0]
        for row in glossary.splitlines()
        if row.startswith("| ")
    }
    assert {"short of beds", "capacity gap"} <= terms
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get("/capacity").text
    legend = re.search(r'<ul class="legend">(.*?)</ul>', page, re.S)
    assert legend
    assert "short of beds: " in legend.group(1)
    assert "a dark ring marks a region short of beds" in page  # the ring is dark, not red
    assert "<h2>Capacity gaps</h2>" in page
    assert "capacity gap" not in legend.group(1).lower()  # another thing: not on the map


def test_a_region_short_of_beds_is_marked_on_the_map_and_in_the_table(client, web, world):
    engine = ensure_database(world.url)
    try:
        with session_scope(engine) as session:
            repo = Repository(session)
            template = repo.case("C-2026-0001")
            for i in range(6, 9):  # then 7 cases signalled in Amsterdam wait; 2 beds are free
                repo.add_case(replace(template, id=f"C-2026-{i:04d}", status=CaseStatus.WAITING))
    finally:
        engine.dispose()
    web.sign_in(client, "policymaker")
    page = client.get("/capacity").text
    marks = dict(re.findall(r'data-region="([a-z-]+)">\s*<circle class="([^"]+)"', page))
    assert len(marks) == 35
    assert "short" in marks["amsterdam"].split()
    assert [r for r, classes in marks.items() if "short" in classes.split()] == ["amsterdam"]
    assert re.search(r'<tr class="short">\s*<td>Amsterdam</td>', page)


@pytest.mark.parametrize(
    ("upload", "words"),
    [
        (b"base: /etc/passwd\nname: x\n", "base: must name one of the example files"),
        (b"name: x\nrulebook: ../../secret.yaml\n", "rulebook: must name a bundled rulebook"),
        (b"a: &x [1]\nb: *x\n", "anchors and aliases are not supported"),
        (b"name: x\nseed: 1\nhorizon_days: 10\npolicy: fifo\nbogus: 1\n", "bogus: is not a known"),
        (b"name: [unclosed\n", "is not valid YAML"),
        (b"\xff\xfe not text", "is not UTF-8 text"),
    ],
)
def test_an_uploaded_scenario_file_is_validated_with_clear_errors(quick_client, web, upload, words):
    token = web.sign_in(quick_client, "policymaker")
    page = quick_client.post(
        "/scenarios",
        data={"csrf_token": token, "example": "", "replications": "1"},
        files={"upload": ("mine.yaml", upload, "text/yaml")},
    )
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert "upload" in errors, errors
    assert errors["upload"].startswith("mine.yaml")
    assert words in errors["upload"].replace("&#39;", "'")


def test_too_many_replications_or_a_missing_example_are_refused(quick_client, web):
    token = web.sign_in(quick_client, "policymaker")
    page = quick_client.post(
        "/scenarios", data={"csrf_token": token, "example": "nope.yaml", "replications": "99"}
    )
    assert page.status_code == 422
    errors = field_errors(page.text)
    assert errors["replications"] == "must be from 1 to 5"
    assert "is not one of the example files" in errors["example"]


def test_an_unknown_scenario_run_and_chart_are_404_pages(quick_client, web):
    web.sign_in(quick_client, "policymaker")
    assert quick_client.get("/scenarios/jobs/99").status_code == 404
    assert quick_client.get("/scenarios/jobs/abc").status_code == 404
    assert quick_client.get("/scenarios/jobs/99/charts/x.png").status_code == 404


def _finished_job(url: str, complex_cases: float) -> int:
    """A done scenario job in the database, its result as the worker stores it."""
    from store.service import JobStatus, ScenarioJobRepository, ScenarioSource

    group = {
        "cases": 40.0,
        "wait_days": {"mean": 3.0, "ci95": [2.0, 4.0], "p90": 6.0},
        "placed_within_target": 0.9,
        "unplaced_at_end": 1.0,
        "capacity_gap_cases": 0.0,
    }
    doc = {
        "scenario": {"name": "run", "policy": "fifo", "rulebook": "national-v1"}
        | {"replications": 2, "horizon_days": 30},
        "overall": group,
        "by_class": {"standard": group, "complex_cases": {**group, "cases": complex_cases}},
        "out_of_region": {"share": 0.1},
        "occupancy": {"overall": 0.9},
        "cost": {"total_per_year": 1000.0},
        "budget_overrun": {"total": 0.0},
    }
    png = "iVBORw0KGgo="  # the PNG signature: enough for the page
    result = {
        "labels": ["run"],
        "runs": [doc],
        "charts": dict.fromkeys(
            ["compare_mean_wait.png", "compare_wait_by_class.png", "compare_waiting.png"], png
        ),
    }
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            jobs = ScenarioJobRepository(session)
            job = jobs.add(
                created_by="policymaker",
                sources=[ScenarioSource("two-houses.yaml", "name: run\n")],
                replications=2,
                progress_total=60,
            )
            jobs.update(job.id, status=JobStatus.DONE, message="finished", result=result)
    finally:
        engine.dispose()
    return job.id


def test_a_finished_scenario_run_says_which_classes_its_charts_leave_out(
    quick_client, quick_world, web
):
    job_id = _finished_job(quick_world.url, complex_cases=3.0)
    web.sign_in(quick_client, "policymaker")
    page = quick_client.get(f"/scenarios/jobs/{job_id}")
    assert page.status_code == 200
    captions = re.findall(r"<figcaption>([^<]*)</figcaption>", page.text)
    assert len(captions) == 3
    assert captions[0].endswith(
        "Classes of fewer than 5 cases (mean per replication) are not drawn, as their waits "
        "would show single cases (left out: complex cases)."
    )
    assert captions[1].endswith("(left out: complex cases).")
    assert captions[2] == "Cases waiting, day by day"


# -- no external assets ------------------------------------------------------------------

EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.I)  # http(s) or scheme-relative
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""", re.I)
ASSET_ATTRIBUTES = {"src", "href", "srcset", "poster", "data", "xlink:href", "background"}
NOT_ASSETS = {"a", "form", "base"}  # links and form targets are not loaded with the page


class AssetRefs(HTMLParser):
    """Every address a page would load: attributes, inline styles and style elements."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.refs += CSS_URL.findall(value)
            elif name == "content" and "url=" in value.lower():  # <meta http-equiv=refresh>
                self.refs.append(value.lower().split("url=", 1)[1])
            elif name in ASSET_ATTRIBUTES and tag not in NOT_ASSETS:
                self.refs += [part.split()[0] for part in value.split(",") if part.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs += CSS_URL.findall(data)


def external_assets(page: str) -> list[str]:
    parser = AssetRefs()
    parser.feed(page)
    return [ref for ref in parser.refs if EXTERNAL.match(ref)]


def test_the_asset_check_finds_scripts_styles_images_and_fonts_from_elsewhere():
    page = """<html><head>
      <link rel="stylesheet" href="https://cdn.example/x.css">
      <link rel="preload" as="font" href="//fonts.example/f.woff2">
      <script src="http://cdn.example/x.js"></script>
      <style>@font-face { src: url("https://fonts.example/f.woff2"); } @import 'http://e/x.css';</style>
      </head><body style="background: url(https://img.example/bg.png)">
      <img src="/static/ok.png" srcset="/static/ok.png 1x, https://img.example/2x.png 2x">
      <svg><image href="https://img.example/i.svg"/></svg>
      <a href="https://example.org/">a link is not an asset</a></body></html>"""
    assert external_assets(page) == [
        "https://cdn.example/x.css",
        "//fonts.example/f.woff2",
        "http://cdn.example/x.js",
        "https://fonts.example/f.woff2",
        "http://e/x.css",
        "https://img.example/bg.png",
        "https://img.example/2x.png",
        "https://img.example/i.svg",
    ]


def test_no_dashboard_page_loads_anything_from_another_site(quick_client, quick_world, web):
    job_id = _finished_job(quick_world.url, complex_cases=30.0)
    pages = {
        "coordinator": [*PAGES["coordinator"], "/no-such-page"],
        "reporter-hvo": PAGES["reporter-hvo"],
        "policymaker": [*PAGES["policymaker"], f"/scenarios/jobs/{job_id}", "/waiting-list"],
    }
    login = quick_client.get("/login")
    assert external_assets(login.text) == []
    own: set[str] = set()
    for who, paths in pages.items():
        web.sign_in(quick_client, who)
        for path in paths:
            page = quick_client.get(path).text
            assert external_assets(page) == [], path
            parser = AssetRefs()
            parser.feed(page)
            own |= {ref for ref in parser.refs if ref.startswith("/static/")}
        quick_client.cookies.clear()
    assert {"/static/opvang.css", "/static/opvang.js"} <= own
    for ref in sorted(own):  # and the style sheet, script and icon load nothing either
        text = quick_client.get(ref).text
        if ref.endswith(".svg"):
            assert external_assets(text) == [], ref  # its xmlns is a name, not an address
        elif ref.endswith(".css"):
            assert [u for u in CSS_URL.findall(text) if EXTERNAL.match(u)] == [], ref
        else:
            assert not re.search(r"""["'`](?:https?:)?//""", text), ref
