"""Capacity-plan jobs: the request, and the job with its plan and paired change in waits.

Supply and aggregates only: the plan names placement types, regions, facilities and
euros; the waits are means over simulated cases. No case record appears.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from scenarios.variant import MAX_BUDGET_CHANGE


class PlanCreate(BaseModel):
    """Where ``beds`` more beds, or beds for ``budget`` euros a year, do most good."""

    model_config = ConfigDict(extra="forbid")

    beds: int | None = Field(None, description="Beds to add (1 to 500); or give a budget.")
    budget: float | None = Field(
        None,
        le=MAX_BUDGET_CHANGE,  # as the change form (issue 15: 1e308 was accepted)
        description="Euros a year for beds (a bed costs its facility's cost per bed-day "
        "on every day of the year), at most 1 billion; or give beds.",
    )
    types: list[str] = Field(
        default_factory=list, description="Candidate placement types (empty: all)."
    )
    regions: list[str] = Field(default_factory=list, description="Candidate regions (empty: all).")
    method: str = Field("lp", description="lp (LP values) or exact (a solve per candidate).")
    base: str = Field(
        "national-demo.yaml", description="The example scenario the plan is checked in."
    )
    replications: int = Field(3, ge=1, description="Paired replications (3 or more for intervals).")


class PlannedBeds(BaseModel):
    placement_type: str
    region_id: str
    facility_id: str
    beds: int
    cost_per_year: float
    value: float = Field(description="LP (or exact) value of the beds when chosen, summed.")


class WaitChange(BaseModel):
    """Plan minus base mean wait in days, paired by replication."""

    mean: float
    ci95: list[float] | None = Field(description="95 % bootstrap interval; null under 3 pairs.")
    pairs: int


class PlanResult(BaseModel):
    beds: int
    cost_per_year: float
    stopped: str = Field(description="beds, budget, no value, time or limit.")
    complete: bool
    method: str
    round_before: float | None = Field(description="Weighted waiting days, today's round.")
    round_after: float | None = Field(description="The same with the planned beds.")
    additions: list[PlannedBeds]
    all_cases: WaitChange | None
    complex_cases: WaitChange | None


class PlanJobPublic(BaseModel):
    id: int
    status: str = Field(description="queued, running, done or failed.")
    message: str
    percent: int
    created_at: dt.datetime
    created_by: str
    request: dict[str, object]
    scenarios: list[str] = Field(description="The base scenario, then the planned one.")
    result: PlanResult | None = Field(description="When done.")
    page: str = Field(description="The job's dashboard page, with the comparison.")
