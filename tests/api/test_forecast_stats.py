"""``GET /v1/stats/forecast`` (issue 13): the demand forecast for policymakers, its counts
protected (rounded, small classes merged, a small complexity class suppressed), its
figures the estimator's on the published counts, CSV like the other aggregates, 422s
naming the field. The small world of ``conftest.py``: five women arrived 10 to 60 days ago.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flows
from api.stats.forecast import published_classes
from capacity import ArrivalForecast, Gender, bundled_rulebook, estimate_arrivals
from capacity.clock import local_date
from capacity.disclosure import SMALL_CELL, rounded
from store import Repository, ensure_database, session_scope

WOMEN = "standard/female/adult/needs=none/beds=1"  # the small world's one profile class


@pytest.fixture
def policy(world, helpers):
    with helpers.client_for(world.url) as client:
        client.headers.update(world.auth("policymaker"))
        yield client


def raw_forecast(url: str, window_days: int = 365) -> ArrivalForecast:
    """What ``flows.demand_forecast`` says today, unprotected (the run records' figures)."""
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            return flows.demand_forecast(
                session,
                today=local_date(datetime.now(UTC)),
                rulebook=bundled_rulebook(),
                window_days=window_days,
            )
    finally:
        engine.dispose()


def add_arrivals(url: str, woman, **kinds: tuple[int, dict[str, object]]) -> None:
    """Store ``n`` cases per kind, made from the small world's woman with ``changes``,
    arrived 5 days ago."""
    intake = local_date(datetime.now(UTC)) - timedelta(days=5)
    engine = ensure_database(url)
    try:
        with session_scope(engine) as session:
            repo = Repository(session)
            for kind, (n, changes) in kinds.items():
                for i in range(n):
                    repo.add_case(replace(woman(f"C-{kind.upper()}-{i}", intake), **changes))
    finally:
        engine.dispose()


def test_the_default_forecast_is_the_estimators_over_365_days(policy, world):
    stats = policy.get("/v1/stats/forecast").json()
    today = local_date(datetime.now(UTC))
    assert stats["day"] == today.isoformat()
    assert stats["window"] == {
        "from": (today - timedelta(days=365)).isoformat(),
        "to": (today - timedelta(days=1)).isoformat(),
        "days": 365,
    }
    assert (stats["level"], stats["prior"], stats["horizon_days"]) == (
        0.95,
        {"shape": 0.5, "rate": 0.0},
        60,
    )
    assert "Gamma(0.5 + n, T)" in stats["estimator"]
    (raw,) = raw_forecast(world.url).classes
    (row,) = stats["classes"]
    assert (row["profile_class"], row["arrivals"]) == (WOMEN, {"value": 5, "suppressed": False})
    assert (row["complexity"], row["gender"], row["age"], row["needs"], row["beds"]) == (
        "standard",
        "female",
        "adult",
        [],
        1,
    )
    # 5 is a multiple of 5: the published figures are demand_forecast's own
    assert row["rate_per_day"] == pytest.approx(raw.rate_per_day, abs=1e-6)
    assert row["interval_per_day"] == pytest.approx([raw.low, raw.high], abs=1e-6)
    assert row["rate_per_year"] == pytest.approx(raw.rate_per_day * 365.25, abs=0.01)
    assert row["expected_in_horizon"] == pytest.approx(raw.rate_per_day * 60, abs=0.01)
    assert row["horizon_interval"] == pytest.approx([raw.low * 60, raw.high * 60], abs=0.01)
    totals = {g["complexity"]: g for g in stats["by_complexity"]}
    assert list(totals) == ["standard", "complex", "highly_complex"]
    assert totals["standard"]["rate_per_day"] == row["rate_per_day"]
    assert totals["complex"]["arrivals"] == {"value": 0, "suppressed": False}
    assert totals["complex"]["rate_per_day"] == 0.0


def test_small_classes_are_merged_and_no_count_under_5_appears(policy, world, helpers):
    add_arrivals(
        world.url,
        helpers.woman,
        more=(6, {}),  # 11 women in all: published as 10
        girls=(3, {"age": 16}),
        men=(2, {"gender": Gender.MALE}),
    )
    raw = raw_forecast(world.url).by_class()
    assert {c: r.arrivals for c, r in raw.items()} == {
        WOMEN: 11,
        "standard/female/minor/needs=none/beds=1": 3,
        "standard/male/adult/needs=none/beds=1": 2,
    }
    answer = policy.get("/v1/stats/forecast")
    assert "minor" not in answer.text
    assert "male/" not in answer.text.replace("female/", "")
    rows = {r["profile_class"]: r for r in answer.json()["classes"]}
    assert list(rows) == [WOMEN, "standard/other"]
    women, other = rows[WOMEN], rows["standard/other"]
    # the estimator on the published count: (0.5 + 10) / 365, not (0.5 + 11) / 365
    assert women["arrivals"]["value"] == 10
    assert women["rate_per_day"] == pytest.approx(10.5 / 365, abs=1e-6)
    assert (other["merged"], other["gender"], other["needs"]) == (True, None, None)
    assert other["arrivals"] == {"value": 5, "suppressed": False}
    total = answer.json()["by_complexity"][0]
    assert total["arrivals"]["value"] == rounded(16)
    # the sum of the rows' rates: Gamma(10.5 + 5.5, 365)
    assert total["rate_per_day"] == pytest.approx(16 / 365, abs=1e-6)
    assert total["interval_per_day"][0] < total["rate_per_day"] < total["interval_per_day"][1]


@pytest.mark.parametrize("window_days", [15, 25, 45])
def test_a_complexity_class_of_1_to_4_arrivals_is_suppressed_whole(policy, window_days):
    # 1, 2 or 4 women arrived in the window (10, 20, 30, 40 days ago)
    stats = policy.get(f"/v1/stats/forecast?window_days={window_days}").json()
    (row,) = stats["classes"]
    assert row["profile_class"] == "standard/other"
    assert row["arrivals"] == {"value": None, "suppressed": True}
    hidden = ("rate_per_day", "rate_per_month", "rate_per_year", "interval_per_day")
    assert all(row[k] is None for k in (*hidden, "expected_in_horizon", "horizon_interval"))
    total = stats["by_complexity"][0]
    assert total["arrivals"]["suppressed"] is True
    assert all(total[k] is None for k in hidden)


def test_a_day_in_the_past_moves_the_window(policy):
    day = local_date(datetime.now(UTC)) - timedelta(days=35)
    stats = policy.get(f"/v1/stats/forecast?day={day}&window_days=400").json()
    assert stats["window"]["to"] == (day - timedelta(days=1)).isoformat()
    # only the women who arrived 40 and 60 days ago came before that day: 2, suppressed
    assert stats["by_complexity"][0]["arrivals"]["suppressed"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("window_days=0", "window_days"),
        ("window_days=3651", "window_days"),
        ("window_days=a%20year", "window_days"),
        ("day=2026-02-30", "day"),
        ("day=2999-01-01", "day"),
        ("day=0001-01-02&window_days=10", "day"),
    ],
)
def test_a_bad_window_is_a_422_naming_the_field(policy, query, field):
    answer = policy.get(f"/v1/stats/forecast?{query}")
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", field]


def test_the_csv_and_xlsx_are_the_jsons_rows(policy):
    answer = policy.get("/v1/stats/forecast?format=csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [(r["table"], r["key"]) for r in rows] == [
        ("complexity", "standard"),
        ("complexity", "complex"),
        ("complexity", "highly_complex"),
        ("class", WOMEN),
    ]
    assert (rows[3]["arrivals"], rows[3]["arrivals_suppressed"]) == ("5", "false")
    xlsx = pd.read_excel(io.BytesIO(policy.get("/v1/stats/forecast?format=xlsx").content))
    assert list(xlsx["key"]) == [r["key"] for r in rows]


def test_policymakers_and_admins_see_it_and_coordinators_keep_the_run_record(world, helpers):
    with helpers.client_for(world.url) as client:
        for role, status in [
            ("policymaker", 200),
            ("admin", 200),
            ("coordinator", 403),
            ("reporter-hvo", 403),
        ]:
            answer = client.get("/v1/stats/forecast", headers=world.auth(role))
            assert answer.status_code == status, role
        body = {"time_limit": 5, "anticipation": {"samples": 2, "seed": 0}}
        run = client.post("/v1/matching-runs", json=body, headers=world.auth("coordinator"))
        assert run.status_code == 201, run.text
    # record-level access: the round's record keeps the estimator's exact figures
    (rate,) = run.json()["anticipation"]["forecast"]["classes"]
    assert (rate["profile_class"], rate["arrivals"]) == (WOMEN, 5)


def test_the_window_defaults_to_the_anticipation_setting(world, helpers):
    with helpers.client_for(world.url, anticipation_window_days=45) as client:
        stats = client.get("/v1/stats/forecast", headers=world.auth("policymaker")).json()
    assert stats["window"]["days"] == 45
    today = local_date(datetime.now(UTC))
    assert stats["window"]["from"] == (today - timedelta(days=45)).isoformat()


PROFILES = [
    f"{c}/{g}/{a}/needs={n}/beds={b}"
    for c in ("standard", "complex")
    for g in ("female", "male")
    for a in ("adult", "minor")
    for n in ("none", "lvb")
    for b in (1, 2)
]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(PROFILES), st.integers(1, 14), max_size=12))
def test_no_class_under_5_is_named_and_every_rate_is_the_rounded_counts(counts):
    arrivals = [(-1.0, name) for name, n in counts.items() for _ in range(n)]
    found = estimate_arrivals(arrivals, window_start=-365.0, window_end=0.0)
    totals, rows = published_classes(found, ["standard", "complex"], horizon_days=60)
    named = {r.profile_class for r in rows if not r.merged}
    assert all(counts[name] >= SMALL_CELL for name in named)
    for row in rows:
        if row.arrivals.suppressed:
            assert row.rate_per_day is None
            assert row.interval_per_day is None
            continue
        assert row.arrivals.value is not None
        assert row.rate_per_day == pytest.approx((0.5 + row.arrivals.value) / 365, abs=1e-6)
    for total in totals:
        members = sum(n for name, n in counts.items() if name.startswith(f"{total.complexity}/"))
        assert total.arrivals.suppressed == (0 < members < SMALL_CELL)
        shown = [r for r in rows if r.complexity == total.complexity]
        if not total.arrivals.suppressed and shown:  # the sum of the rows' rates
            assert total.rate_per_day == pytest.approx(
                sum(r.rate_per_day or 0.0 for r in shown), abs=1e-5
            )
