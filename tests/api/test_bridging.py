"""Bridging beds (issue 14): crisis / 72-hour beds only from today, as a bridge; a case in
one stays on the waiting list with its waiting time running; the pathway on the case.

The small world plus ``crisis-utrecht``: 2 crisis beds, reported free now. ``ws-amsterdam``
has 2 free beds; four adult women wait, ``C-2026-0004`` longest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from capacity import AvailabilityReport, FundingStream, PlacementType, Provider
from capacity.clock import local_date
from store import Repository, ensure_database, session_scope

CRISIS = "crisis-utrecht"


def _add_crisis_beds(url: str, helpers) -> None:
    now = datetime.now(UTC)
    base = helpers.small_dataset(now)
    fac = replace(
        base.facilities[0],
        id=CRISIS,
        name="Crisis Utrecht",
        provider_id="politie",
        region_id="utrecht",
        placement_type=PlacementType.CRISIS,
        beds=2,
        funding_stream_id="crisis-national",
    )
    dataset = replace(
        base,
        providers=(Provider("politie", "Politie crisis beds"),),
        funding_streams=(
            FundingStream(
                id="crisis-national",
                name="Crisis beds",
                payer="VWS",
                placement_types=frozenset({PlacementType.CRISIS}),
                case_categories=frozenset({"adult_nl_eu"}),
            ),
        ),
        facilities=(fac,),
        cases=(),
        placements=(),
        reports=(AvailabilityReport(CRISIS, 2, now, "seed", "crisis-1"),),
    )
    engine = ensure_database(url)
    try:
        with session_scope(engine, immediate=True) as session:
            Repository(session).save_dataset(dataset)
    finally:
        engine.dispose()


@pytest.fixture
def coord(world, helpers):
    _add_crisis_beds(world.url, helpers)
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def run(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5, "seed": 1})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_bridge_beds_are_offered_only_from_today(coord):
    today = local_date(datetime.now(UTC)).isoformat()
    first = run(coord)
    bridges = [p for p in first["proposals"] if p["facility_id"] == CRISIS]
    assert len(bridges) == 2  # the two cases the shelter cannot take get a bridge
    assert {p["start_date"] for p in bridges} == {today}
    residential = {p["case_id"] for p in first["proposals"] if p["facility_id"] != CRISIS}
    assert residential == {"C-2026-0003", "C-2026-0004"}  # the bridge does not beat a bed


def test_a_bridged_case_waits_on_and_its_pathway_leads_to_a_residential_placement(coord):
    first = run(coord)
    bridge = next(p for p in first["proposals"] if p["facility_id"] == CRISIS)
    case_id = bridge["case_id"]
    before = coord.get(f"/v1/cases/{case_id}").json()
    placed = coord.post(f"/v1/proposals/{bridge['id']}/accept")
    assert placed.status_code == 201, placed.text
    case = coord.get(f"/v1/cases/{case_id}").json()
    assert case["status"] == "waiting"  # still on the waiting list
    assert case["intake_date"] == before["intake_date"]  # its waiting time runs on
    waiting = coord.get("/v1/cases", params={"status": "waiting"}).json()
    assert case_id in {line["id"] for line in waiting["data"]}
    path = coord.get(f"/v1/cases/{case_id}/pathway").json()
    assert [s["bridge"] for s in path["steps"]] == [True]
    assert path["in_bridge"] is True
    assert path["seeking_residential"] is True
    # the next round offers no second bridge; with the shelter's beds free, residential
    for other in ("C-2026-0003", "C-2026-0004"):
        assert coord.post(f"/v1/cases/{other}/withdraw").status_code == 200
    second = run(coord)
    mine = [p for p in second["proposals"] if p["case_id"] == case_id]
    assert [p["facility_id"] for p in mine] == ["ws-amsterdam"]
    done = coord.post(f"/v1/proposals/{mine[0]['id']}/accept")
    assert done.status_code == 201, done.text
    assert coord.get(f"/v1/cases/{case_id}").json()["status"] == "placed"
    path = coord.get(f"/v1/cases/{case_id}/pathway").json()
    assert [(s["facility_id"], s["bridge"]) for s in path["steps"]] == [
        (CRISIS, True),
        ("ws-amsterdam", False),
    ]
    assert path["steps"][0]["actual_end"] == path["steps"][1]["start"]  # left the bridge bed
    assert path["in_bridge"] is False
    assert path["seeking_residential"] is False


def test_policymakers_do_not_read_a_pathway(world, helpers):
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/cases/C-2026-0001/pathway", headers=world.auth("policymaker"))
        assert answer.status_code == 403


def test_a_case_in_a_bridge_bed_keeps_its_keep_apart_partner_out_of_that_facility(coord):
    """A bridged case is still on the waiting list, but it sleeps at the crisis facility:
    the next round must not send a case it is kept apart from there (it did: only cases
    placed for good counted as present at a facility)."""
    first = run(coord)
    bridge = next(p for p in first["proposals"] if p["facility_id"] == CRISIS)
    case_id = bridge["case_id"]
    assert coord.post(f"/v1/proposals/{bridge['id']}/accept").status_code == 201
    # the partner had the shelter; it declines it, so the crisis bed is its only option left
    sheltered = next(p for p in first["proposals"] if p["facility_id"] != CRISIS)
    partner = sheltered["case_id"]
    answer = coord.post(
        f"/v1/cases/{partner}/keep-apart",
        json={"other_case_id": case_id, "reason": "co_victims"},
    )
    assert answer.status_code == 201, answer.text
    declined = coord.post(
        f"/v1/proposals/{sheltered['id']}/decline", json={"reason": "facility_declined"}
    )
    assert declined.status_code == 200, declined.text
    second = run(coord)
    sent = {p["case_id"]: p["facility_id"] for p in second["proposals"]}
    assert sent.get(partner) != CRISIS, second["proposals"]
    assert partner in {w["case_id"] for w in second["waits"]}, second
