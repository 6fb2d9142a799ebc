"""Facilities and availability reports as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.types import Count, Moment
from capacity import GenderPolicy, Need, PlacementType

MAX_BATCH = 500  # reports in one batch: a provider's whole set, with room to spare


class FacilityPublic(BaseModel):
    """A facility with its capacity and the latest report (HSDS service_capacity)."""

    id: str
    name: str
    provider_id: str
    region_id: str
    placement_type: PlacementType
    beds: int = Field(description="Total beds (HSDS `maximum`).")
    beds_free: int | None = Field(
        description="Free beds in the latest report (HSDS `available`); null: never reported."
    )
    updated: datetime | None = Field(
        description="When the latest report was taken (HSDS `updated`); null: never reported."
    )
    stale: bool = Field(description="No report within the staleness threshold.")
    funding_stream_id: str
    specialisms: list[Need]
    gender_policy: GenderPolicy
    min_age: int
    max_age: int
    max_children: int
    secret_address: bool
    languages: list[str]
    wheelchair_access: bool


class FacilitiesPublic(BaseModel):
    data: list[FacilityPublic]
    count: int


class AvailabilityCreate(BaseModel):
    """A count of free beds at one moment."""

    model_config = ConfigDict(extra="forbid")

    beds_free: Count = Field(description="Free beds, from 0 to the facility's beds.")
    as_of: Moment = Field(
        description="When the count was taken, with a time zone; not in the future (5 min "
        "clock skew allowed) and not older than the facility's last report."
    )


class AvailabilityBatchItem(AvailabilityCreate):
    facility_id: str = Field(min_length=1, max_length=100)


class AvailabilityBatch(BaseModel):
    """Reports for several facilities (a provider's whole set), taken all or none."""

    model_config = ConfigDict(extra="forbid")

    reports: list[AvailabilityBatchItem] = Field(min_length=1, max_length=MAX_BATCH)


class AvailabilityReportPublic(BaseModel):
    id: int
    facility_id: str
    beds_free: int
    as_of: datetime
    reporter: str
    recorded_at: datetime


class AvailabilityReportsPublic(BaseModel):
    data: list[AvailabilityReportPublic]
    count: int
