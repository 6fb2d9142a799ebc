"""Stale capacity in matching (issue 14): a facility whose latest report is older than the
staleness setting is planned with no free beds today, and the proposal says so.

The small world: ``ws-amsterdam`` reported 2 free beds an hour ago; its one placement
stays beyond the horizon, so without today's beds it has none to propose at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from capacity.clock import local_date


def _run(client, world):
    answer = client.post(
        "/v1/matching-runs", json={"time_limit": 5, "seed": 1}, headers=world.auth("coordinator")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_stale_facility_gets_no_proposal_for_today(world, helpers):
    today = local_date(datetime.now(UTC)).isoformat()
    with helpers.client_for(world.url, stale_after_hours=0.5) as client:  # an hour is stale
        run = _run(client, world)
        at_stale = [p for p in run["proposals"] if p["facility_id"] == helpers.OWN_FACILITY]
        assert [p for p in at_stale if p["start_date"] == today] == []
        # a fresh report lifts the rule at once
        report = client.put(
            f"/v1/facilities/{helpers.OWN_FACILITY}/availability",
            json={"beds_free": 2, "as_of": datetime.now(UTC).isoformat()},
            headers=world.auth("reporter-hvo"),
        )
        assert report.status_code == 201, report.text
        again = _run(client, world)
        fresh = [p for p in again["proposals"] if p["start_date"] == today]
        assert len(fresh) == 2
        assert all("Capacity may be out of date" not in p["explanation"] for p in fresh)


def test_a_share_plans_part_of_the_beds_and_the_proposal_says_why(world, helpers):
    today = local_date(datetime.now(UTC)).isoformat()
    with helpers.client_for(world.url, stale_after_hours=0.5, stale_free_beds_share=0.5) as client:
        run = _run(client, world)
    today_proposals = [p for p in run["proposals"] if p["start_date"] == today]
    assert len(today_proposals) == 1  # half of 2 free beds
    assert "Capacity may be out of date" in today_proposals[0]["explanation"]
    assert "1 of its 2 free beds were planned for today" in today_proposals[0]["explanation"]
    # the facility by the name coordinators know, not its id
    assert (
        "Capacity may be out of date: Ws Amsterdam last reported"
        in (today_proposals[0]["explanation"])
    )


@pytest.mark.parametrize("share", [-0.5, 2])
def test_the_share_setting_is_checked(share, world):
    from pydantic import ValidationError

    from api.settings import ApiSettings

    with pytest.raises(ValidationError):
        ApiSettings(database_url=world.url, stale_free_beds_share=share)
