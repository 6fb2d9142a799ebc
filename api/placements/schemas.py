"""Placements: a case in a bed."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.types import InputModel


class PlacementPublic(BaseModel):
    id: str
    case_id: str
    facility_id: str
    beds: int
    start: dt.date
    expected_end: dt.date
    actual_end: dt.date | None
    recorded_at: dt.datetime | None


class PlacementsPublic(BaseModel):
    data: list[PlacementPublic]
    count: int


class PlacementDischarge(InputModel):
    """The day the case left (default today); the beds are free from that day."""

    model_config = ConfigDict(extra="forbid")

    day: dt.date | None = Field(None, description="Discharge day; not in the future.")
