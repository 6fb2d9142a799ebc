"""Aggregates for policymakers: small cells are "<5", and no case record leaks."""

from __future__ import annotations

import pytest


@pytest.fixture
def policy(fresh_world, helpers):
    with helpers.client_for(fresh_world.url) as client:
        client.headers.update(fresh_world.auth("policymaker"))
        yield client


def test_waiting_stats_suppress_small_cells(policy):
    stats = policy.get("/v1/stats/waiting").json()
    assert stats["cases"] == "<5"  # 4 waiting or proposed: a small cell


def test_counts_under_five_are_never_numbers(policy):
    for path in ("/v1/stats/waiting", "/v1/stats/occupancy", "/v1/stats/capacity-gaps"):
        body = policy.get(path).json()
        for value in _counts(body):
            assert value == "<5" or value >= 5, (path, value)


def _counts(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("cases", "facilities", "beds", "occupied", "free"):
                yield value
            else:
                yield from _counts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _counts(item)


def test_small_groups_hide_their_waiting_days(policy):
    stats = policy.get("/v1/stats/waiting").json()
    standard = next(g for g in stats["by_complexity"] if g["key"] == "standard")
    assert standard == {"key": "standard", "cases": "<5", "mean_days": None, "max_days": None}
    assert [g["key"] for g in stats["by_complexity"]] == ["standard", "complex", "highly_complex"]


def test_capacity_gaps_count_cases_by_the_rules_in_the_way(fresh_world, helpers):
    man = {
        "age": 40,
        "gender": "male",
        "residence_status": "nl",
        "exploitation_type": "labour",
        "region_signalled": "amsterdam",
        "region_of_exploitation": "utrecht",
        "responsible_organisation": "CoMensha",
    }
    with helpers.client_for(fresh_world.url) as client:
        for _ in range(5):
            client.post("/v1/cases", json=man, headers=fresh_world.auth("coordinator"))
        gaps = client.get("/v1/stats/capacity-gaps", headers=fresh_world.auth("policymaker")).json()
    assert gaps["cases"] == 5
    rules = {r["rule"]: r["cases"] for r in gaps["by_rule"]}
    assert rules["gender"] == 5
    assert gaps["rulebook_version"] == "national-v1"
