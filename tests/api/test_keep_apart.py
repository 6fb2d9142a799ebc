"""Keep-apart pairs in the product (issue 14): set at intake or later, respected by every
round, audited, never shown to policymakers.

The small world: ``ws-amsterdam`` has 2 free beds, four adult women wait (``0003`` and
``0004`` longest), ``C-2026-0005`` is placed at ``ws-amsterdam``.
"""

from __future__ import annotations

import pytest

WOMAN = {
    "age": 31,
    "gender": "female",
    "residence_status": "eu",
    "exploitation_type": "sexual",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def run(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5, "seed": 1})
    assert answer.status_code == 201, answer.text
    return answer.json()


def facilities_of(run_json):
    return {p["case_id"]: p["facility_id"] for p in run_json["proposals"]}


def test_a_keep_apart_pair_never_lands_in_one_facility_through_a_live_round(coord):
    before = facilities_of(run(coord))
    assert before == {"C-2026-0003": "ws-amsterdam", "C-2026-0004": "ws-amsterdam"}
    answer = coord.post(
        "/v1/cases/C-2026-0004/keep-apart",
        json={"other_case_id": "C-2026-0003", "reason": "co_victims"},
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["case_id"] == "C-2026-0003"
    after = facilities_of(run(coord))
    assert len(after) == 2  # the second bed goes to the next case in line
    assert not {"C-2026-0003", "C-2026-0004"} <= set(after)
    listed = coord.get("/v1/cases/C-2026-0003/keep-apart").json()
    assert listed["count"] == 1
    assert listed["data"][0]["case_id"] == "C-2026-0004"
    assert listed["data"][0]["reason_text"] == "co-victims who must not meet"
    assert listed["data"][0]["created_by"] == "coordinator"


def test_a_pair_given_at_intake_keeps_the_new_case_away_from_a_placed_one(coord):
    body = {**WOMAN, "keep_apart": [{"case_id": "C-2026-0005", "reason": "suspected_recruiter"}]}
    new = coord.post("/v1/cases", json=body)
    assert new.status_code == 201, new.text
    case_id = new.json()["id"]
    assert "keep_apart" not in new.json()  # not part of the profile
    for case in ("C-2026-0001", "C-2026-0002", "C-2026-0003", "C-2026-0004"):
        assert coord.post(f"/v1/cases/{case}/withdraw").status_code == 200
    proposals = facilities_of(run(coord))
    assert case_id not in proposals  # the only eligible facility holds the other case
    waits = coord.get("/v1/cases/" + case_id + "/keep-apart").json()
    assert [p["case_id"] for p in waits["data"]] == ["C-2026-0005"]


def test_lifting_a_pair_lets_the_round_place_them_together_again(coord):
    coord.post(
        "/v1/cases/C-2026-0003/keep-apart",
        json={"other_case_id": "C-2026-0004", "reason": "threat"},
    )
    lifted = coord.delete("/v1/cases/C-2026-0004/keep-apart/C-2026-0003")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["count"] == 0
    assert set(facilities_of(run(coord))) == {"C-2026-0003", "C-2026-0004"}
    assert coord.delete("/v1/cases/C-2026-0004/keep-apart/C-2026-0003").status_code == 404


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            {"keep_apart": [{"case_id": "C-2026-9999", "reason": "threat"}]},
            ["body", "keep_apart", 0, "case_id"],
        ),
        (
            {"keep_apart": [{"case_id": "C-2026-0001", "reason": "dislike"}]},
            ["body", "keep_apart", 0, "reason"],
        ),
        (
            {"keep_apart": [{"case_id": "Jan de Vries", "reason": "threat"}]},
            ["body", "keep_apart", 0, "case_id"],
        ),
    ],
)
def test_intake_refuses_a_bad_pair_naming_the_field_and_stores_nothing(coord, body, loc):
    count = coord.get("/v1/cases").json()["count"]
    answer = coord.post("/v1/cases", json={**WOMAN, **body})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == loc
    assert coord.get("/v1/cases").json()["count"] == count  # nothing half written


def test_setting_a_pair_refuses_self_twice_and_unknown(coord):
    url = "/v1/cases/C-2026-0001/keep-apart"
    itself = coord.post(url, json={"other_case_id": "C-2026-0001", "reason": "threat"})
    assert itself.status_code == 422
    assert itself.json()["detail"][0]["loc"] == ["body", "other_case_id"]
    unknown = coord.post(url, json={"other_case_id": "C-2026-0404", "reason": "threat"})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "other_case_id"]
    first = coord.post(url, json={"other_case_id": "C-2026-0002", "reason": "threat"})
    assert first.status_code == 201
    again = coord.post(
        "/v1/cases/C-2026-0002/keep-apart",
        json={"other_case_id": "C-2026-0001", "reason": "co_victims"},
    )
    assert again.status_code == 409
    missing = coord.post(
        "/v1/cases/C-2026-0404/keep-apart",
        json={"other_case_id": "C-2026-0001", "reason": "threat"},
    )
    assert missing.status_code == 404


def test_pairs_are_audited_on_both_cases(coord, world, helpers):
    coord.post(
        "/v1/cases/C-2026-0001/keep-apart",
        json={"other_case_id": "C-2026-0002", "reason": "suspected_recruiter"},
    )
    with helpers.client_for(world.url) as admin:
        admin.headers.update(world.auth("admin"))
        entries = admin.get("/v1/audit", params={"actor": "coordinator", "limit": 1000})
    kept = [e for e in entries.json()["data"] if e["action"] == "case.keep_apart"]
    assert {e["record_id"] for e in kept} == {"C-2026-0001", "C-2026-0002"}
    assert all("suspected_recruiter" in e["detail"] for e in kept)


def test_policymakers_never_see_a_pair(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("policymaker"))
        assert client.get("/v1/cases/C-2026-0001/keep-apart").status_code == 403
        denied = client.post(
            "/v1/cases/C-2026-0001/keep-apart",
            json={"other_case_id": "C-2026-0002", "reason": "threat"},
        )
        assert denied.status_code == 403
