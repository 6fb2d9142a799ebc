"""Cost per occupied bed-day and the funding stream that pays for each placement type.

All costs are estimates (no cost figure was found); they are in the range of Dutch
residential care prices. COSM and OMM costs are set so that the sourced or estimated
annual budgets of those streams are close to binding (see ``docs/demo-data.md``).
"""

from __future__ import annotations

from capacity.placement_types import PlacementType

COST_PER_BED_DAY: dict[PlacementType, float] = {  # euros per occupied bed per day (estimates)
    PlacementType.COSM: 275.0,
    PlacementType.OMM: 205.0,
    PlacementType.WOMENS_SHELTER: 170.0,
    PlacementType.MENS_SHELTER: 150.0,
    PlacementType.YOUTH_SPECIALISED: 320.0,
    PlacementType.PROTECTED_RECEPTION: 210.0,
    PlacementType.LABOUR_EXPLOITATION: 150.0,
    PlacementType.CRISIS: 200.0,
    PlacementType.MENTAL_HEALTH_CLINICAL: 350.0,
    PlacementType.SHELTERED_HOUSING: 140.0,
}

# National streams by placement type; the Wmo-funded types use the region's own stream.
NATIONAL_STREAM: dict[PlacementType, str] = {
    PlacementType.COSM: "jenv-cosm",
    PlacementType.OMM: "vws-omm",
    PlacementType.MENS_SHELTER: "vng-mens-shelter",
    PlacementType.YOUTH_SPECIALISED: "jeugdwet",
    PlacementType.PROTECTED_RECEPTION: "coa-protected-reception",
    PlacementType.LABOUR_EXPLOITATION: "iszw-labour",
    PlacementType.MENTAL_HEALTH_CLINICAL: "zvw",
}
WMO_TYPES: frozenset[PlacementType] = frozenset(
    {PlacementType.WOMENS_SHELTER, PlacementType.CRISIS, PlacementType.SHELTERED_HOUSING}
)


def wmo_stream_id(region_id: str) -> str:
    """Id of a centrumgemeente's Wmo/DUVO stream (``"wmo-utrecht"``)."""
    return f"wmo-{region_id}"


def stream_for(placement_type: PlacementType, region_id: str) -> str:
    """The funding stream that pays for a facility of this type in this region."""
    if placement_type in WMO_TYPES:
        return wmo_stream_id(region_id)
    return NATIONAL_STREAM[placement_type]
