"""The case desk through the API (issue 14): search by case id, sort and page the list.

The small world: ``C-2026-0001`` .. ``0004`` on the waiting list (0004 waited longest),
``0005`` placed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capacity.clock import local_date

WAITING = ["C-2026-0004", "C-2026-0003", "C-2026-0002", "C-2026-0001"]  # by priority


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def ids(answer):
    assert answer.status_code == 200, answer.text
    return [line["id"] for line in answer.json()["data"]]


def test_a_search_by_part_of_a_case_id_finds_it_in_any_status(coord):
    assert ids(coord.get("/v1/cases", params={"search": "0003"})) == ["C-2026-0003"]
    assert ids(coord.get("/v1/cases", params={"search": "c-2026-0005"})) == ["C-2026-0005"]
    found = coord.get("/v1/cases", params={"search": "2026-000", "status": "waiting"}).json()
    assert found["count"] == 4
    assert ids(coord.get("/v1/cases", params={"search": "9999"})) == []


@pytest.mark.parametrize("search", ["%", "C_2026", "0001;", "x" * 21])
def test_a_search_that_is_no_part_of_a_case_id_is_a_422_naming_the_field(coord, search):
    answer = coord.get("/v1/cases", params={"search": search})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "search"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("priority", WAITING),
        ("longest_wait", WAITING),  # equal classes: the same order
        ("case_id", sorted(WAITING)),
    ],
)
def test_every_order_pages_through_the_whole_list_once(coord, sort, expected):
    for size in (1, 2, 3):
        seen = []
        for offset in range(0, 4, size):
            params = {"status": "waiting", "sort": sort, "limit": size, "offset": offset}
            answer = coord.get("/v1/cases", params=params)
            assert answer.json()["count"] == 4
            seen += ids(answer)
        assert seen == expected


def test_an_unknown_order_is_a_422_naming_the_field(coord):
    answer = coord.get("/v1/cases", params={"sort": "weight"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "sort"]


def test_a_line_shows_the_weight_and_what_makes_it(coord):
    (line,) = coord.get("/v1/cases", params={"search": "0004"}).json()["data"]
    assert line["responsible_organisation"] == "CoMensha"
    product = line["class_weight"] * line["urgency"] * line["ageing"]
    assert line["priority_weight"] == pytest.approx(product, rel=1e-5)
    assert line["ageing"] > 1.0  # 40 days waited


def test_the_timeline_says_what_happened_and_who_did_it(coord, world, helpers):
    decline = {"reason": "facility_declined"}
    pid = world.proposal_ids[0]
    assert coord.post(f"/v1/proposals/{pid}/decline", json=decline).status_code == 200
    coord.get("/v1/cases/C-2026-0001")  # opening the record is on the timeline
    answer = coord.get("/v1/cases/C-2026-0001/timeline")
    assert answer.status_code == 200
    events = answer.json()["data"]
    assert [e["kind"] for e in events] == ["intake", "proposal", "decline", "case.read"]
    assert events[1]["run_id"] == world.run_id
    assert events[1]["text"].startswith("Proposed: Ws Amsterdam (Women's shelter, Amsterdam)")
    assert (events[2]["actor"], events[2]["text"]) == (
        "coordinator",
        "Proposal declined (facility declined)",
    )
    assert events[3]["actor"] == "coordinator"
    assert coord.get("/v1/cases/C-2099-0001/timeline").status_code == 404
    with helpers.client_for(world.url) as other:
        refused = other.get("/v1/cases/C-2026-0001/timeline", headers=world.auth("policymaker"))
        assert refused.status_code == 403


def test_openings_in_a_row_by_one_person_are_one_line_with_their_count(coord, world, helpers):
    for _ in range(4):
        assert coord.get("/v1/cases/C-2026-0001").status_code == 200
    with helpers.client_for(world.url) as other:
        other.headers.update(world.auth("admin"))
        assert other.get("/v1/cases/C-2026-0001").status_code == 200
    assert coord.get("/v1/cases/C-2026-0001").status_code == 200
    events = coord.get("/v1/cases/C-2026-0001/timeline").json()["data"]
    reads = [(e["actor"], e["count"]) for e in events if e["kind"] == "case.read"]
    # before: six lines, one per opening
    assert reads == [("coordinator", 4), ("admin", 1), ("coordinator", 1)]
    first = next(e for e in events if e["kind"] == "case.read")
    assert first["text"].startswith("Case record opened 4 times, the last at ")
    assert first["last_at"] is not None
    assert first["last_at"] >= first["at"]
    # every opening stays in the audit log
    with helpers.client_for(world.url) as admin:
        log = admin.get(
            "/v1/audit",
            params={"record_type": "case", "record_id": "C-2026-0001"},
            headers=world.auth("admin"),
        )
        assert log.status_code == 200, log.text
    opened = [e for e in log.json()["data"] if e["action"] == "case.read"]
    assert len(opened) >= 6


def test_cases_over_their_class_target_are_escalated_to_their_organisation_and_the_desk(
    coord, world, helpers
):
    # the small world's women are of the standard class (target 56 days); they waited
    # 10 to 40 days, so a case registered 70 days ago is the one escalated
    today = local_date(datetime.now(UTC))
    old = {
        "age": 30,
        "gender": "female",
        "residence_status": "eu",
        "exploitation_type": "sexual",
        "region_signalled": "amsterdam",
        "region_of_exploitation": "utrecht",
        "responsible_organisation": "CoMensha",
        "intake_date": (today - timedelta(days=70)).isoformat(),
    }
    created = coord.post("/v1/cases", json=old)
    assert created.status_code == 201, created.text
    case = created.json()
    desk = coord.get("/v1/escalations").json()
    assert desk["count"] == 1
    (line,) = desk["data"]
    assert line["case"]["id"] == case["id"]
    assert (line["target_days"], line["days_over"]) == (56, 14)
    assert line["case"]["waiting_reason"]["kind"] == "awaiting_run"
    assert desk["organisations"] == [{"organisation": "CoMensha", "count": 1}]
    mine = coord.get("/v1/escalations", params={"organisation": "CoMensha"}).json()
    assert mine["count"] == 1
    others = coord.get("/v1/escalations", params={"organisation": "Fier"}).json()
    assert others["count"] == 0
    assert coord.get("/v1/escalations", params={"organisation": ""}).status_code == 422
    withdrawn = coord.post(f"/v1/cases/{case['id']}/withdraw")
    assert withdrawn.status_code == 200
    assert coord.get("/v1/escalations").json()["count"] == 0  # off the list: not escalated
