"""The rules an availability report must meet, as domain functions (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from capacity import (
    AvailabilityReport,
    FacilityFacts,
    InvalidReportError,
    OutOfScopeError,
    ReporterScope,
    ReportRules,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
RULES = ReportRules(now=NOW, skew=timedelta(minutes=5))
FACTS = FacilityFacts("f", "hvo", "amsterdam", beds=4, last_counts_from=NOW - timedelta(hours=1))


def report(beds: int, as_of: datetime) -> AvailabilityReport:
    return AvailabilityReport("f", beds, as_of, "r", received_at=NOW)


def test_a_correct_report_passes():
    RULES.check(report(2, NOW), FACTS, index=0)


@pytest.mark.parametrize(
    ("beds", "as_of", "field", "words"),
    [
        (5, NOW, "beds_free", "from 0 to 4"),
        (1, NOW + timedelta(minutes=6), "as_of", "lies in the future"),
        (1, NOW - timedelta(hours=2), "as_of", "older than the last report"),
    ],
)
def test_each_broken_rule_names_its_field_and_the_reports_place(beds, as_of, field, words):
    with pytest.raises(InvalidReportError) as refused:
        RULES.check(report(beds, as_of), FACTS, index=3)
    assert (refused.value.field, refused.value.index) == (field, 3)
    assert words in refused.value.reason


def test_a_report_dated_ahead_within_the_skew_passes_and_counts_from_its_receipt():
    ahead = report(1, NOW + timedelta(minutes=4))
    RULES.check(ahead, FACTS, index=0)
    assert ahead.counts_from == NOW


def test_a_report_counts_for_at_most_the_beds_the_placements_leave():
    facts = FacilityFacts("f", "hvo", "amsterdam", beds=14, last_counts_from=None, occupied=16)
    assert facts.counted(3) == 0
    assert FacilityFacts("f", "p", "r", 14, None, occupied=10).counted(6) == 4


@pytest.mark.parametrize(
    ("scope", "covered"),
    [
        (ReporterScope("admin", everything=True), True),
        (ReporterScope("r", provider_id="hvo"), True),
        (ReporterScope("r", region_id="amsterdam"), True),
        (ReporterScope("r", provider_id="fier"), False),
        (ReporterScope("coordinator"), False),
    ],
)
def test_the_scope_covers_the_providers_or_the_regions_facilities(scope, covered):
    assert scope.covers("hvo", "amsterdam") is covered
    if covered:
        scope.check(FACTS)
    else:
        with pytest.raises(OutOfScopeError, match="may not report availability for f"):
            scope.check(FACTS)
