"""KPIs are pure functions of a trace: checked on a trace written by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import (
    Arrived,
    BedsChanged,
    BudgetChanged,
    Discharged,
    Placed,
    RoundHeld,
    RunInfo,
    Trace,
    aggregate,
    confidence_interval,
    replication_kpis,
)
from scenarios.aggregate import kpi_bounds, missing_value
from scenarios.events import FacilityInfo, StreamInfo


def info(**over) -> RunInfo:
    base = {
        "scenario": "hand",
        "policy": "fifo",
        "cadence": "daily",
        "rulebook": "national-v1",
        "replication": 0,
        "start_date": "2026-12-01",
        "horizon_days": 100,
        "warmup_days": 10,
        "target_days": 7.0,
        "classes": ("standard", "complex", "highly_complex"),
        "facilities": (
            FacilityInfo("f-utrecht", "womens_shelter", "utrecht", 2, 100.0, "wmo-utrecht"),
            FacilityInfo("f-omm", "omm", "rotterdam", 1, 200.0, "vws-omm"),
        ),
        "streams": (StreamInfo("wmo-utrecht", None), StreamInfo("vws-omm", 10_000.0)),
    }
    base.update(over)
    return RunInfo(**base)


def arrive(t, case, cls="standard", region="utrecht", eligible=1):
    return Arrived(t, case, "women", cls, region, 1, 1.0, eligible)


HAND = Trace(
    info(),
    (
        Placed(-50.0, "old", "f-utrecht", 1, initial=True),  # under way at the start
        arrive(5.0, "early"),  # before the warm-up: not measured
        Placed(5.0, "early", "f-utrecht", 1),
        arrive(20.0, "a"),
        arrive(20.0, "b", "complex", "rotterdam"),
        RoundHeld(20.0, 2, 1, "rule"),
        Placed(20.0, "a", "f-utrecht", 1),  # waits 0 days; but the bed is full until 30
        Discharged(30.0, "old", "f-utrecht", 1),
        Placed(32.0, "b", "f-omm", 1),  # waits 12 days
        Discharged(40.0, "b", "f-omm", 1),
        BedsChanged(50.0, "f-utrecht", 4),
        arrive(
            60.0, "c", "highly_complex", "amsterdam", eligible=0
        ),  # never placed: 40 days so far
        BudgetChanged(70.0, "vws-omm", 20_000.0),
    ),
)


def test_waits_count_window_arrivals_and_censor_the_unplaced():
    k = replication_kpis(HAND)
    assert k["overall"]["cases"] == 3
    assert k["overall"]["wait_days"] == {
        "mean": 52 / 3,
        "median": 12.0,
        "p90": pytest.approx(34.4),
        "max": 40.0,
    }
    assert k["overall"]["placed_within_target"] == pytest.approx(1 / 3)
    assert k["overall"]["unplaced_at_end"] == 1
    assert k["overall"]["capacity_gap_cases"] == 1
    assert k["by_class"]["complex"]["wait_days"]["mean"] == 12.0
    assert k["by_class"]["highly_complex"]["unplaced_at_end"] == 1
    assert k["by_class"]["complex_cases"]["wait_days"]["mean"] == 26.0  # (12 + 40) / 2
    assert k["by_class"]["standard"]["wait_days"]["mean"] == 0.0
    # c has no eligible facility (a capacity gap): left out of this mean
    assert k["overall"]["mean_wait_days_if_eligible"] == 6.0


def test_out_of_region_compares_facility_and_signalling_region():
    k = replication_kpis(HAND)
    assert k["out_of_region"] == {"placements": 0, "share": 0.0}  # a: utrecht, b: rotterdam


def test_occupancy_integrates_bed_days_over_the_window():
    k = replication_kpis(HAND)["occupancy"]
    # f-utrecht, window 10..100: "old" 10..30, "early" 10..100, "a" 20..100 = 20 + 90 + 80;
    # beds 2 until day 50, then 4: 2 x 40 + 4 x 50
    assert k["by_type"]["womens_shelter"] == pytest.approx(190 / 280)
    assert k["by_region"]["rotterdam"] == pytest.approx(8 / 90)  # b from 32 to 40
    assert k["overall"] == pytest.approx(198 / 370)


def test_cost_per_stream_and_budget_overrun():
    k = replication_kpis(HAND)
    assert k["cost"]["by_stream"] == {"vws-omm": 1_600.0, "wmo-utrecht": 19_000.0}
    assert k["cost"]["total_per_year"] == pytest.approx(20_600 * 365 / 90)
    # vws-omm: b started in 2027 (day 32 from 1 December 2026) for 8 days: 1,600 < budget
    assert k["budget_overrun"] == {"total": 0.0, "by_stream": {}}
    tight = Trace(
        info(streams=(StreamInfo("wmo-utrecht", None), StreamInfo("vws-omm", 1_000.0))),
        HAND.events[:-1],
    )
    assert replication_kpis(tight)["budget_overrun"] == {
        "total": 600.0,
        "by_stream": {"vws-omm": 600.0},
    }


def test_weighted_wait_counts_every_case_of_the_run():
    # early 0, a 0, b 12, c 100 - 60 = 40, all with weight 1
    assert replication_kpis(HAND)["weighted_wait_days"] == 52.0


def test_weighted_wait_by_class_splits_the_evaluation_objective():
    # issue 13: per complexity class, every class listed, parts adding up to the total
    kpis = replication_kpis(HAND)
    by_class = kpis["weighted_wait_days_by_class"]
    assert set(by_class) == {"standard", "complex", "highly_complex"}
    assert by_class["complex"] == 12.0
    assert by_class["standard"] == 0.0  # early and a were placed on arrival
    assert sum(by_class.values()) == kpis["weighted_wait_days"]


def test_confidence_interval_is_a_bootstrap_interval_within_the_values():
    # issue 15: the t-interval of [1, 2, 3, 4] reached below 0 for quantities near 0
    low, high = confidence_interval([1.0, 2.0, 3.0, 4.0])
    assert 1.0 <= low < 2.5 < high <= 4.0
    assert confidence_interval([1.0, 2.0, 3.0, 4.0]) == (low, high)  # seeded: reproducible
    assert confidence_interval([7.0]) is None
    assert confidence_interval([7.0, 9.0]) is None  # fewer than 3 replications: none


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 1e6, allow_nan=False), min_size=3, max_size=12),
    st.sampled_from(["overall.wait_days.mean", "occupancy.overall", "out_of_region.share"]),
)
def test_no_interval_leaves_the_range_of_its_kpi(values, path):
    bounds = kpi_bounds(path)
    if bounds[1] == 1.0:
        values = [v / 1e6 for v in values]
    low, high = confidence_interval(values, bounds=bounds)
    assert bounds[0] <= low <= high <= bounds[1]
    assert min(values) - 1e-9 <= low
    assert high <= max(values) + 1e-9


def test_aggregate_puts_the_interval_beside_each_kpi():
    reps = [
        {"w": {"mean": 1.0, "p90": 2.0}},
        {"w": {"mean": 3.0, "p90": None}},
        {"w": {"mean": 2.0}},
    ]
    agg = aggregate(reps)
    assert agg["w"]["mean"] == 2.0
    low, high = agg["w"]["ci95"]
    assert 1.0 <= low < 2.0 < high <= 3.0
    assert agg["w"]["p90"] == 2.0
    assert agg["w"]["p90_ci95"] is None  # one value


def test_aggregate_counts_a_stream_missing_from_a_replication_as_zero():
    # a replication lists only the streams that cost something or overran
    reps = [
        {"cost": {"by_stream": {"x": 100.0}}, "budget_overrun": {"by_stream": {"x": 30.0}}},
        {"cost": {"by_stream": {}}, "budget_overrun": {"by_stream": {}}},
        {"cost": {"by_stream": {}}, "budget_overrun": {"by_stream": {}}},
    ]
    agg = aggregate(reps)
    assert agg["cost"]["by_stream"]["x"] == pytest.approx(100 / 3)
    low, high = agg["cost"]["by_stream"]["x_ci95"]
    assert 0.0 <= low < 100 / 3 < high <= 100.0  # the t-interval went below 0 here
    assert agg["budget_overrun"]["by_stream"]["x"] == pytest.approx(10.0)
    assert agg["budget_overrun"]["by_stream"]["x_ci95"] is not None


def test_aggregate_still_leaves_out_replications_without_a_value_elsewhere():
    agg = aggregate([{"policy": {"note": 6.0}}, {"policy": {}}, {"by_class": {}}])
    assert agg["policy"]["note"] == 6.0
    assert agg["policy"]["note_ci95"] is None


def test_aggregate_of_replication_kpis_is_unbiased_for_streams_that_cost_nothing():
    # the second replication is HAND with nobody placed in the OMM house: no vws-omm cost
    quiet = Trace(HAND.info, tuple(e for e in HAND.events if getattr(e, "case", "") != "b"))
    agg = aggregate([replication_kpis(HAND), replication_kpis(quiet)])
    assert "vws-omm" not in replication_kpis(quiet)["cost"]["by_stream"]
    assert agg["cost"]["by_stream"]["vws-omm"] == pytest.approx(800.0)


def test_equity_kpis_show_who_waits_how_long_by_group_and_the_spread_between_regions():
    # issue 15: no KPI showed waiting by region signalled, exploitation type, residence
    # status or age band, nor the spread between regions
    events = []
    for region, wait in (("utrecht", 5.0), ("rotterdam", 10.0), ("amsterdam", 40.0)):
        for i in range(5):
            case = f"{region}-{i}"
            events.append(Arrived(20.0, case, "women", "standard", region, 1, 1.0, 1,
                                  "labour" if i < 2 else "sexual", "eu", 17 + i * 10))  # fmt: skip
            events.append(Placed(20.0 + wait, case, "f-utrecht", 1))
    events.sort(key=lambda e: e.time)
    kpis = replication_kpis(Trace(info(), tuple(events)))["equity"]
    assert kpis["by_region_signalled"]["amsterdam"] == {"cases": 5, "mean_wait_days": 40.0}
    assert kpis["by_exploitation_type"]["labour"]["cases"] == 6
    # ages 17, 27, 37, 47, 57 in each region
    assert {k: v["cases"] for k, v in kpis["by_age_band"].items()} == {
        "under 18": 3, "23-29": 3, "30-49": 6, "50 and over": 3
    }  # fmt: skip
    assert kpis["by_residence_status"] == {"eu": {"cases": 15, "mean_wait_days": 55 / 3}}
    spread = kpis["spread"]
    assert spread["regions"] == 3
    # regional means 5, 10, 40: the 90th percentile 34, the 10th 6
    assert spread["regional_mean_wait_p90"] == pytest.approx(34.0)
    assert spread["regional_mean_wait_p10"] == pytest.approx(6.0)
    assert spread["regional_p90_p10_ratio"] == pytest.approx(34 / 6)
    assert spread["regional_p90_minus_p10_days"] == pytest.approx(28.0)


def test_the_spread_needs_three_regions_with_enough_cases():
    kpis = replication_kpis(HAND)["equity"]["spread"]
    assert kpis["regions"] == 0
    assert kpis["regional_p90_p10_ratio"] is None


def test_aggregate_counts_a_group_missing_from_a_replication_as_no_cases():
    # issue 15: Amsterdam showed 8 cases over 3 replications (2.67) where it had 8 over 4
    def rep(amsterdam: int) -> dict:
        groups = {"utrecht": {"cases": 2, "mean_wait_days": 1.0}}
        if amsterdam:
            groups["amsterdam"] = {"cases": amsterdam, "mean_wait_days": 4.0}
        return {"equity": {"by_region_signalled": groups}}

    agg = aggregate([rep(3), rep(0), rep(2), rep(3)])["equity"]["by_region_signalled"]
    assert agg["amsterdam"]["cases"] == 2.0
    assert agg["amsterdam"]["mean_wait_days"] == 4.0  # absent, not 0, where it had none
    assert agg["amsterdam"]["mean_wait_days_ci95"] == [4.0, 4.0]  # from the 3 with cases
    # kpis.csv: the replication without Amsterdam cases has 0 there, and no mean wait
    assert missing_value("equity.by_region_signalled.amsterdam.cases") == 0.0
    assert missing_value("equity.by_region_signalled.amsterdam.mean_wait_days") is None
    assert missing_value("cost.by_stream.x") == 0.0
    assert missing_value("by_class.complex.cases") is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(1, 9), max_size=4),
        min_size=1,
        max_size=6,
    )
)
def test_the_group_counts_of_every_equity_dimension_add_up_to_all_cases(replications):
    reps = [
        {
            "overall": {"cases": sum(groups.values())},
            "equity": {
                "by_region_signalled": {
                    g: {"cases": n, "mean_wait_days": float(n)} for g, n in groups.items()
                }
            },
        }
        for groups in replications
    ]
    agg = aggregate(reps)
    counts = [g["cases"] for g in agg["equity"]["by_region_signalled"].values()]
    assert sum(counts) == pytest.approx(agg["overall"]["cases"])


def test_intervals_of_zero_width_or_few_replications_are_marked_indicative():
    # issue 15: 3 replications gave "-1.0 (-1.0 to -1.0)", which reads as certainty
    from api.web.scenario_report import days, share
    from scenarios.report import fmt, pct, warnings

    assert fmt(-1.0, [-1.0, -1.0]) == "-1.0 (-1.0 to -1.0, indicative)"
    assert fmt(2.0, [1.0, 3.0], n=4) == "2.0 (1.0 to 3.0, indicative)"
    assert fmt(2.0, [1.0, 3.0], n=5) == "2.0 (1.0 to 3.0)"
    assert fmt(2.0, [1.0, 3.0]) == "2.0 (1.0 to 3.0)"
    assert pct(0.5, [0.5, 0.5]) == "50% (50% to 50%, indicative)"
    assert days(4.0, [4.0, 4.0]) == "4.0 (4.0 to 4.0, indicative)"  # the dashboard job page
    assert share(0.5, [0.4, 0.6]) == "50% (40% to 60%)"

    def run(n: int) -> tuple[str, dict]:
        return "r", {"scenario": {"replications": n}}

    assert "indicative only" in " ".join(warnings([run(3)]))
    assert "indicative only" in " ".join(warnings([run(4)]))
    assert warnings([run(5)]) == []
