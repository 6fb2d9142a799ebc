"""Anticipation on ``POST /v1/matching-runs`` (issue 13): the setting, its 422s, and the
forecast the run used in its record (the small world of ``conftest.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capacity.clock import local_date


@pytest.fixture
def coord(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("coordinator"))
        yield client


def test_a_run_without_anticipation_records_none(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5})
    assert answer.status_code == 201, answer.text
    assert answer.json()["anticipation"] is None


def test_an_anticipatory_run_records_the_forecast_it_used(coord):
    body = {"time_limit": 5, "anticipation": {"samples": 4, "seed": 3}}
    answer = coord.post("/v1/matching-runs", json=body)
    assert answer.status_code == 201, answer.text
    run = answer.json()
    record = run["anticipation"]
    today = local_date(datetime.now(UTC))
    assert record["window"] == {
        "from": (today - timedelta(days=365)).isoformat(),
        "to": (today - timedelta(days=1)).isoformat(),
        "days": 365,
    }
    assert (record["samples"], record["seed"], record["variant"]) == (4, 3, "two-stage")
    assert record["completed"] is True
    # the five women of the small world arrived 10-60 days ago: one profile class
    (rate,) = record["forecast"]["classes"]
    assert rate["arrivals"] == 5
    assert rate["interval"][0] < rate["rate_per_day"] < rate["interval"][1]
    assert record["kept"] == []  # the waiting women weigh more than fresh arrivals
    assert len(run["proposals"]) == 2
    assert coord.get(f"/v1/matching-runs/{run['id']}").json() == run
    listed = coord.get("/v1/matching-runs").json()["data"][0]
    assert listed["anticipation"] == record


def test_anticipation_defaults_when_its_settings_are_left_out(coord):
    answer = coord.post("/v1/matching-runs", json={"time_limit": 5, "anticipation": {}})
    assert answer.status_code == 201, answer.text
    assert (answer.json()["anticipation"]["samples"], answer.json()["anticipation"]["seed"]) == (
        8,
        0,
    )


@pytest.mark.parametrize(
    ("anticipation", "field"),
    [
        ({"samples": 0}, "samples"),
        ({"samples": 65}, "samples"),
        ({"samples": "many"}, "samples"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**31}, "seed"),
        ({"hold": 3}, "hold"),
    ],
)
def test_bad_anticipation_settings_are_422s_naming_the_field(coord, anticipation, field):
    answer = coord.post("/v1/matching-runs", json={"anticipation": anticipation})
    assert answer.status_code == 422, answer.text
    locs = [e["loc"] for e in answer.json()["detail"]]
    assert ["body", "anticipation", field] in locs
