"""The coordinators' case desk (issue 14): why a case waits, on the round and case pages.

The small world of ``conftest.py``: ``ws-amsterdam`` has 2 free beds for the horizon and
four adult women wait, so a round proposes two and leaves two waiting.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

MAN = {
    "age": "40",
    "gender": "male",
    "residence_status": "nl",
    "exploitation_type": "labour",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
    "safety_risk": "low",
}


def run_round(client, token: str) -> str:
    answer = client.post("/matching", data={"csrf_token": token})
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["location"]).text


def test_the_round_page_lists_the_cases_per_reason_and_the_counts_add_up(client, web):
    token = web.sign_in(client, "coordinator")
    assert client.post("/cases/new", data={**MAN, "csrf_token": token}).status_code == 303
    page = run_round(client, token)
    considered = int(re.search(r"<dt>Cases considered</dt><dd>(\d+)</dd>", page).group(1))
    proposed = int(re.search(r"<dt>Proposals</dt><dd>(\d+)</dd>", page).group(1))
    rows = re.findall(
        r'<tr data-kind="([a-z_]+)"><td>[^<]+</td><td class="num">(\d+)</td>\s*<td>(.*?)</td>',
        page,
        re.S,
    )
    counts = {kind: int(n) for kind, n, _ in rows}
    assert counts == {"capacity_gap": 1, "kept_for_higher_priority": 2}
    assert sum(counts.values()) == considered - proposed
    assert f"{considered - proposed} cases without a proposal" in page
    named = {kind: re.findall(r'href="/cases/(C-[^"]+)"', cases) for kind, _, cases in rows}
    assert named["kept_for_higher_priority"] == ["C-2026-0001", "C-2026-0002"]
    assert all(len(ids) == counts[kind] for kind, ids in named.items())


def test_a_waiting_case_page_says_why_it_waits_with_the_next_best_facility(client, web):
    token = web.sign_in(client, "coordinator")
    run_round(client, token)
    page = client.get("/cases/C-2026-0001").text
    assert 'data-kind="kept_for_higher_priority"' in page
    assert "Why this case waits: bed kept for a higher-priority case" in page
    assert "Next-best facility: <strong>Ws Amsterdam</strong>" in page
    assert "No pending proposal" not in page


def test_a_whole_case_id_opens_the_case_and_part_of_one_filters_the_list(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    exact = quick_client.get("/waiting-list", params={"search": "c-2026-0005"})
    assert exact.status_code == 303  # a placed case too: the desk finds every case
    assert exact.headers["location"] == "/cases/C-2026-0005"
    part = quick_client.get("/waiting-list", params={"search": "0003"}).text
    assert re.findall(r'<td><a href="/cases/(C-[^"]+)">', part) == ["C-2026-0003"]
    bad = quick_client.get("/waiting-list", params={"search": "<script>"})
    assert bad.status_code == 422
    assert "Type a case id or part of one" in bad.text
    assert "Input should" not in bad.text


def test_the_waiting_list_is_paged_and_sorted_on_the_server(quick_client, web, monkeypatch):
    from api.web import cases_view

    monkeypatch.setattr(cases_view, "PAGE_SIZE", 3)
    web.sign_in(quick_client, "coordinator")
    first = quick_client.get("/waiting-list").text
    assert re.findall(r'<td><a href="/cases/(C-[^"]+)">', first) == [
        "C-2026-0004",
        "C-2026-0003",
        "C-2026-0002",
    ]
    assert "4 cases on the list; 1-3 shown" in first
    assert 'rel="next" href="/waiting-list?sort=priority&amp;page=2"' in first
    second = quick_client.get("/waiting-list?sort=priority&page=2").text
    assert re.findall(r'<td><a href="/cases/(C-[^"]+)">', second) == ["C-2026-0001"]
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    by_id = quick_client.get("/waiting-list?sort=case_id").text
    assert re.findall(r'<td><a href="/cases/(C-[^"]+)">', by_id)[0] == "C-2026-0001"
    assert "= 1.00 x 1.00 x" in first  # the weight and what makes it


def test_the_case_page_shows_the_timeline_and_withdraws_the_case(client, web, world):
    token = web.sign_in(client, "coordinator")
    page = client.get("/cases/C-2026-0001").text
    assert "class weight 1.00 x urgency 1.00 x ageing" in page
    timeline = page[page.index('id="timeline"') :]
    assert 'data-kind="proposal"' in timeline
    assert "Proposed: Ws Amsterdam (Women&#39;s shelter, Amsterdam)" in timeline
    answer = client.post("/cases/C-2026-0001/withdraw", data={"csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/cases/C-2026-0001?done=withdrawn"
    page = client.get(answer.headers["location"]).text
    assert "The case is withdrawn" in page
    assert "Withdrawn from the waiting list</td><td>coordinator" in page
    assert "(expired: a later round replaced it, or the case left the list)" in page
    assert 'action="/cases/C-2026-0001/withdraw"' not in page  # not on the list any more
    again = client.post("/cases/C-2026-0001/withdraw", data={"csrf_token": token})
    assert again.status_code == 409
    api = client.get("/v1/cases/C-2026-0001", headers=world.auth("coordinator")).json()
    assert api["status"] == "withdrawn"


def test_the_case_page_discharges_a_placement_with_a_human_message_for_a_bad_day(client, web):
    token = web.sign_in(client, "coordinator")
    url = "/placements/PL-0001/discharge"
    future = client.post(url, data={"csrf_token": token, "day": "2999-01-01"})
    assert future.status_code == 422
    assert "lies in the future" in future.text
    garbled = client.post(url, data={"csrf_token": token, "day": "tomorrow"})
    assert garbled.status_code == 422
    assert "Input should" not in garbled.text
    assert "enter a date as YYYY-MM-DD" in garbled.text
    done = client.post(url, data={"csrf_token": token, "day": ""})  # today
    assert done.status_code == 303
    assert done.headers["location"] == "/cases/C-2026-0005?done=discharged"
    page = client.get(done.headers["location"]).text
    assert "The discharge is recorded" in page
    assert "Discharged from Ws Amsterdam" in page
    assert 'action="/placements/PL-0001/discharge"' not in page
    assert client.post(url, data={"csrf_token": token}).status_code == 409
    unknown = client.post("/placements/PL-9999/discharge", data={"csrf_token": token})
    assert unknown.status_code == 404


def test_the_escalations_page_lists_cases_over_their_target_per_organisation(quick_client, web):
    token = web.sign_in(quick_client, "coordinator")
    old = {
        **MAN,
        "gender": "female",
        "residence_status": "eu",
        "exploitation_type": "sexual",
        "responsible_organisation": "CoMensha",
        "intake_date": (date.today() - timedelta(days=70)).isoformat(),
        "csrf_token": token,
    }
    created = quick_client.post("/cases/new", data=old)
    assert created.status_code == 303, created.text
    case_id = created.headers["location"].split("/")[2].split("?")[0]
    page = quick_client.get("/escalations").text
    assert "standard: 56 days" in page
    assert f'<tr data-case="{case_id}">' in page
    assert '<option value="CoMensha">CoMensha (1)</option>' in page
    assert "1 escalated case; 1 in the country." in page
    none = quick_client.get("/escalations", params={"organisation": "Fier"}).text
    assert "No case is over its target." in none
    web.sign_in(quick_client, "policymaker")
    assert quick_client.get("/escalations").status_code == 403


def test_an_error_page_for_a_bad_address_speaks_in_words(quick_client, web):
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/escalations", params={"organisation": "x" * 201})
    assert page.status_code == 422
    assert "<h1>Invalid input</h1>" in page.text
    assert "Input should" not in page.text
    assert "organisation: " in page.text


def test_the_waiting_list_names_a_case_whose_status_this_version_does_not_know(
    quick_client, web, quick_world
):
    # before: the list showed three cases and no sign of the fourth, which still waits
    web.execute(quick_world.url, "UPDATE cases SET status = 'on_hold' WHERE id = 'C-2026-0003'")
    web.sign_in(quick_client, "coordinator")
    page = quick_client.get("/waiting-list")
    assert page.status_code == 500
    assert "stored case C-2026-0003 breaks a rule made after it was stored" in page.text
    assert "unknown code &#39;on_hold&#39;" in page.text
    assert "opvang db check" in page.text
