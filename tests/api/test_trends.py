"""``GET /v1/stats/trends`` (issue 15): policymakers only, counts of cases through the one
disclosure rule, supply as it is, CSV like the other aggregates, 422 naming the field."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from api.stats.trends import trend_point
from capacity import (
    CaseStatus,
    Facility,
    Placement,
    PlacementType,
)
from capacity.clock import local_date
from flows import TrendPeriod, TrendWindow
from flows.history import SupplyHistory, case_spells
from flows.trends import compute_trends


@pytest.fixture
def policy(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("policymaker"))
        yield client


def test_the_default_is_26_weeks_up_to_today(policy):
    stats = policy.get("/v1/stats/trends").json()
    today = local_date(datetime.now(UTC))
    assert stats["until"] == today.isoformat()
    assert stats["period"] == "week"
    assert len(stats["periods"]) == 26
    last = stats["periods"][-1]
    assert last["end"] == today.isoformat()
    # the small world: 4 cases waiting (suppressed), 10 beds of which the placed case and
    # the Amsterdam report (2 of 4 free) hold some; supply is never suppressed
    assert last["waiting"] == {"value": None, "suppressed": True}
    assert last["beds"] == 10
    assert {g["key"] for g in last["by_placement_type"]} == {"womens_shelter", "cosm"}
    assert [g["key"] for g in last["by_complexity"]] == ["standard", "complex", "highly_complex"]


def test_months_and_a_chosen_window(policy):
    today = local_date(datetime.now(UTC))
    since = (today - timedelta(days=70)).isoformat()
    stats = policy.get(f"/v1/stats/trends?period=month&since={since}").json()
    starts = [date.fromisoformat(p["start"]) for p in stats["periods"]]
    assert all(d.day == 1 for d in starts)
    assert len(starts) in (3, 4)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2026-13-01", "since"),
        ("until=yesterday", "until"),
        ("period=fortnight", "period"),
        ("since=2026-11-10&until=2026-11-09", "since"),
        ("until=2999-01-01", "until"),
        ("since=2020-01-01&until=2026-01-01", "since"),
    ],
)
def test_a_bad_window_is_a_422_naming_the_field(policy, query, field):
    answer = policy.get(f"/v1/stats/trends?{query}")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", field]


def test_the_csv_has_the_three_tables_per_period(policy):
    answer = policy.get("/v1/stats/trends?format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["table"] for r in rows} == {"waiting", "placed", "occupancy"}
    assert "<" not in answer.text  # numbers and a suppressed flag, never "<5"
    last = [r for r in rows if r["period_end"] == rows[-1]["period_end"]]
    total = next(r for r in last if r["table"] == "waiting" and r["key"] == "all")
    assert (total["cases"], total["cases_suppressed"]) == ("", "true")
    beds = next(r for r in last if r["table"] == "occupancy" and r["key"] == "all")
    assert beds["beds"] == "10"


@pytest.mark.parametrize("role", ["coordinator", "reporter-hvo"])
def test_only_policymakers_see_trends(world, helpers, role):
    with helpers.client_for(world.url) as client:
        answer = client.get("/v1/stats/trends", headers=world.auth(role))
    assert answer.status_code == 403


WEEK = TrendWindow(date(2026, 11, 9), date(2026, 11, 15), TrendPeriod.WEEK)
BIG = Facility("F-BIG", "Big", "p", "utrecht", PlacementType.OMM, 40, "s", 100.0)


def busy_week(woman):
    """One week (9 to 15 November) of a hand-made history, in classes by id: 3 standard,
    12 complex and 20 highly complex cases waiting since 1 November; 6 complex cases
    placed on the 11th after 7 days, 12 highly complex placed on the 12th after 10, 20,
    ..., 120 days, all in one 40-bed OMM. ``woman`` makes a case (``helpers.woman``)."""
    cases = [woman(f"S-{i}", date(2026, 11, 1)) for i in range(3)]
    cases += [woman(f"C-{i}", date(2026, 11, 1)) for i in range(12)]
    cases += [woman(f"H-{i}", date(2026, 11, 1)) for i in range(20)]
    placed = [(f"CP-{i}", date(2026, 11, 4), date(2026, 11, 11)) for i in range(6)]
    placed += [
        (f"HP-{k}", date(2026, 11, 12) - timedelta(days=10 * k), date(2026, 11, 12))
        for k in range(1, 13)
    ]
    cases += [woman(cid, intake, CaseStatus.PLACED) for cid, intake, _ in placed]
    stays = [
        Placement(f"P-{cid}", cid, "F-BIG", 1, start, date(2027, 3, 1)) for cid, _, start in placed
    ]
    spells = case_spells(cases, stays, (BIG,), {})
    classes = {"S": "standard", "C": "complex", "H": "highly_complex"}
    (figures,) = compute_trends(
        spells,
        SupplyHistory((BIG,), (), stays),
        window=WEEK,
        classes=tuple(classes.values()),
        class_of=lambda c: classes[c.id[0]],
        now=datetime(2026, 12, 1, tzinfo=UTC),
    ).periods
    return trend_point(figures)


def test_a_small_class_is_suppressed_with_its_complementary_cell(helpers):
    # 3 standard cases waiting: hidden; with the total of 35 published, the next smallest
    # (12 complex) is hidden too, so the 3 cannot be worked out as 35 - 12 - 20
    point = busy_week(helpers.woman)
    waiting = {g.key: (g.waiting.value, g.waiting.suppressed) for g in point.by_complexity}
    assert (point.waiting.value, point.waiting.suppressed) == (35, False)
    assert waiting == {
        "standard": (None, True),
        "complex": (None, True),
        "highly_complex": (20, False),
    }


def test_the_waits_of_a_week_by_hand(helpers):
    # placed: 0 standard (published: nobody), 6 complex (5 rounded; no mean under 10
    # cases), 12 highly complex waiting 10..120 days: mean and median 65 -> 9 weeks (63);
    # all 18: mean (6 x 7 + 780) / 18 = 45.7 -> 7 weeks (49), median (30 + 40) / 2 = 35
    point = busy_week(helpers.woman)
    placed = {g.key: g for g in point.by_complexity}
    assert placed["standard"].placed.value == 0
    assert (placed["complex"].placed.value, placed["complex"].mean_wait_days) == (5, None)
    high = placed["highly_complex"]
    assert (high.placed.value, high.mean_wait_days, high.median_wait_days) == (10, 63, 63)
    assert (point.placed.value, point.mean_wait_days, point.median_wait_days) == (20, 49, 35)
    assert (point.beds, point.occupied, point.occupancy) == (40, 18, 0.45)  # supply as is
