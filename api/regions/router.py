"""``/v1/regions``: the 35 centrumgemeente regions (every role)."""

from __future__ import annotations

from api.regions.schemas import RegionPublic, RegionsPublic
from api.routing import domain_router
from capacity import sorted_regions

router = domain_router(prefix="/regions", tags=["regions"])


@router.get("")
def list_regions() -> RegionsPublic:
    """The 35 women's-shelter centrumgemeente regions with their police units, in Dutch
    alphabetical order ('s-Hertogenbosch under H)."""
    data = [
        RegionPublic(
            id=r.id,
            name=r.name,
            province=r.province,
            police_unit=r.police_unit,
            lat=r.lat,
            lon=r.lon,
        )
        for r in sorted_regions()
    ]
    return RegionsPublic(data=data, count=len(data))
