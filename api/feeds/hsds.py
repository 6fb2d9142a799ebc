"""HSDS 3 (Human Services Data Specification): ``service_capacity`` of each facility, and
an HSDS-shaped capacity update as an availability report.

A facility is one HSDS ``service`` (its id is the facility's) whose capacity is counted
in the unit ``bed``: ``available`` is the latest report's free beds as they count
(``beds_free_counted``), ``maximum`` the facility's beds, ``updated`` the moment the
latest report counts from. A facility never reported has no ``service_capacity``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.facilities.schemas import AvailabilityCreate, FacilityPublic
from api.types import Count, InputModel, Moment

UNIT_ID = "bed"
FIELD_NAMES = {"beds_free": "available", "as_of": "updated"}
"""A report's fields as an HSDS body names them (for the 422 of an HSDS update)."""


class HsdsUnit(BaseModel):
    """HSDS 3 ``unit``: what a capacity counts."""

    id: str = UNIT_ID
    name: str = "bed"
    scheme: str | None = "opvang"
    identifier: str | None = UNIT_ID
    uri: str | None = None


class HsdsServiceCapacity(BaseModel):
    """HSDS 3 ``service_capacity`` of one facility."""

    id: str = Field(description="`<facility id>-beds`.")
    service_id: str = Field(description="The facility's id.")
    unit: HsdsUnit
    available: int = Field(description="Free beds in the latest report (as it counts).")
    maximum: int = Field(description="The facility's beds.")
    description: str
    updated: datetime = Field(description="When the latest report's count holds.")


class HsdsPage(BaseModel):
    """HSDS 3's paged list."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[HsdsServiceCapacity]


class HsdsCapacityUpdate(InputModel):
    """An HSDS 3 ``service_capacity`` sent as an availability report: ``available`` is
    ``beds_free``, ``updated`` is ``as_of``; ``maximum``, when given, must be the
    facility's beds, and ``unit``, when given, beds."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, max_length=200)
    service_id: str | None = Field(None, max_length=100)
    unit_id: str | None = Field(None, max_length=100)
    unit: dict[str, str | None] | None = Field(
        None, description="HSDS `unit`: its `id` or `name`, when given, must be `bed`."
    )
    available: Count = Field(description="Free beds.")
    maximum: Count | None = Field(None, description="The facility's beds, if given.")
    description: str | None = Field(None, max_length=500)
    updated: Moment = Field(description="When the count was taken, with a time zone.")

    @model_validator(mode="after")
    def _beds_only(self) -> HsdsCapacityUpdate:
        unit = self.unit or {}
        named = [u for u in (self.unit_id, unit.get("id"), unit.get("name")) if u]
        if any(u.lower() not in ("bed", "beds") for u in named):
            raise ValueError("unit: Opvang counts beds; the unit must be 'bed'")
        return self

    def as_report(self) -> AvailabilityCreate:
        """The availability report it says."""
        return AvailabilityCreate(beds_free=self.available, as_of=self.updated)


def is_hsds(raw: bytes) -> bool:
    """Whether a report's body is HSDS-shaped (has ``available``, not ``beds_free``)."""
    return b'"available"' in raw and b'"beds_free"' not in raw


def service_capacity(facility: FacilityPublic) -> HsdsServiceCapacity | None:
    """A facility's HSDS ``service_capacity`` (``None``: never reported)."""
    if facility.beds_free_counted is None or facility.updated is None:
        return None
    return HsdsServiceCapacity(
        id=f"{facility.id}-beds",
        service_id=facility.id,
        unit=HsdsUnit(),
        available=facility.beds_free_counted,
        maximum=facility.beds,
        description=f"Free beds at {facility.name}"
        + (" (stale: no recent report)" if facility.stale else ""),
        updated=facility.updated,
    )


def page(items: list[HsdsServiceCapacity]) -> HsdsPage:
    """All of them as HSDS's one page."""
    return HsdsPage(
        total_items=len(items),
        total_pages=1,
        page_number=1,
        size=len(items),
        first_page=True,
        last_page=True,
        empty=not items,
        contents=items,
    )
