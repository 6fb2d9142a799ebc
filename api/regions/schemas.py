"""Regions as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel


class RegionPublic(BaseModel):
    id: str
    name: str
    province: str
    police_unit: str
    lat: float
    lon: float


class RegionsPublic(BaseModel):
    data: list[RegionPublic]
    count: int
