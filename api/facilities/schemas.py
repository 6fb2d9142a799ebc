"""Facilities and availability reports as the API shows and takes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.types import Count, InputModel, Moment
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
    beds_free_counted: int | None = Field(
        description="Free beds the latest report counts for: its `beds_free`, at most the "
        "beds minus the placements active when it arrived; null: never reported."
    )
    notice: str | None = Field(
        description="Why the latest report counts for fewer beds than it said (null: it "
        "counts as reported)."
    )
    updated: datetime | None = Field(
        description="When the latest report's count holds (HSDS `updated`): its `as_of`, "
        "never later than when it arrived; null: never reported."
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


class AvailabilityCreate(InputModel):
    """A count of free beds at one moment."""

    model_config = ConfigDict(extra="forbid")

    beds_free: Count = Field(description="Free beds, from 0 to the facility's beds.")
    as_of: Moment = Field(
        description="When the count was taken, with a time zone; not in the future (5 min "
        "clock skew allowed) and not older than the facility's last report."
    )


class AvailabilityBatchItem(AvailabilityCreate):
    facility_id: str = Field(min_length=1, max_length=100)


class AvailabilityBatch(InputModel):
    """Reports for several facilities (a provider's whole set), taken all or none."""

    model_config = ConfigDict(extra="forbid")

    reports: list[AvailabilityBatchItem] = Field(min_length=1, max_length=MAX_BATCH)


class AvailabilityReportPublic(BaseModel):
    id: int
    facility_id: str
    beds_free: int = Field(description="Free beds as reported.")
    beds_free_counted: int = Field(
        description="Free beds the report counts for: `beds_free`, at most the facility's "
        "beds minus the placements active when it arrived."
    )
    notice: str | None = Field(
        description="Why fewer beds are counted than reported (null: counted as reported)."
    )
    as_of: datetime = Field(description="When the count was taken, as reported.")
    reporter: str
    recorded_at: datetime = Field(description="When the server received the report.")


class AvailabilityReportsPublic(BaseModel):
    data: list[AvailabilityReportPublic]
    count: int
