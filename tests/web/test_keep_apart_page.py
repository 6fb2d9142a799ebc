"""Keep-apart pairs on the case page (issue 14): a form for coordinators, never for others."""

from __future__ import annotations

import re

FIELD_ERROR = re.compile(r'class="field-error" id="([^"]+)-error">([^<]*)<')


def test_a_coordinator_keeps_two_cases_apart_and_lifts_it_on_the_case_page(client, web):
    token = web.sign_in(client, "coordinator")
    url = "/cases/C-2026-0001/keep-apart"
    no_reason = client.post(url, data={"csrf_token": token, "other_case_id": "C-2026-0003"})
    assert no_reason.status_code == 422
    assert "reason" in dict(FIELD_ERROR.findall(no_reason.text))
    itself = client.post(
        url, data={"csrf_token": token, "other_case_id": "C-2026-0001", "reason": "threat"}
    )
    assert itself.status_code == 422
    errors = dict(FIELD_ERROR.findall(itself.text))
    assert "cannot be kept apart from itself" in " ".join(errors.values())
    done = client.post(
        url, data={"csrf_token": token, "other_case_id": "C-2026-0003", "reason": "threat"}
    )
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"]).text
    assert "no matching round places these two cases at one facility" in page
    assert 'href="/cases/C-2026-0003"' in page
    assert "<td>threat between the two</td>" in page
    other = client.get("/cases/C-2026-0003").text
    assert 'href="/cases/C-2026-0001"' in other  # shown on both cases
    twice = client.post(
        url, data={"csrf_token": token, "other_case_id": "C-2026-0003", "reason": "threat"}
    )
    assert twice.status_code == 409
    lifted = client.post(f"{url}/C-2026-0003/lift", data={"csrf_token": token})
    assert lifted.status_code == 303
    assert "<td>threat between the two</td>" not in client.get(lifted.headers["location"]).text


def test_a_policymaker_cannot_set_a_pair(client, web):
    token = web.sign_in(client, "policymaker")
    answer = client.post(
        "/cases/C-2026-0001/keep-apart",
        data={"csrf_token": token, "other_case_id": "C-2026-0003", "reason": "threat"},
    )
    assert answer.status_code == 403
