"""Bridging beds (issue 14): crisis / 72-hour beds bridge to a placement, never are one.

A new case got "ACM 72-hour places" starting 40 days out. A bridge bed is now offered
only from today, as a bridge while a residential placement is sought: a case in a bridge
bed stays on the waiting list with its waiting time running, is not offered another
bridge, and leaves the bridge bed when its residential placement starts.
"""

from __future__ import annotations

from capacity.placement_types import PlacementType

BRIDGE_TYPES = frozenset({PlacementType.CRISIS})
"""Placement types that bridge to a residential placement, never the placement itself."""

BRIDGE_PLANNED_DAYS = 1  # a bridge is planned for today only; the rest of its stay is a bridge
BRIDGE_PENALTY_DAYS = 14.0  # weighted waiting days a bridge counts for: the wait goes on,
# so a residential bed within two weeks is preferred to a bridge today


def is_bridge(placement_type: PlacementType) -> bool:
    """Whether beds of this type are a bridge (offered from today only)."""
    return placement_type in BRIDGE_TYPES
