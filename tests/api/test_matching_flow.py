"""A matching round through the API: run, read, accept, decline, discharge.

The small world: ``ws-amsterdam`` has 2 free beds for the whole horizon (a women's-shelter
stay is longer than the horizon), four adult women wait or are proposed, and no facility
admits men. So a run proposes two cases, leaves two waiting (full for the horizon) and
reports a man as a capacity gap.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capacity.clock import local_date

MAN = {
    "age": 40,
    "gender": "male",
    "residence_status": "nl",
    "exploitation_type": "labour",
    "region_signalled": "amsterdam",
    "region_of_exploitation": "utrecht",
    "responsible_organisation": "CoMensha",
}


def today():
    return local_date(datetime.now(UTC))


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def run(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5, "seed": 1})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_run_is_stored_with_its_record_proposals_and_waits(coord, world):
    man = coord.post("/v1/cases", json=MAN).json()
    first = run(coord)
    assert first["status"] == "optimal"
    assert len(first["inputs_hash"]) == 64
    assert first["rulebook_version"] == "national-v1"
    assert len(first["rulebook_hash"]) == 64
    assert first["parameters"]["time_limit"] == 5
    assert first["parameters"]["seed"] == 1
    assert first["cases"] == 5
    assert first["gap"] == pytest.approx(0.0, abs=1e-6)
    assert {p["case_id"] for p in first["proposals"]} == {
        "C-2026-0003",
        "C-2026-0004",
    }  # longest waits
    for p in first["proposals"]:
        assert p["status"] == "pending"
        assert p["facility_id"] == "ws-amsterdam"
        assert p["start_date"] == today().isoformat()
        assert p["explanation"].startswith("Meets:")
        assert p["criteria"]
    waits = {w["case_id"]: w for w in first["waits"]}
    assert waits[man["id"]]["capacity_gap"] is True
    assert waits[man["id"]]["binds"][0]["kind"] == "capacity_gap"
    assert {r["rule"] for r in waits[man["id"]]["failing_rules"]} >= {"gender"}
    assert waits["C-2026-0001"]["binds"][0]["kind"] == "full_horizon"
    assert coord.get(f"/v1/matching-runs/{first['id']}").json() == first
    earlier = coord.get(f"/v1/proposals/{world.proposal_ids[0]}").json()
    assert earlier["status"] == "expired"
    assert coord.get("/v1/cases/C-2026-0001").json()["status"] == "waiting"
    assert coord.get("/v1/cases/C-2026-0003").json()["status"] == "proposed"
    second = run(coord)
    assert second["inputs_hash"] == first["inputs_hash"]  # same picture, same inputs
    assert coord.get("/v1/matching-runs").json()["data"][0]["id"] == second["id"]
    assert coord.get("/v1/matching-runs/999999").status_code == 404


def test_accept_creates_the_placement_and_takes_the_bed(coord, world):
    proposal = world.proposal_ids[0]
    answer = coord.post(f"/v1/proposals/{proposal}/accept")
    assert answer.status_code == 201, answer.text
    placement = answer.json()
    assert placement["case_id"] == "C-2026-0001"
    assert placement["start"] == today().isoformat()
    assert placement["expected_end"] == (today() + timedelta(days=259)).isoformat()
    assert coord.get("/v1/cases/C-2026-0001").json()["status"] == "placed"
    assert coord.get(f"/v1/proposals/{proposal}").json()["placement_id"] == placement["id"]
    again = coord.post(f"/v1/proposals/{proposal}/accept")
    assert again.status_code == 409
    assert "accepted" in again.json()["detail"]
    second = coord.post(f"/v1/proposals/{world.proposal_ids[1]}/accept")
    assert second.status_code == 201
    listing = coord.get("/v1/placements?active=true&facility_id=ws-amsterdam").json()
    assert listing["count"] == 3


def test_accept_when_the_bed_went_is_a_409_that_says_why(coord, world):
    report = {"beds_free": 0, "as_of": datetime.now(UTC).isoformat()}
    assert (
        coord.put(
            "/v1/facilities/ws-amsterdam/availability",
            json=report,
            headers=world.auth("reporter-hvo"),
        ).status_code
        == 201
    )
    answer = coord.post(f"/v1/proposals/{world.proposal_ids[0]}/accept")
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        f"facility ws-amsterdam has 0 free beds on {today().isoformat()}; needs 1"
    )
    assert coord.get("/v1/cases/C-2026-0001").json()["status"] == "proposed"  # nothing written


def test_decline_excludes_the_pair_and_keeps_the_priority(coord, world):
    before = coord.get("/v1/cases/C-2026-0001").json()
    answer = coord.post(
        f"/v1/proposals/{world.proposal_ids[0]}/decline", json={"reason": "facility_declined"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "declined"
    assert answer.json()["decline_reason"] == "facility_declined"
    after = coord.get("/v1/cases/C-2026-0001").json()
    assert after["status"] == "waiting"
    assert after["intake_date"] == before["intake_date"]
    assert after["priority_weight"] == before["priority_weight"]
    again = coord.post(f"/v1/proposals/{world.proposal_ids[0]}/decline", json={"reason": "unsafe"})
    assert again.status_code == 409
    later = run(coord)
    assert all(p["case_id"] != "C-2026-0001" for p in later["proposals"])
    waits = {w["case_id"]: w for w in later["waits"]}
    assert waits["C-2026-0001"]["binds"][0]["kind"] == "declined"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"reason": "bored"}, ["body", "reason"]),
        ({}, ["body", "reason"]),
        ({"reason": "other"}, ["body", "text"]),
        ({"reason": "other", "text": "x" * 201}, ["body", "text"]),
        ({"reason": "unsafe", "why": "x"}, ["body", "why"]),
    ],
)
def test_decline_field_rules(coord, world, body, loc):
    answer = coord.post(f"/v1/proposals/{world.proposal_ids[0]}/decline", json=body)
    assert answer.status_code == 422
    assert any(e["loc"] == loc for e in answer.json()["detail"]), answer.json()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Jan Jansen, Kerkstraat 1, BSN 123456782", "phone number or a BSN"),
        ("belde jan.jansen@example.nl", "e-mail address"),
        ("woont Kerkstraat 1, 3511 AB Utrecht", "postcode"),
        ("geboren 12-03-1994", "date"),
    ],
)
def test_a_decline_text_with_identity_data_is_a_422_and_nothing_is_stored(
    coord, world, text, words
):
    proposal = world.proposal_ids[0]
    for reason in ("other", "unsafe"):  # whatever the reason, the text never says who
        answer = coord.post(
            f"/v1/proposals/{proposal}/decline", json={"reason": reason, "text": text}
        )
        assert answer.status_code == 422, answer.text
        (refused,) = answer.json()["detail"]
        assert refused["loc"] == ["body", "text"]
        assert words in refused["msg"]
    stored = coord.get(f"/v1/proposals/{proposal}").json()
    assert (stored["status"], stored["decline_text"]) == ("pending", None)
    assert coord.get("/v1/cases/C-2026-0001").json()["status"] == "proposed"


def test_discharge_frees_the_beds(coord, world):
    placement = coord.post(f"/v1/proposals/{world.proposal_ids[0]}/accept").json()
    assert (
        coord.post("/v1/placements/PL-0001/discharge", json={"day": "2999-01-01"}).status_code
        == 422
    )
    answer = coord.post("/v1/placements/PL-0001/discharge")
    assert answer.status_code == 200
    assert answer.json()["actual_end"] == today().isoformat()
    assert coord.get("/v1/cases/C-2026-0005").json()["status"] == "discharged"
    assert coord.post("/v1/placements/PL-0001/discharge").status_code == 409
    assert coord.post("/v1/placements/PL-9999/discharge").status_code == 404
    early = coord.post(
        f"/v1/placements/{placement['id']}/discharge",
        json={"day": (today() - timedelta(days=1)).isoformat()},
    )
    assert early.status_code == 422
    assert early.json()["detail"][0]["loc"] == ["body", "day"]
    # the discharged bed is free again: the second proposal fits
    assert coord.post(f"/v1/proposals/{world.proposal_ids[1]}/accept").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"time_limit": 0},
        {"time_limit": -1},
        {"time_limit": 601},
        {"time_limit": True},
        {"time_limit": "5"},
        {"seed": -1},
        {"seed": 1.5},
        {"seed": 2**31},
        {"method": "magic"},
    ],
)
def test_run_parameters_are_checked(coord, body):
    answer = coord.post("/v1/matching-runs", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][:2] == ["body", next(iter(body))]


def test_a_run_records_its_solve_stage_by_stage(coord, world):
    # issue 11: the record says how the solve went, not only where it ended
    first = run(coord)
    stages = first["stages"]
    # the small world is solved exactly by min-cost flow, in one step: one stage
    assert stages == [
        {
            "part": 0,
            "parts": 1,
            "stage": "flow",
            "seconds": pytest.approx(first["build_seconds"] + first["solve_seconds"], abs=1e-3),
            "objective": pytest.approx(first["objective"]),
            "bound": pytest.approx(first["bound"]),
            "gap": pytest.approx(0.0, abs=1e-6),
        }
    ]
    assert coord.get(f"/v1/matching-runs/{first['id']}").json()["stages"] == stages
    # a run stored without stages (before issue 11) reads as an empty list
    assert coord.get(f"/v1/matching-runs/{world.run_id}").json()["stages"] == []
    assert "stages" not in coord.get("/v1/matching-runs").json()["data"][0]


def test_stages_are_stored_and_read_back_with_missing_figures_as_null(world, helpers, coord):
    from store import StageRecord

    stages = (
        StageRecord(0, 2, "greedy", 0.01, 120.5),
        StageRecord(0, 2, "lp", 0.2, 120.5, 110.0, 0.0871),
        StageRecord(1, 2, "colgen", 1.5, None, 3.0),
    )
    run_id, _ = helpers.add_run(world.url, [], as_of=datetime.now(UTC), stages=stages)
    read = coord.get(f"/v1/matching-runs/{run_id}").json()["stages"]
    assert read == [
        {
            "part": 0,
            "parts": 2,
            "stage": "greedy",
            "seconds": 0.01,
            "objective": 120.5,
            "bound": None,
            "gap": None,
        },
        {
            "part": 0,
            "parts": 2,
            "stage": "lp",
            "seconds": 0.2,
            "objective": 120.5,
            "bound": 110.0,
            "gap": 0.0871,
        },
        {
            "part": 1,
            "parts": 2,
            "stage": "colgen",
            "seconds": 1.5,
            "objective": None,
            "bound": 3.0,
            "gap": None,
        },
    ]
