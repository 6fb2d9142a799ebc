"""Stale capacity (issue 14): an old report plans no free beds today; discharges count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from capacity import (
    AvailabilityReport,
    Facility,
    GenderPolicy,
    InvalidSupplyError,
    Placement,
    PlacementType,
    build_snapshot,
)
from capacity.clock import local_date
from capacity.staleness import StalenessRule

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _facility(fid: str, beds: int = 6) -> Facility:
    return Facility(
        id=fid,
        name=fid,
        provider_id="p",
        region_id="utrecht",
        placement_type=PlacementType.WOMENS_SHELTER,
        beds=beds,
        funding_stream_id="s",
        cost_per_bed_day=100.0,
        gender_policy=GenderPolicy.FEMALE_ONLY,
    )


def _snapshot(report_age: timedelta | None, *, free: int = 3):
    today = local_date(NOW)
    placement = Placement(
        "PL-1", "C-1", "f", 1, today - timedelta(days=30), today + timedelta(days=5)
    )
    reports = (
        [] if report_age is None else [AvailabilityReport("f", free, NOW - report_age, "t", "k-1")]
    )
    return build_snapshot(
        as_of=NOW,
        facilities=[_facility("f")],
        funding_streams=[],
        reports=reports,
        placements=[placement],
        horizon_days=10,
    )


def test_a_fresh_report_is_planned_as_reported():
    snapshot = _snapshot(timedelta(hours=2))
    planned, stale = StalenessRule().apply(snapshot)
    assert stale == {}
    assert np.array_equal(planned.free_beds, snapshot.free_beds)


def test_a_stale_facility_has_no_free_beds_today_but_its_discharges_count():
    snapshot = _snapshot(timedelta(hours=30))
    assert snapshot.free("f")[0] == 3
    planned, stale = StalenessRule().apply(snapshot)
    assert planned.free("f")[0] == 0
    assert planned.free("f")[5] == 1  # the placement's expected discharge on day 5
    assert list(planned.free("f") - snapshot.free("f")) == [-3] * 10
    assert stale["f"].planned_free == 0
    assert stale["f"].reported_free == 3
    assert "more than 24 hours" in stale["f"].text(timedelta(hours=24))


def test_a_facility_that_never_reported_is_stale():
    _, stale = StalenessRule().apply(_snapshot(None))
    assert stale["f"].last_reported is None


def test_a_share_plans_part_of_the_free_beds_rounded_down():
    planned, _ = StalenessRule(share_today=0.5).apply(_snapshot(timedelta(days=3)))
    assert planned.free("f")[0] == 1  # half of 3, rounded down


@pytest.mark.parametrize("share", [-0.1, 1.5, float("nan")])
def test_a_share_outside_0_to_1_is_refused(share):
    with pytest.raises(InvalidSupplyError):
        StalenessRule(share_today=share)


@given(
    age_hours=st.floats(0, 200),
    free=st.integers(0, 5),
    share=st.floats(0, 1),
)
def test_the_rule_never_adds_beds_and_never_goes_below_zero(age_hours, free, share):
    snapshot = _snapshot(timedelta(hours=age_hours), free=free)
    planned, _ = StalenessRule(share_today=share).apply(snapshot)
    assert (planned.free_beds <= snapshot.free_beds).all()
    assert (planned.free_beds >= 0).all()
    assert planned.horizon_days == snapshot.horizon_days
