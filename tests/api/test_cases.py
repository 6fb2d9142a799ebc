"""Cases: intake with every field rule, the waiting list by priority, reading, withdrawing."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from capacity.clock import local_date
from store import ProposalDraft, Repository, ensure_database, session_scope


def today():
    return local_date(datetime.now(UTC))


VALID = {
    "age": 25,
    "gender": "female",
    "residence_status": "nl",
    "exploitation_type": "sexual",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


@pytest.fixture(scope="module")
def shared_coord(template_world, tmp_path_factory):
    """One client for the tests that write nothing (refused intakes)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import ApiSettings

    target = tmp_path_factory.mktemp("cases") / "opvang.db"
    shutil.copyfile(Path(template_world.url.removeprefix("sqlite:///")), target)
    with TestClient(create_app(ApiSettings(database_url=f"sqlite:///{target}"))) as client:
        client.headers.update(template_world.auth("coordinator"))
        yield client


@pytest.fixture
def coord(fresh_world, helpers):
    with helpers.client_for(fresh_world.url) as client:
        client.headers.update(fresh_world.auth("coordinator"))
        yield client


def test_intake_answers_with_class_and_eligible_types_with_reasons(coord):
    answer = coord.post(
        "/v1/cases", json={**VALID, "needs": ["lvb", "addiction"], "safety_risk": "high"}
    )
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["id"] == f"C-{today().year}-0006"  # the small world has 0001..0005
    assert case["status"] == "waiting"
    assert case["complexity_class"] == "highly_complex"
    types = {t["placement_type"]: t for t in case["eligible_types"]}
    assert types["omm"]["eligible"] is True
    assert types["omm"]["met"]
    assert types["cosm"]["eligible"] is False
    assert types["cosm"]["reasons"][0]["rule"] == "category"
    assert "B8" in types["cosm"]["reasons"][0]["text"]
    second = coord.post("/v1/cases", json=VALID).json()
    assert second["id"] == f"C-{today().year}-0007"


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"age": -1}, ["body", "age"]),
        ({"age": 121}, ["body", "age"]),
        ({"age": True}, ["body", "age"]),
        ({"age": "30"}, ["body", "age"]),
        ({"age": 30.5}, ["body", "age"]),
        ({"age": None}, ["body", "age"]),
        ({"gender": "robot"}, ["body", "gender"]),
        ({"residence_status": "mars"}, ["body", "residence_status"]),
        ({"exploitation_type": "none"}, ["body", "exploitation_type"]),
        ({"region_signalled": "atlantis"}, ["body", "region_signalled"]),
        ({"region_of_exploitation": "atlantis"}, ["body", "region_of_exploitation"]),
        ({"responsible_organisation": ""}, ["body", "responsible_organisation"]),
        ({"responsible_organisation": "x" * 81}, ["body", "responsible_organisation"]),
        ({"responsible_organisation": "   "}, ["body", "responsible_organisation"]),
        ({"accompanying_children": -1}, ["body", "accompanying_children"]),
        ({"accompanying_children": 13}, ["body", "accompanying_children"]),
        ({"needs": ["flying"]}, ["body", "needs", 0]),
        ({"needs": "lvb"}, ["body", "needs"]),
        ({"safety_risk": "extreme"}, ["body", "safety_risk"]),
        ({"needs": ["interpreter"]}, ["body", "interpreter_language"]),
        (
            {"needs": ["interpreter"], "interpreter_language": "Arabic"},
            ["body", "interpreter_language"],
        ),
        ({"interpreter_language": "ar"}, ["body", "interpreter_language"]),
        ({"preferred_regions": ["atlantis"]}, ["body", "preferred_regions", 0]),
        ({"preferred_regions": ["utrecht", "utrecht"]}, ["body", "preferred_regions"]),
        ({"unaccompanied": True}, ["body", "unaccompanied"]),
        ({"unaccompanied": "yes"}, ["body", "unaccompanied"]),
        ({"intake_date": "2999-01-01"}, ["body", "intake_date"]),
        ({"intake_date": "last week"}, ["body", "intake_date"]),
        ({"name": "Jane Doe"}, ["body", "name"]),
        ({"id": "C-2026-9999"}, ["body", "id"]),
        ({"status": "placed"}, ["body", "status"]),
    ],
)
def test_every_field_rule_is_a_422_naming_the_field(shared_coord, change, loc):
    coord = shared_coord
    answer = coord.post("/v1/cases", json={**VALID, **change})
    assert answer.status_code == 422, answer.text
    errors = answer.json()["detail"]
    assert any(e["loc"] == loc for e in errors), errors
    assert all(e["msg"] for e in errors)
    assert coord.get("/v1/cases").json()["count"] == 5  # nothing stored


def test_an_intake_with_three_bad_fields_is_one_422_naming_each(shared_coord):
    change = {"region_of_exploitation": "atlantis", "preferred_regions": ["mordor"]}
    answer = shared_coord.post("/v1/cases", json={**VALID, **change, "unaccompanied": True})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == [
        {
            "loc": ["body", "region_of_exploitation"],
            "msg": "unknown region 'atlantis'",
            "type": "value_error",
        },
        {
            "loc": ["body", "preferred_regions", 0],
            "msg": "unknown region 'mordor'",
            "type": "value_error",
        },
        {
            "loc": ["body", "unaccompanied"],
            "msg": "only a minor (under 18) can be an unaccompanied minor",
            "type": "value_error",
        },
    ]
    assert shared_coord.get("/v1/cases").json()["count"] == 5  # nothing stored


def test_an_intake_with_one_bad_field_answers_as_it_always_did(shared_coord):
    answer = shared_coord.post("/v1/cases", json={**VALID, "region_signalled": "atlantis"})
    assert answer.status_code == 422, answer.text
    assert answer.json() == {
        "detail": [
            {
                "loc": ["body", "region_signalled"],
                "msg": "unknown region 'atlantis'",
                "type": "value_error",
            }
        ]
    }


def test_missing_fields_are_named(coord):
    errors = coord.post("/v1/cases", json={}).json()["detail"]
    named = {tuple(e["loc"]) for e in errors}
    for field in (
        "age",
        "gender",
        "residence_status",
        "exploitation_type",
        "region_signalled",
        "region_of_exploitation",
        "responsible_organisation",
    ):
        assert ("body", field) in named


def test_the_waiting_list_is_ordered_by_priority_with_expected_start(coord, fresh_world):
    listing = coord.get("/v1/cases?status=proposed").json()
    assert {c["id"] for c in listing["data"]} == {"C-2026-0001", "C-2026-0002"}
    assert all(c["expected_start"] == today().isoformat() for c in listing["data"])
    assert all(c["proposed_facility_id"] == "ws-amsterdam" for c in listing["data"])
    # the national waiting list: every case waiting for a placement, proposal or not
    waiting = coord.get("/v1/cases?status=waiting").json()
    assert [c["id"] for c in waiting["data"]] == [
        "C-2026-0004",
        "C-2026-0003",
        "C-2026-0002",
        "C-2026-0001",
    ]  # waited longer first
    assert waiting["count"] == 4
    weights = [c["priority_weight"] for c in waiting["data"]]
    assert weights == sorted(weights, reverse=True)
    lines = {c["id"]: c for c in waiting["data"]}
    for case_id in ("C-2026-0001", "C-2026-0002"):
        assert lines[case_id]["status"] == "proposed"
        assert lines[case_id]["expected_start"] == today().isoformat()
        assert lines[case_id]["expected_start_basis"] == "proposal"
        assert lines[case_id]["proposed_facility_id"] == "ws-amsterdam"
    for case_id in ("C-2026-0003", "C-2026-0004"):  # the latest run did not consider them
        assert lines[case_id]["status"] == "waiting"
        assert lines[case_id]["expected_start"] is None
        assert lines[case_id]["expected_start_basis"] == "awaiting_run"
    urgent = coord.post(
        "/v1/cases", json={**VALID, "age": 16, "safety_risk": "high", "needs": ["mental_health"]}
    ).json()
    first = coord.get("/v1/cases?status=waiting").json()["data"][0]
    assert first["id"] == urgent["id"]
    assert first["complexity_class"] != "standard"


def test_the_waiting_list_takes_expected_starts_from_the_latest_run(coord, fresh_world, helpers):
    day = today()
    draft = ProposalDraft(
        "C-2026-0001", "ws-amsterdam", 1, day + timedelta(days=3), "Meets: all criteria."
    )
    waits = (
        helpers.wait("C-2026-0001", day + timedelta(days=3)),  # late: a proposal and a wait
        helpers.wait("C-2026-0002", None),
        helpers.wait("C-2026-0003", None, capacity_gap=True),
        helpers.wait("C-2026-0004", day + timedelta(days=12)),
    )
    considered = [f"C-2026-{i:04d}" for i in range(1, 5)]
    _, (proposal_id,) = helpers.add_run(
        fresh_world.url,
        [draft],
        as_of=datetime.now(UTC),
        waits=waits,
        case_ids=considered,
    )
    lines = {c["id"]: c for c in coord.get("/v1/cases?status=waiting").json()["data"]}
    assert set(lines) == set(considered)
    expected = {
        "C-2026-0001": ((day + timedelta(days=3)).isoformat(), "proposal"),
        "C-2026-0002": (None, "beyond_horizon"),
        "C-2026-0003": (None, "capacity_gap"),
        "C-2026-0004": ((day + timedelta(days=12)).isoformat(), "matching_run"),
    }
    assert {i: (c["expected_start"], c["expected_start_basis"]) for i, c in lines.items()} == (
        expected
    )
    assert lines["C-2026-0001"]["proposal_id"] == proposal_id
    assert lines["C-2026-0004"]["proposal_id"] is None
    for case_id, (start, basis) in expected.items():  # a case record says what its line says
        record = coord.get(f"/v1/cases/{case_id}").json()
        assert (record["expected_start"], record["expected_start_basis"]) == (start, basis)

    # declined: the run's date is gone with the proposal, until the next run
    declined = coord.post(f"/v1/proposals/{proposal_id}/decline", json={"reason": "unsafe"})
    assert declined.status_code == 200, declined.text
    new = coord.post("/v1/cases", json=VALID).json()  # registered after the run
    assert (new["expected_start"], new["expected_start_basis"]) == (None, "awaiting_run")
    lines = {c["id"]: c for c in coord.get("/v1/cases?status=waiting").json()["data"]}
    for case_id in ("C-2026-0001", new["id"]):
        assert lines[case_id]["status"] == "waiting"
        assert lines[case_id]["expected_start"] is None
        assert lines[case_id]["expected_start_basis"] == "awaiting_run"
    placed = coord.get("/v1/cases?status=placed").json()["data"]
    assert [(c["expected_start"], c["expected_start_basis"]) for c in placed] == [(None, None)]


def test_without_any_matching_run_the_waiting_list_says_so(tmp_path, helpers):
    url = f"sqlite:///{tmp_path / 'opvang.db'}"
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            Repository(session).save_dataset(helpers.small_dataset(datetime.now(UTC)))
    finally:
        engine.dispose()
    tokens = helpers.add_users(url)
    with helpers.client_for(url) as client:
        headers = {"Authorization": f"Bearer {tokens['coordinator']}"}
        waiting = client.get("/v1/cases?status=waiting", headers=headers).json()
        created = client.post("/v1/cases", json=VALID, headers=headers).json()
        record = client.get("/v1/cases/C-2026-0001", headers=headers).json()
    assert waiting["count"] == 4
    assert {(c["expected_start"], c["expected_start_basis"]) for c in waiting["data"]} == {
        (None, "no_run")
    }
    assert (created["expected_start"], created["expected_start_basis"]) == (None, "no_run")
    assert (record["expected_start"], record["expected_start_basis"]) == (None, "no_run")


def test_the_waiting_list_filters_by_region_and_class(coord):
    assert coord.get("/v1/cases?region=utrecht").json()["count"] == 0
    assert coord.get("/v1/cases?region=amsterdam").json()["count"] == 5
    assert coord.get("/v1/cases?complexity=standard").json()["count"] == 5
    assert coord.get("/v1/cases?complexity=highly_complex").json()["count"] == 0
    assert coord.get("/v1/cases?complexity=legendary").status_code == 422
    assert coord.get("/v1/cases?region=atlantis").status_code == 422
    assert coord.get("/v1/cases?status=lost").status_code == 422
    page = coord.get("/v1/cases?limit=2&offset=1").json()
    assert page["count"] == 5
    assert len(page["data"]) == 2


def test_a_case_record_and_an_unknown_case(coord):
    case = coord.get("/v1/cases/C-2026-0001").json()
    assert case["status"] == "proposed"
    assert case["proposal_id"] is not None
    assert case["expected_start"] == today().isoformat()
    assert case["expected_start_basis"] == "proposal"
    missing = coord.get("/v1/cases/C-2026-9999")
    assert missing.status_code == 404
    assert "C-2026-9999" in missing.json()["detail"]


def test_withdraw_takes_a_case_off_the_list_and_expires_its_proposal(coord, fresh_world):
    answer = coord.post("/v1/cases/C-2026-0001/withdraw")
    assert answer.status_code == 200
    assert answer.json()["status"] == "withdrawn"
    assert (answer.json()["expected_start"], answer.json()["expected_start_basis"]) == (None, None)
    proposal = coord.get(f"/v1/proposals/{fresh_world.proposal_ids[0]}").json()
    assert proposal["status"] == "expired"
    again = coord.post("/v1/cases/C-2026-0001/withdraw")
    assert again.status_code == 409
    placed = coord.post("/v1/cases/C-2026-0005/withdraw")
    assert placed.status_code == 409
    assert "discharged" in placed.json()["detail"]


def test_an_intake_retried_with_its_key_creates_one_case(coord):
    headers = {"Idempotency-Key": "intake-42"}
    first = coord.post("/v1/cases", json=VALID, headers=headers)
    again = coord.post("/v1/cases", json=VALID, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert coord.get("/v1/cases").json()["count"] == 6
    other = coord.post("/v1/cases", json={**VALID, "age": 40}, headers=headers)
    assert other.status_code == 422
    assert other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_a_backdated_intake_keeps_its_date(coord):
    day = (today() - timedelta(days=20)).isoformat()
    case = coord.post("/v1/cases", json={**VALID, "intake_date": day}).json()
    assert case["intake_date"] == day
    assert case["days_waited"] >= 19


def test_unknown_or_repeated_query_parameters_are_refused(shared_coord):
    typo = shared_coord.get("/v1/cases?stauts=waiting")
    assert typo.status_code == 422
    assert typo.json()["detail"][0]["loc"] == ["query", "stauts"]
    twice = shared_coord.get("/v1/cases?status=waiting&status=placed")
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["loc"] == ["query", "status"]
