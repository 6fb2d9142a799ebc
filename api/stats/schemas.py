"""Aggregates for policymakers: supply as it is, counts of cases protected.

Counts of cases follow :mod:`capacity.disclosure`: a count is a number (rounded to a
multiple of 5) with a ``suppressed`` flag, never a number in one answer and a string in
another; supply figures (facilities, beds, occupied, free) are plain numbers.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from capacity import Rule
from flows import TrendPeriod

DISCLOSURE = (
    "Counts of cases are rounded to a multiple of 5; a count of 1 to 4 is suppressed, and so "
    "is any count that would let a suppressed one be worked out from a total (complementary "
    "suppression). Mean and median waits are in whole weeks, for groups of at least 10 cases."
)


class CaseCount(BaseModel):
    """A count of cases as it may be published (``docs/api.md``, *Aggregates*)."""

    value: int | None = Field(
        description="Cases, rounded to a multiple of 5; null when suppressed.", ge=0
    )
    suppressed: bool = Field(
        description="Hidden: 1 to 4 cases, or hidden so that a small count cannot be derived "
        "from a total."
    )


class WaitingGroup(BaseModel):
    key: str = Field(
        description="Complexity class, region id, exploitation type, residence status or age band."
    )
    cases: CaseCount
    mean_days: int | None = Field(
        description="Mean days waited, in whole weeks; null when the count is suppressed or "
        "below 10 cases."
    )


class RegionalSpread(BaseModel):
    """How far apart the regions' mean waits are (issue 15: not everywhere alike)."""

    regions: int = Field(description="Regions with a published mean wait (10+ cases).")
    p90_days: float | None = Field(description="90th percentile of the regional mean waits.")
    p10_days: float | None = Field(description="10th percentile of the regional mean waits.")
    ratio: float | None = Field(description="p90 / p10; null when p10 is 0 or too few regions.")


class WaitingStats(BaseModel):
    as_of: dt.datetime
    rulebook_version: str
    disclosure: str = Field(DISCLOSURE, description="How counts of cases are protected.")
    cases: CaseCount = Field(description="Waiting and proposed cases (not yet placed).")
    by_complexity: list[WaitingGroup]
    by_region: list[WaitingGroup] = Field(description="By region signalled.")
    by_exploitation_type: list[WaitingGroup]
    by_residence_status: list[WaitingGroup]
    by_age_band: list[WaitingGroup] = Field(
        description="Under 18, 18-22, 23-29, 30-49, 50 and over."
    )
    regional_spread: RegionalSpread


class OccupancyGroup(BaseModel):
    """Supply: not data about people, so never suppressed (issue 15)."""

    key: str = Field(description="Placement type or region id.")
    facilities: int = Field(ge=0)
    beds: int = Field(ge=0)
    occupied: int = Field(ge=0)
    free: int = Field(ge=0)
    occupancy: float = Field(description="Share of beds taken (0 for a group without beds).")


class OccupancyStats(BaseModel):
    as_of: dt.datetime
    by_placement_type: list[OccupancyGroup]
    by_region: list[OccupancyGroup]


class GapRule(BaseModel):
    rule: Rule = Field(description="Rule family that fails at the closest facilities.")
    cases: CaseCount = Field(
        description="Cases this rule keeps out (a case may count under several rules)."
    )


class CapacityGapStats(BaseModel):
    """Waiting cases no facility in the country is eligible for, and the rules in the way."""

    as_of: dt.datetime
    rulebook_version: str
    disclosure: str = Field(DISCLOSURE, description="How counts of cases are protected.")
    cases: CaseCount
    by_rule: list[GapRule]


class BedValueGroup(BaseModel):
    """One more bed of a placement type in a region: supply, never suppressed."""

    placement_type: str
    region_id: str
    facility_id: str = Field(description="The facility of the group where the bed is worth most.")
    value: float = Field(
        ge=0,
        description="Priority-weighted waiting days saved over the planning horizon (LP "
        "relaxation of the matching round).",
    )


class BedValueStats(BaseModel):
    """The value of one more bed per placement type and region (issue 15)."""

    as_of: dt.datetime
    rulebook_version: str
    horizon_days: int = Field(description="Days the round plans; values are over these days.")
    time_limit_seconds: float
    complete: bool = Field(
        description="Every facility was valued within the time limit; when false, groups "
        "may be missing or worth more than listed (see note and skipped_facilities)."
    )
    note: str | None = Field(description="Why the values are incomplete; null when complete.")
    skipped_facilities: list[str] = Field(description="Facilities not valued in time.")
    values: list[BedValueGroup] = Field(
        description="Groups worth more than 0, most valuable first."
    )


class ClassTrend(BaseModel):
    """One complexity class in one period of a trend."""

    key: str = Field(description="Complexity class.")
    waiting: CaseCount = Field(description="Cases on the waiting list at the period's end.")
    placed: CaseCount = Field(description="Cases whose placement started in the period.")
    mean_wait_days: int | None = Field(
        description="Mean days from intake to placement of the cases placed, in whole weeks; "
        "null when the count is suppressed or below 10 cases."
    )
    median_wait_days: int | None = Field(
        description="Median of the same waits, in whole weeks; null as the mean."
    )


class TrendPoint(BaseModel):
    """One period (week or month) of a trend."""

    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day: the figures at its end (today's, if running).")
    waiting: CaseCount = Field(description="Cases on the waiting list at the period's end.")
    placed: CaseCount = Field(description="Cases whose placement started in the period.")
    mean_wait_days: int | None = Field(description="Mean wait of the cases placed (all classes).")
    median_wait_days: int | None = Field(description="Their median wait.")
    by_complexity: list[ClassTrend]
    beds: int = Field(ge=0, description="Beds at the period's end (today's bed counts).")
    occupied: int = Field(ge=0, description="Beds in use at the period's end.")
    occupancy: float = Field(description="Share of beds in use at the period's end (0..1).")
    by_placement_type: list[OccupancyGroup] = Field(
        description="Occupancy at the period's end per placement type (supply: never suppressed)."
    )


class TrendStats(BaseModel):
    """Waiting list, waits per complexity class and occupancy per period (issue 15)."""

    as_of: dt.datetime
    since: dt.date = Field(description="The first day asked for (its period starts earlier).")
    until: dt.date
    period: TrendPeriod
    rulebook_version: str
    disclosure: str = Field(DISCLOSURE, description="How counts of cases are protected.")
    periods: list[TrendPoint] = Field(description="Oldest first.")
