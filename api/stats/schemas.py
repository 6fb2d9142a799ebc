"""Aggregates for policymakers: supply as it is, counts of cases protected.

Counts of cases follow :mod:`capacity.disclosure`: a count is a number (rounded to a
multiple of 5) with a ``suppressed`` flag, never a number in one answer and a string in
another; supply figures (facilities, beds, occupied, free) are plain numbers.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

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


FORECAST_DISCLOSURE = (
    "Arrivals are counts of cases: rounded to a multiple of 5, and the rates and intervals "
    "are the estimator's on the rounded count, so a rate says no more than the rounded "
    "count. A profile class with 1 to 4 arrivals is not named: it is merged into the row "
    "'other classes' of its complexity class (with the smallest classes after it while "
    "that row holds fewer than 5); a complexity class with 1 to 4 arrivals in all is "
    "suppressed, rates and intervals as well."
)


class ForecastWindow(BaseModel):
    from_: dt.date = Field(alias="from", description="First day of intake history used.")
    to: dt.date = Field(description="Last day of intake history used (the day before `day`).")
    days: int = Field(description="Days of intake history the rates are per day of.")

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ForecastPrior(BaseModel):
    shape: float = Field(description="Gamma prior shape (0.5: Jeffreys' prior).")
    rate: float = Field(description="Gamma prior rate, per day.")


class RateFigures(BaseModel):
    """An arrival rate as published: all null when its count is suppressed."""

    arrivals: CaseCount = Field(description="Arrivals (intake days) in the window.")
    rate_per_day: float | None = Field(description="Posterior mean of the rate, per day.")
    rate_per_month: float | None = Field(description="The same per month (365.25 / 12 days).")
    rate_per_year: float | None = Field(description="The same per year (365.25 days).")
    interval_per_day: list[float] | None = Field(
        description="The rate's equal-tailed credible interval [low, high], per day."
    )
    expected_in_horizon: float | None = Field(
        description="Expected arrivals over the planning horizon (rate x horizon days)."
    )
    horizon_interval: list[float] | None = Field(
        description="The credible interval of that expected number [low, high] (the rate's, "
        "x horizon days; the number that will arrive varies more: Poisson)."
    )


class ForecastClass(RateFigures):
    """One profile class, or the merged small classes of a complexity class."""

    profile_class: str = Field(
        description="complexity/gender/age/needs=.../beds=n, or complexity/other for the "
        "merged small classes."
    )
    complexity: str
    merged: bool = Field(description="The row of the small classes of its complexity class.")
    gender: str | None = Field(description="female, male or other; null when merged.")
    age: str | None = Field(description="minor (under 18) or adult; null when merged.")
    needs: list[str] | None = Field(description="Needs that decide eligibility; null when merged.")
    beds: int | None = Field(description="Beds a case takes; null when merged.")


class ComplexityForecast(RateFigures):
    """All arrivals of a complexity class: the sum of its classes' rates."""

    complexity: str


class ForecastStats(BaseModel):
    """The demand forecast from the intake history (issue 13), for policymakers."""

    as_of: dt.datetime
    day: dt.date = Field(description="The day forecast from; the window ends the day before.")
    window: ForecastWindow
    rulebook_version: str
    level: float = Field(description="Credible level of the intervals.")
    prior: ForecastPrior
    horizon_days: int = Field(description="The planning horizon of `expected_in_horizon`.")
    estimator: str = Field(description="The estimator in one sentence (docs/api.md).")
    disclosure: str = Field(FORECAST_DISCLOSURE, description="How counts of cases are protected.")
    by_complexity: list[ComplexityForecast] = Field(
        description="Every complexity class of the rulebook, in its order."
    )
    classes: list[ForecastClass] = Field(
        description="Per complexity class, its profile classes (most arrivals first), then "
        "its merged small classes."
    )
