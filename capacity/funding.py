"""Funding streams: who pays for which case categories at which placement types."""

from __future__ import annotations

from dataclasses import dataclass

from capacity.errors import InvalidSupplyError, unknown_codes
from capacity.placement_types import PlacementType
from capacity.regions import region_ids


@dataclass(frozen=True, slots=True)
class FundingStream:
    """A budget line that pays for beds.

    Parameters
    ----------
    id
        Stable identifier (``"wmo-utrecht"``, ``"jenv-cosm"``).
    name
        Name shown to users.
    payer
        Who pays (``"JenV"``, ``"VWS"``, ``"centrumgemeente Utrecht"``).
    placement_types
        The placement types it pays for.
    case_categories
        The rulebook's case categories it pays for (names defined in the rulebook).
    region_id
        The region of a regional stream (Wmo/DUVO of a centrumgemeente); ``None`` when
        the stream is national.
    budget_per_period
        Euros available per period; ``None`` means not capped.
    period
        Label of the budget period (``"2026"``).
    """

    id: str
    name: str
    payer: str
    placement_types: frozenset[PlacementType]
    case_categories: frozenset[str]
    region_id: str | None = None
    budget_per_period: float | None = None
    period: str = "year"

    def __post_init__(self) -> None:
        if not self.id or not self.id.replace("-", "").replace("_", "").isalnum():
            raise InvalidSupplyError("funding_stream.id", f"{self.id!r} must be a slug")
        if self.region_id is not None and self.region_id not in region_ids():
            raise InvalidSupplyError(
                "funding_stream.region_id", f"unknown region {self.region_id!r}"
            )
        if self.budget_per_period is not None and not self.budget_per_period >= 0:
            raise InvalidSupplyError("funding_stream.budget_per_period", "must be zero or more")
        if not self.placement_types:
            raise InvalidSupplyError(
                "funding_stream.placement_types", "must name at least one type"
            )
        if not all(isinstance(t, PlacementType) for t in self.placement_types):
            reason = unknown_codes(self.placement_types, PlacementType)  # stored, since dropped
            raise InvalidSupplyError(
                "funding_stream.placement_types", reason or "must be placement types"
            )
        if not self.case_categories:
            raise InvalidSupplyError(
                "funding_stream.case_categories", "must name at least one category"
            )

    @property
    def is_regional(self) -> bool:
        """Whether the stream belongs to one region."""
        return self.region_id is not None
