"""Aggregates for policymakers: supply as it is, counts of cases protected, no case record.

Issue 10 undid the old suppression twice: a small region count was the total minus the
shown regions, and a withdrawn case's region, class and wait came out of the difference
of two snapshots. Issue 15: supply figures are not about people and were over-suppressed.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from api.downloads import XLSX_TYPE
from capacity.clock import local_date


@pytest.fixture
def policy(fresh_world, helpers):
    with helpers.client_for(fresh_world.url) as client:
        client.headers.update(fresh_world.auth("policymaker"))
        yield client


def _case_counts(node):
    if isinstance(node, dict):
        if set(node) == {"value", "suppressed"}:
            yield node
            return
        for value in node.values():
            yield from _case_counts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _case_counts(item)


def test_a_small_waiting_list_is_suppressed(policy):
    stats = policy.get("/v1/stats/waiting").json()
    assert stats["cases"] == {"value": None, "suppressed": True}  # 4 waiting or proposed
    assert "rounded to a multiple of 5" in stats["disclosure"]


def test_no_count_of_cases_is_small_or_unrounded(policy):
    for path in ("/v1/stats/waiting", "/v1/stats/capacity-gaps"):
        for count in _case_counts(policy.get(path).json()):
            if count["suppressed"]:
                assert count["value"] is None
            else:
                assert count["value"] % 5 == 0, (path, count)


def test_supply_is_never_suppressed(policy):
    stats = policy.get("/v1/stats/occupancy").json()
    amsterdam = next(g for g in stats["by_region"] if g["key"] == "amsterdam")
    assert amsterdam["facilities"] == 1  # a small number, but not about people
    assert amsterdam["beds"] == 4
    assert amsterdam["occupied"] + amsterdam["free"] == 4
    assert 0 <= amsterdam["occupancy"] <= 1


def test_small_groups_hide_their_waiting_days(policy):
    stats = policy.get("/v1/stats/waiting").json()
    standard = next(g for g in stats["by_complexity"] if g["key"] == "standard")
    assert standard == {
        "key": "standard",
        "cases": {"value": None, "suppressed": True},
        "mean_days": None,
    }
    assert [g["key"] for g in stats["by_complexity"]] == ["standard", "complex", "highly_complex"]
    assert len(stats["by_region"]) == 35


def _intake(client, world, region: str, days_ago: int) -> str:
    body = {
        "age": 30,
        "gender": "female",
        "residence_status": "eu",
        "exploitation_type": "sexual",
        "region_signalled": region,
        "region_of_exploitation": "utrecht",
        "responsible_organisation": "CoMensha",
        "intake_date": (local_date(datetime.now(UTC)) - timedelta(days=days_ago)).isoformat(),
    }
    answer = client.post("/v1/cases", json=body, headers=world.auth("coordinator"))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_a_small_region_cannot_be_taken_from_the_total(fresh_world, helpers):
    # the red team: total minus the shown regions gave the suppressed one
    with helpers.client_for(fresh_world.url) as client:
        for i in range(12):
            _intake(client, fresh_world, "rotterdam", 10 + i)
        for i in range(9):
            _intake(client, fresh_world, "den-haag", 20 + i)
        stats = client.get("/v1/stats/waiting", headers=fresh_world.auth("policymaker")).json()
    regions = {g["key"]: g["cases"] for g in stats["by_region"]}
    hidden = [k for k, c in regions.items() if c["suppressed"]]
    assert "amsterdam" in hidden  # its 4 seeded cases
    assert len(hidden) >= 2  # and a companion, so the total does not give it away
    assert stats["cases"]["value"] == 25  # 25 cases: rounded, and shown


def _wait_range(before: dict, after: dict) -> tuple[float, float]:
    """What an attacker learns of a leaver's wait from a group's two published snapshots:
    every group size that rounds to the published counts, every mean that rounds to the
    published whole weeks, and wait = n * mean - (n - 1) * mean'."""
    lows, highs = [], []
    for n in range(1, 200):
        if (n + 2) // 5 * 5 != before["cases"]["value"]:  # rounded as published
            continue
        if (n - 1 + 2) // 5 * 5 != after["cases"]["value"]:
            continue
        m, m_after = before["mean_days"], after["mean_days"]
        lows.append(n * (m - 3.5) - (n - 1) * (m_after + 3.5))
        highs.append(n * (m + 3.5) - (n - 1) * (m_after - 3.5))
    return min(lows), max(highs)


def test_a_withdrawal_between_two_snapshots_does_not_show_its_wait(fresh_world, helpers):
    # the red team recovered a withdrawn case's 80-day wait from two snapshots' means
    with helpers.client_for(fresh_world.url) as client:
        ids = [_intake(client, fresh_world, "rotterdam", 10 * (i + 1)) for i in range(11)]
        for i in range(9):  # den-haag, smaller, is amsterdam's companion in suppression
            _intake(client, fresh_world, "den-haag", 5 + i)
        policy = fresh_world.auth("policymaker")
        before = client.get("/v1/stats/waiting", headers=policy).json()
        withdrawn = client.post(
            f"/v1/cases/{ids[7]}/withdraw", headers=fresh_world.auth("coordinator")
        )
        assert withdrawn.status_code == 200, withdrawn.text
        after = client.get("/v1/stats/waiting", headers=policy).json()
    first, second = (
        next(g for g in s["by_region"] if g["key"] == "rotterdam") for s in (before, after)
    )
    # 11 -> 10 cases: both published as 10, so the count does not move
    assert first["cases"] == second["cases"] == {"value": 10, "suppressed": False}
    assert "max_days" not in first  # the longest wait is one person's
    least, most = _wait_range(first, second)
    assert least <= 80 <= most
    assert most - least > 8 * 7  # only "more than about two months" can be told


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
    assert gaps["cases"] == {"value": 5, "suppressed": False}
    rules = {r["rule"]: r["cases"] for r in gaps["by_rule"]}
    assert rules["gender"] == {"value": 5, "suppressed": False}
    assert gaps["rulebook_version"] == "national-v1"


def test_waiting_stats_show_equity_by_group_and_the_regional_spread(fresh_world, helpers):
    # issue 15: who waits how long, by exploitation type, residence status and age band,
    # and how far apart the regions are; every table protected together with the total
    with helpers.client_for(fresh_world.url) as client:
        for region, first, n in (
            ("rotterdam", 10, 10), ("den-haag", 30, 10), ("groningen", 60, 10),
            ("utrecht", 5, 6),  # the companion of amsterdam's 4 in complementary suppression
        ):  # fmt: skip
            for i in range(n):
                _intake(client, fresh_world, region, first + i)
        stats = client.get("/v1/stats/waiting", headers=fresh_world.auth("policymaker")).json()
    ages = {g["key"] for g in stats["by_age_band"]}
    assert ages == {"under 18", "18-22", "23-29", "30-49", "50 and over"}
    residence = {g["key"]: g["cases"] for g in stats["by_residence_status"]}
    assert residence["eu"] == {"value": 40, "suppressed": False}  # 36 + the 4 seeded (EU)
    assert {g["key"] for g in stats["by_exploitation_type"]} == {
        "sexual", "labour", "criminal", "other"
    }  # fmt: skip
    spread = stats["regional_spread"]
    assert spread["regions"] == 3  # three regions of 10 cases: their means are published
    assert spread["p10_days"] < spread["p90_days"]
    for table in ("by_exploitation_type", "by_residence_status", "by_age_band"):
        for group in stats[table]:
            count = group["cases"]
            assert count["suppressed"] or count["value"] % 5 == 0


# -- bed values (issue 15): supply, from the LP, never a case ----------------------------


def test_bed_values_rank_the_binding_group(policy):
    stats = policy.get("/v1/stats/bed-values").json()
    assert stats["complete"] is True
    assert stats["note"] is None
    assert stats["skipped_facilities"] == []
    assert stats["horizon_days"] == 60
    # four adult EU women wait, ws-amsterdam has room for fewer: a bed there saves waiting;
    # cosm-leeuwarden takes none of them, so it is worth nothing and left out
    assert [(v["placement_type"], v["region_id"], v["facility_id"]) for v in stats["values"]] == [
        ("womens_shelter", "amsterdam", "ws-amsterdam")
    ]
    assert stats["values"][0]["value"] > 0


def test_bed_values_download_as_csv_and_xlsx_like_the_other_stats(policy):
    # issue 15: ?format=csv was a 422 here while every other stats route offers a file
    stats = policy.get("/v1/stats/bed-values").json()
    answer = policy.get("/v1/stats/bed-values?format=csv")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert 'filename="bed-values.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [
        (r["complete"], r["placement_type"], r["region_id"], r["facility_id"]) for r in rows
    ] == [("true", "womens_shelter", "amsterdam", "ws-amsterdam")]
    assert float(rows[0]["value"]) == pytest.approx(stats["values"][0]["value"])
    xlsx = policy.get("/v1/stats/bed-values", headers={"Accept": XLSX_TYPE})
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")  # a zip: the workbook


def test_bed_values_name_no_case(policy, fresh_world):
    text = policy.get("/v1/stats/bed-values").text
    assert "C-2026-" not in text


def test_bed_values_refuse_a_time_limit_out_of_range(policy):
    for bad in ("0", "61", "soon"):
        answer = policy.get(f"/v1/stats/bed-values?time_limit={bad}")
        assert answer.status_code == 422, bad
        assert answer.json()["detail"][0]["loc"] == ["query", "time_limit"]


def test_bed_values_say_when_they_are_incomplete(policy, monkeypatch):
    import numpy as np

    import matching.shadow

    def out_of_time(problem, *, time_limit):  # no LP finished before the deadline
        return np.full(problem.n_facilities, np.nan)

    monkeypatch.setattr(matching.shadow, "facility_bed_values", out_of_time)
    stats = policy.get("/v1/stats/bed-values?time_limit=1").json()
    assert stats["complete"] is False
    assert stats["values"] == []
    assert sorted(stats["skipped_facilities"]) == ["cosm-leeuwarden", "ws-amsterdam"]
    assert stats["note"].startswith("Extra-bed values not computed within 1 s for 2 facilities (")
    assert stats["note"].endswith("); none was valued.")


def test_bed_values_are_for_policymakers_and_admins(fresh_world, helpers):
    with helpers.client_for(fresh_world.url) as client:
        for who, status in (("coordinator", 403), ("reporter-hvo", 403), ("admin", 200)):
            client.headers.update(fresh_world.auth(who))
            assert client.get("/v1/stats/bed-values").status_code == status, who
