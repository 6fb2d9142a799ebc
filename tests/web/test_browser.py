"""The dashboard in a real headless browser (Debian's Chromium through Playwright).

Against :func:`live_server`: ``opvang serve --demo`` on 127.0.0.1 with the national demo
dataset and its demo users. Every page a test looks at is checked for a title, one h1
and a label for every field; if a test fails, screenshots of those pages are written to
its temporary folder (see the ``page`` fixture).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.slow

A11Y = """() => {
  const skip = ["hidden", "submit", "button", "reset", "image"];
  const fields = [...document.querySelectorAll("input, select, textarea")]
    .filter((e) => !skip.includes(e.type));
  return {
    title: document.title,
    h1: document.querySelectorAll("h1").length,
    unlabelled: fields.filter((e) => e.labels.length === 0).map((e) => e.name || e.outerHTML),
  };
}"""


def check(page: Any, visits: Any, name: str) -> None:
    """Accessibility basics of the page shown now; its screenshot kept for a failure."""
    shot = _screenshot(page)
    if shot is not None:
        visits.shots.append((name, shot))
    facts = page.evaluate(A11Y)
    assert facts["title"].endswith("· Opvang"), facts
    assert facts["h1"] == 1, facts
    assert facts["unlabelled"] == [], facts


def _screenshot(page: Any) -> bytes | None:
    """The page as a picture, for a failure's record only: never a reason to fail.

    Headless Chromium now and then answers "Unable to capture screenshot" (seen twice in
    CI, on two tests, once while a page reloaded itself): one retry, then none.
    """
    for attempt in range(2):
        try:
            shot: bytes = page.screenshot()
            return shot
        except PlaywrightError:
            if attempt == 0:
                page.wait_for_timeout(500)
    return None


def sign_in(page: Any, live_server: Any, name: str) -> None:
    page.goto("/")
    assert page.url.endswith("/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(live_server.passwords[name])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_a_coordinator_runs_a_round_and_accepts_a_proposal(page, live_server, visits):
    sign_in(page, live_server, "demo-coordinator")
    assert page.url.endswith("/waiting-list")
    check(page, visits, "waiting-list")
    assert page.locator("table.data tbody tr").count() == 50  # a page of the list (issue 14)
    page.get_by_label("Complexity class").select_option("highly_complex")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"complexity=highly_complex"))
    classes = page.locator("table.data tbody td:nth-child(3)").all_inner_texts()
    assert classes
    assert set(classes) == {"highly complex"}

    page.locator("table.data tbody a").first.click()
    page.wait_for_url(re.compile(r"/cases/C-"))
    check(page, visits, "case-before")
    assert page.get_by_role("heading", name="Eligible placement types").is_visible()

    page.get_by_role("link", name="Matching rounds").click()
    check(page, visits, "matching")
    page.get_by_role("button", name="Run a matching round now").click()
    page.wait_for_url(re.compile(r"/matching/runs/\d+$"), timeout=90_000)
    check(page, visits, "run")
    assert page.locator(".run-status").inner_text() in ("optimal", "feasible")
    assert page.locator(".run-objective").inner_text()
    assert page.locator(".run-gap").inner_text().endswith("%")
    proposals = page.locator("table.proposals tbody tr")
    assert proposals.count() > 10

    proposals.first.locator("a").click()
    page.wait_for_url(re.compile(r"/cases/C-"))
    check(page, visits, "case-proposed")
    assert page.locator(".explanation").inner_text()
    page.get_by_role("button", name="Accept proposal").click()
    page.wait_for_url(re.compile(r"done=accepted"))
    check(page, visits, "case-placed")
    assert "Proposal accepted" in page.locator("[role=status]").inner_text()
    assert "Placed at" in page.locator("#placement").inner_text()


def test_a_coordinator_registers_a_case_after_fixing_the_form(page, live_server, visits):
    sign_in(page, live_server, "demo-coordinator")
    page.get_by_role("link", name="New case (intake)").click()
    check(page, visits, "intake")
    page.get_by_label("Age (years)").fill("130")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("Residence status").select_option("eu")
    page.get_by_label("Exploitation type").select_option("labour")
    page.get_by_label("Region signalled").select_option("utrecht")
    page.get_by_label("Region of exploitation").select_option("rotterdam")
    page.get_by_label("mental-health care").check()
    page.get_by_label("Responsible organisation").select_option("CoMensha")  # a list (issue 14)
    with page.expect_navigation():  # the same address again, with the messages
        page.get_by_role("button", name="Register case").click()
    check(page, visits, "intake-refused")
    assert "must be at most 120" in page.locator("#age-error").inner_text()
    assert page.get_by_label("Age (years)").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("mental-health care").is_checked()  # the form kept its values
    page.get_by_label("Age (years)").fill("34")
    page.get_by_role("button", name="Register case").click()
    page.wait_for_url(re.compile(r"/cases/C-\d{4}-\d{4}\?done=registered"))
    check(page, visits, "case-registered")
    assert "The case is registered" in page.locator("[role=status]").inner_text()


def test_a_region_reporter_reports_beds_for_their_facilities(page, live_server, visits):
    sign_in(page, live_server, "demo-reporter")
    assert page.url.endswith("/availability")
    check(page, visits, "availability")
    rows = page.locator("table.availability tbody tr")
    assert rows.count() == 6  # the demo's Utrecht facilities
    first = rows.first
    facility = first.get_attribute("data-facility")
    first.locator("input").fill("1")
    page.get_by_role("button", name="Save availability reports").click()
    page.wait_for_url(re.compile(r"saved=1"))
    check(page, visits, "availability-saved")
    assert "1 availability report saved" in page.locator("[role=status]").inner_text()
    row = page.locator(f'tr[data-facility="{facility}"]')
    # the demo's facilities are full by their placements: a report of 1 free bed is
    # shown as reported and counted as what the placements leave (issue 10)
    assert row.locator(".beds-free").inner_text().splitlines()[0] == "1"
    assert "stale" not in row.locator(".updated").inner_text()


def test_a_policymaker_sees_the_capacity_map_and_a_finished_scenario_report(
    page, live_server, visits
):
    sign_in(page, live_server, "demo-policymaker")
    assert page.url.endswith("/capacity")
    check(page, visits, "capacity")
    assert page.locator("svg.region-map").is_visible()
    assert page.locator("svg.region-map circle.region").count() == 35
    assert page.locator("svg.region-map circle.short").count() >= 1
    assert "suppressed" in page.locator("table.regions").inner_text()  # small counts of cases

    page.get_by_role("link", name="Scenarios").click()
    check(page, visits, "scenarios")
    # issue 17: the national demo scenario first, every file with what it is
    choice = page.get_by_label("Scenario file (from scenarios/examples)")
    assert choice.input_value() == "national-demo.yaml"
    assert page.get_by_label("Compare with (optional)").input_value() == (
        "national-demo-current-practice.yaml"
    )
    page.locator("details.examples summary").click()
    assert (
        "CoMensha places COSM and OMM nationally" in page.locator("details.examples").inner_text()
    )
    choice.select_option("two-houses.yaml")
    page.get_by_label("Compare with (optional)").select_option("")
    page.get_by_label("Replications per scenario").fill("1")
    page.get_by_role("button", name="Start the run").click()
    page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
    page.locator("#report").wait_for(timeout=90_000)  # the page follows the run, then reloads
    check(page, visits, "scenario-report")
    assert page.locator(".job-status").inner_text() == "done"
    assert "two-houses" in page.locator("table.kpis").inner_text()
    assert "<5" in page.locator("table.kpis").inner_text()
    images = page.locator("figure.chart img")
    assert images.count() == 3
    widths = images.evaluate_all("(imgs) => imgs.map((i) => i.complete && i.naturalWidth)")
    assert all(w > 100 for w in widths), widths


def test_a_policymaker_follows_the_trends_per_month(page, live_server, visits):
    sign_in(page, live_server, "demo-policymaker")
    page.get_by_role("navigation").get_by_role("link", name="Trends").click()
    page.wait_for_url(re.compile(r"/trends$"))
    check(page, visits, "trends")
    assert page.locator("table.trend-waiting tbody tr").count() == 26  # weeks
    page.get_by_label("Per").select_option("month")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=month"))
    months = page.locator("table.trend-occupancy tbody tr").count()
    assert 6 <= months <= 8  # 26 weeks back, in calendar months
    page.wait_for_function(
        "[...document.images].filter(i => i.src.includes('.png')).every("
        "i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator("figure.chart img").count() == 3
    assert page.locator("figcaption a", has_text="PNG").count() == 3
    assert "C-20" not in page.content()  # aggregates only, never a case


def test_a_policymaker_changes_beds_without_yaml_and_reads_the_paired_run(
    page, live_server, visits
):
    sign_in(page, live_server, "demo-policymaker")
    page.goto("/scenarios")
    page.get_by_label("Scenario to change (from scenarios/examples)").select_option(
        "two-houses.yaml"
    )
    page.get_by_label("Placement type, row 1").select_option("womens_shelter")
    page.get_by_label("Region, row 1").select_option("utrecht")
    page.get_by_label("Beds more (+) or fewer (-), row 1").fill("-5")
    page.get_by_label("Days to simulate", exact=False).fill("10")
    page.get_by_label("Replications of each run", exact=False).fill("1")
    page.get_by_role("button", name="Run the change against the unchanged scenario").click()
    page.locator("#beds-0-beds-error").wait_for()  # the answer, not the page still sending
    check(page, visits, "scenario-change-refused")  # 422: the row's field says why
    assert (
        "only 1 bed of type Women's shelter in Utrecht to remove"
        in page.locator("#beds-0-beds-error").inner_text()
    )
    assert page.get_by_label("Region, row 1").input_value() == "utrecht"  # filled in again
    page.get_by_label("Beds more (+) or fewer (-), row 1").fill("2")
    page.get_by_role("button", name="Run the change against the unchanged scenario").click()
    page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
    page.locator("#report").wait_for(timeout=90_000)
    check(page, visits, "scenario-change-report")
    assert page.locator(".job-status").inner_text() == "done"
    page.locator("details#files summary").click()
    assert "add: 2" in page.locator("details#files").inner_text()
    assert page.locator("table.paired tbody tr").count() >= 1


def test_a_policymaker_compares_two_stored_runs(page, live_server, visits):
    sign_in(page, live_server, "demo-policymaker")
    for _ in range(2):  # two small runs of their own, whatever other tests left
        page.goto("/scenarios")
        page.get_by_label("Scenario file (from scenarios/examples)").select_option(
            "two-houses.yaml"
        )
        page.get_by_label("Compare with (optional)").select_option("")
        page.get_by_label("Replications per scenario").fill("1")
        page.get_by_role("button", name="Start the run").click()
        page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
        page.locator("#report").wait_for(timeout=90_000)
    page.goto("/scenarios/compare")
    check(page, visits, "compare-choose")
    boxes = page.locator("input[name=jobs]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"/scenarios/compare\?jobs=\d+&jobs=\d+$"))
    check(page, visits, "compare-report")
    assert page.locator("table.kpis thead th").count() == 3  # KPI and two runs
    assert "too few for an interval" in page.locator(".alert.warn").inner_text()
    images = page.locator("figure.chart img")
    assert images.count() == 2
    widths = images.evaluate_all("(imgs) => imgs.map((i) => i.complete && i.naturalWidth)")
    assert all(w > 100 for w in widths), widths


def test_a_policymaker_reads_the_waiting_statistics(page, live_server, visits):
    sign_in(page, live_server, "demo-policymaker")
    page.get_by_role("navigation").get_by_role("link", name="Waiting statistics").click()
    page.wait_for_url(re.compile(r"/waiting-stats$"))
    check(page, visits, "waiting-stats")
    assert page.locator("table.waiting-region tbody tr").count() == 35
    assert page.locator("p.downloads a", has_text="CSV").count() == 5
    assert "C-20" not in page.content()  # aggregates only, never a case


def test_a_policymaker_cannot_open_a_case_page(page, live_server, visits):
    sign_in(page, live_server, "demo-policymaker")
    answer = page.goto(f"/cases/{live_server.case_id}")
    check(page, visits, "case-forbidden")
    assert answer.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Not allowed"
    assert live_server.case_id not in page.content()


def test_a_policymaker_reads_bed_values_and_plans_a_bed(page, live_server, visits):
    sign_in(page, live_server, "demo-policymaker")
    link = page.get_by_role("navigation").get_by_role("link", name="Bed values")
    assert link.get_attribute("href") == "/bed-values"
    page.set_default_timeout(120_000)  # the page solves LPs for up to 10 s, more when busy
    link.click()
    page.wait_for_url(re.compile(r"/bed-values$"))
    check(page, visits, "bed-values")
    rows = page.locator("table.bed-values tbody tr")
    assert rows.count() >= 5  # the national demo: many groups where a bed saves waiting
    assert "C-20" not in page.content()  # supply only, never a case

    page.get_by_label("Beds to add (1 to 500)").fill("1")
    page.get_by_label("Scenario to check the plan in (from scenarios/examples)").select_option(
        "two-houses.yaml"
    )
    page.get_by_label("Paired replications", exact=False).fill("1")
    page.get_by_role("button", name="Plan and check").click()
    page.wait_for_url(re.compile(r"/scenarios/jobs/\d+$"))
    # planned on the national round, measured by two solves, simulated: minutes when busy.
    # Wait for the page the server renders once the job is over (done or failed), not for
    # the status text: the script writes "done" and then reloads the page, and a screenshot
    # taken in between failed in CI ("Unable to capture screenshot").
    page.locator('#job[data-finished="yes"]').wait_for(timeout=600_000)
    page.wait_for_load_state("load")
    check(page, visits, "plan-job")
    assert page.locator(".job-status").inner_text() == "done", page.locator(
        ".job-message"
    ).inner_text()
    assert page.locator("table.plan-beds tbody tr").count() == 2  # one facility, the total
    assert "no interval: 1 pairs, 3 needed" in page.locator("ul.plan-waits").inner_text()


def test_a_coordinator_pages_searches_and_withdraws_a_case(page, live_server, visits):
    sign_in(page, live_server, "demo-coordinator")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 50
    page.get_by_role("link", name="Next 50").click()
    page.wait_for_url(re.compile(r"page=2"))
    check(page, visits, "waiting-list-page-2")
    assert page.locator("table.data tbody td").first.inner_text() == "51"
    case_id = rows.first.get_attribute("data-case")
    page.get_by_label("Case id").fill(case_id.lower())  # a whole id, in any case
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    check(page, visits, "case-found")
    weight = page.locator(".weight").inner_text()
    assert re.match(r"\d+\.\d\d = class weight \d+\.\d\d x urgency .* x ageing ", weight)
    page.get_by_role("button", name="Withdraw the case").click()
    page.wait_for_url(re.compile(r"done=withdrawn"))
    check(page, visits, "case-withdrawn")
    assert "withdrawn" in page.locator("[role=status]").inner_text()
    assert "Withdrawn from the waiting list" in page.locator("#timeline").inner_text()
    assert page.get_by_role("button", name="Withdraw the case").count() == 0


def test_after_a_round_a_waiting_case_says_why_it_waits(page, live_server, visits):
    sign_in(page, live_server, "demo-coordinator")
    page.get_by_role("link", name="Matching rounds").click()
    page.get_by_role("button", name="Run a matching round now").click()
    page.wait_for_url(re.compile(r"/matching/runs/\d+$"), timeout=90_000)
    check(page, visits, "run-waits")
    groups = page.locator("table.waits tbody tr")
    assert groups.count() >= 2
    counts = [int(n) for n in page.locator("table.waits tbody td.num").all_inner_texts()]
    assert f"{sum(counts)} cases without a proposal" in page.locator("#waits").inner_text()
    kind = groups.first.get_attribute("data-kind")
    groups.first.locator("a").first.click()
    page.wait_for_url(re.compile(r"/cases/C-"))
    check(page, visits, "case-waiting")
    reason = page.locator("#waiting-reason")
    assert reason.get_attribute("data-kind") == kind
    assert "Why this case waits" in reason.inner_text()
    assert reason.locator(".reason").inner_text()


def test_an_admin_adds_a_user_and_finds_it_in_the_audit_log(page, live_server, visits):
    # issue 17: user management and the audit log on the dashboard, not only CLI and API
    sign_in(page, live_server, "demo-admin")
    page.get_by_role("link", name="Users").click()
    check(page, visits, "admin-users")
    page.get_by_label("User name (never a person's real name is needed)").fill("desk-browser")
    page.get_by_label("Role").select_option("policymaker")
    page.get_by_label("Dashboard password (at least 12 characters)").fill("a long passphrase")
    page.get_by_role("button", name="Add user").click()
    assert "User desk-browser added" in page.locator(".alert.ok").inner_text()
    page.get_by_role("button", name="Disable desk-browser").click()
    page.wait_for_url(re.compile(r"changed=desk-browser"))
    assert page.locator('tr[data-user="desk-browser"] .status').inner_text() == "disabled"

    page.get_by_role("link", name="Audit log", exact=True).click()
    check(page, visits, "audit")
    page.get_by_label("Record id").fill("desk-browser")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"record_id=desk-browser"))
    actions = page.locator("table.audit tbody td:nth-child(4)").all_inner_texts()
    assert actions == ["user.create", "user.disable"]


def test_a_reporter_sees_occupied_beds_and_their_reports(page, live_server, visits):
    sign_in(page, live_server, "demo-reporter")
    assert page.url.endswith("/availability")
    check(page, visits, "availability")
    occupied = page.locator("td.occupied").all_inner_texts()
    assert occupied
    assert sum(int(n) for n in occupied) > 0
    assert page.get_by_role("heading", name="Expected discharges").is_visible()
    assert page.get_by_role("heading", name="Your reports").is_visible()
    assert page.locator("table.report-history tbody tr").count() > 0
