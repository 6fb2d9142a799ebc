"""The capacity and bed-value pages' tables as rows for CSV/XLSX, and the map as a PNG
(issue 15: every table and chart of the policymakers' pages can be downloaded).

The rows are the pages' own figures (:mod:`api.web.capacity_view`, the API's aggregates):
supply as it is, counts of cases as published.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from pydantic import BaseModel, Field

from api.stats.schemas import CaseCount
from api.web.capacity_view import CapacityView
from api.web.charts import png
from scenarios.plots import DPI

BAND_COLOURS = {"full": "#b42318", "busy": "#f79009", "room": "#32d583", "none": "#e4e7ec"}
"""The map's colours, as in ``opvang.css``."""
SHORT_EDGE = "#101828"  # the ring of a region short of beds


class RegionRow(BaseModel):
    """A line of the capacity page's region table (and a circle of its map)."""

    region_id: str
    region: str
    facilities: int
    beds: int
    occupied: int
    free: int
    occupancy: float | None = Field(description="Empty for a region without facilities.")
    cases_waiting: CaseCount = Field(description="Cases signalled there, as published.")
    short_of_beds: bool


class TypeRegionRow(BaseModel):
    """Beds of one placement type in one region (supply: as it is)."""

    region_id: str
    region: str
    placement_type: str
    facilities: int
    beds: int
    occupied: int
    free: int
    occupancy: float


def region_rows(view: CapacityView) -> list[RegionRow]:
    """The region table: every region, in the page's order."""
    return [
        RegionRow(
            region_id=line.region.id,
            region=line.region.name,
            facilities=g.facilities if g else 0,
            beds=g.beds if g else 0,
            occupied=g.occupied if g else 0,
            free=g.free if g else 0,
            occupancy=g.occupancy if g else None,
            cases_waiting=line.waiting,
            short_of_beds=line.short,
        )
        for line in view.regions
        for g in (line.occupancy,)
    ]


def type_region_rows(view: CapacityView) -> list[TypeRegionRow]:
    """The placement type by region table, one row per type present in a region."""
    return [
        TypeRegionRow(
            region_id=row.region.id,
            region=row.region.name,
            placement_type=t,
            **g.model_dump(exclude={"key"}),
        )
        for row in view.by_type_region
        for t, g in zip(view.types, row.cells, strict=True)
        if g is not None
    ]


def map_png(view: CapacityView) -> bytes:
    """The page's map as a PNG: each region at its centrumgemeente, sized by its beds,
    coloured by occupancy, ringed when short of beds."""
    inch = DPI
    fig, ax = plt.subplots(figsize=(view.width / inch * 1.3, view.height / inch * 1.3))
    for line in view.regions:
        ax.scatter(
            line.x,
            line.y,
            s=(line.radius * 1.3) ** 2 * 3.14,
            color=BAND_COLOURS[line.band],
            edgecolors=SHORT_EDGE if line.short else "white",
            linewidths=2.5 if line.short else 0.5,
            zorder=2,
        )
        ax.annotate(
            line.region.name, (line.x + line.radius * 1.6 + 3, line.y + 3), fontsize=6, zorder=3
        )
    ax.set_xlim(0, view.width)
    ax.set_ylim(view.height, 0)  # the page's y grows downwards
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(
        "Occupancy by region (red 95%+, orange 80-95%, green under 80%, grey none; "
        "ringed: short of beds)",
        fontsize=7,
    )
    return png(fig)
