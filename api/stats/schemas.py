"""Aggregates for policymakers: every count under 5 is shown as "<5"."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Cell = int | Literal["<5"]
"""A count as policymakers see it: ``"<5"`` for 0 to 4 (small cells identify people)."""


class WaitingGroup(BaseModel):
    key: str = Field(description="Complexity class or region id.")
    cases: Cell
    mean_days: float | None = Field(description="Mean days waited; null for a small cell.")
    max_days: int | None = Field(description="Longest wait in days; null for a small cell.")


class WaitingStats(BaseModel):
    as_of: dt.datetime
    rulebook_version: str
    cases: Cell = Field(description="Waiting and proposed cases (not yet placed).")
    by_complexity: list[WaitingGroup]
    by_region: list[WaitingGroup]


class OccupancyGroup(BaseModel):
    key: str = Field(description="Placement type or region id.")
    facilities: Cell
    beds: Cell
    occupied: Cell
    free: Cell
    occupancy: float | None = Field(description="Share of beds taken; null for a small cell.")


class OccupancyStats(BaseModel):
    as_of: dt.datetime
    by_placement_type: list[OccupancyGroup]
    by_region: list[OccupancyGroup]


class GapRule(BaseModel):
    rule: str = Field(description="Rule family that fails at the closest facilities.")
    cases: Cell


class CapacityGapStats(BaseModel):
    """Waiting cases no facility in the country is eligible for, and the rules in the way."""

    as_of: dt.datetime
    rulebook_version: str
    cases: Cell
    by_rule: list[GapRule]
