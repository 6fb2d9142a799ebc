"""The coordinators' case desk (issue 14): why a case waits, on the round and case pages.

The small world of ``conftest.py``: ``ws-amsterdam`` has 2 free beds for the horizon and
four adult women wait, so a round proposes two and leaves two waiting.
"""

from __future__ import annotations

import re

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
