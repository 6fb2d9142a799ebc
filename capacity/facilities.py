"""Providers and the facilities (locations with beds) they run."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from capacity.cases import LANGUAGE_PATTERN, MAX_AGE, Need
from capacity.errors import InvalidSupplyError
from capacity.placement_types import PlacementType
from capacity.regions import NETHERLANDS_LAT, NETHERLANDS_LON, in_range, region, region_ids

MAX_BEDS = 10_000  # beds at one facility; a sanity bound against typing errors
MAX_COST_PER_BED_DAY = 100_000.0  # euros per bed per day. The dearest care beds in the
# Netherlands (secure and forensic care) cost a few thousand euros a day; no bed costs a
# hundred thousand. The bound refuses typing errors and absurd values (1e308 made every
# round's cost sums overflow), and keeps beds x days x cost far inside a float's range.


class GenderPolicy(StrEnum):
    """Which genders a facility admits."""

    FEMALE_ONLY = "female_only"
    MALE_ONLY = "male_only"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Provider:
    """An organisation that runs facilities (``"HVO-Querido"``)."""

    id: str
    name: str

    def __post_init__(self) -> None:
        _check_slug("provider.id", self.id)
        if not self.name.strip():
            raise InvalidSupplyError("provider.name", "must not be empty")


@dataclass(frozen=True, slots=True)
class Facility:
    """A location with beds of one placement type.

    Parameters
    ----------
    id
        Stable identifier (``"cosm-amsterdam"``).
    name
        Name shown to coordinators (a secret-address facility shows no street address: the
        model has none).
    provider_id
        The provider that runs it.
    region_id
        The centrumgemeente region it lies in.
    placement_type
        Its placement type.
    beds
        Total beds (usable for trafficking victims).
    funding_stream_id
        The funding stream that pays for its beds.
    cost_per_bed_day
        Euros per occupied bed per day, at most :data:`MAX_COST_PER_BED_DAY`.
    specialisms
        Needs it can serve (``Need.ADDICTION`` means addiction care on site).
    gender_policy
        Who it admits.
    min_age, max_age
        Age range admitted, inclusive, in years.
    max_children
        Accompanying children admitted with one adult.
    secret_address
        Whether the location is secret (required for high-risk cases).
    languages
        Languages staff speak, as ISO 639 codes.
    wheelchair_access
        Whether the location is wheelchair accessible.
    lat, lon
        Location in decimal degrees, inside the Netherlands
        (:data:`~capacity.regions.NETHERLANDS_LAT`, :data:`~capacity.regions.NETHERLANDS_LON`);
        defaults to the region's centre when not given.
    """

    id: str
    name: str
    provider_id: str
    region_id: str
    placement_type: PlacementType
    beds: int
    funding_stream_id: str
    cost_per_bed_day: float
    specialisms: frozenset[Need] = field(default_factory=frozenset)
    gender_policy: GenderPolicy = GenderPolicy.MIXED
    min_age: int = 18
    max_age: int = MAX_AGE
    max_children: int = 0
    secret_address: bool = False
    languages: frozenset[str] = frozenset({"nl", "en"})
    wheelchair_access: bool = False
    lat: float | None = None
    lon: float | None = None

    def __post_init__(self) -> None:
        _check_slug("facility.id", self.id)
        _check_slug("facility.provider_id", self.provider_id)
        _check_slug("facility.funding_stream_id", self.funding_stream_id)
        if self.region_id not in region_ids():
            raise InvalidSupplyError("facility.region_id", f"unknown region {self.region_id!r}")
        if not isinstance(self.placement_type, PlacementType):
            raise InvalidSupplyError(
                "facility.placement_type", f"unknown type {self.placement_type!r}"
            )
        if not isinstance(self.gender_policy, GenderPolicy):
            raise InvalidSupplyError(
                "facility.gender_policy", f"unknown policy {self.gender_policy!r}"
            )
        _check_count("facility.beds", self.beds, MAX_BEDS)
        _check_count("facility.max_children", self.max_children, 20)
        if not (0 <= self.min_age <= self.max_age <= MAX_AGE):
            raise InvalidSupplyError(
                "facility.min_age/max_age", "need 0 <= min_age <= max_age <= 120"
            )
        if not 0 <= self.cost_per_bed_day <= MAX_COST_PER_BED_DAY:
            raise InvalidSupplyError(
                "facility.cost_per_bed_day",
                f"must be from 0 to {MAX_COST_PER_BED_DAY:.0f} euros per bed per day "
                "(no care bed costs more)",
            )
        for lang in self.languages:
            if not LANGUAGE_PATTERN.match(lang):
                raise InvalidSupplyError("facility.languages", f"{lang!r} is not an ISO 639 code")
        if not all(isinstance(n, Need) for n in self.specialisms):
            raise InvalidSupplyError("facility.specialisms", "must be a set of needs")
        if (self.lat is None) != (self.lon is None):
            raise InvalidSupplyError("facility.lat/lon", "give both coordinates or neither")
        _check_coordinate("facility.lat", self.lat, NETHERLANDS_LAT, "north")
        _check_coordinate("facility.lon", self.lon, NETHERLANDS_LON, "east")

    @property
    def location(self) -> tuple[float, float]:
        """(lat, lon) of the facility, the region centre when it has no own coordinates."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        centre = region(self.region_id)
        return centre.lat, centre.lon


def _check_slug(name: str, value: str) -> None:
    if (
        not isinstance(value, str)
        or not value
        or not value.replace("-", "").replace("_", "").isalnum()
    ):
        raise InvalidSupplyError(name, f"{value!r} must be letters, digits, '-' or '_'")


def _check_coordinate(
    name: str, value: float | None, bounds: tuple[float, float], direction: str
) -> None:
    if value is not None and not in_range(value, bounds):
        raise InvalidSupplyError(
            name,
            f"must lie in the Netherlands: from {bounds[0]:g} to {bounds[1]:g} degrees "
            f"{direction} (decimal degrees)",
        )


def _check_count(name: str, value: int, upper: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= upper:
        raise InvalidSupplyError(name, f"must be a whole number from 0 to {upper}")
