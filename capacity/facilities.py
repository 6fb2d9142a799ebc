"""Providers and the facilities (locations with beds) they run."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from capacity.cases import LANGUAGE_PATTERN, MAX_AGE, Need
from capacity.errors import InvalidSupplyError, refuse, unknown_codes
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
        refuse(_provider_problems(self))


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
        refuse(_facility_problems(self))

    @property
    def location(self) -> tuple[float, float]:
        """(lat, lon) of the facility, the region centre when it has no own coordinates."""
        if self.lat is not None and self.lon is not None:
            return self.lat, self.lon
        centre = region(self.region_id)
        return centre.lat, centre.lon


def _provider_problems(provider: Provider) -> Iterator[InvalidSupplyError]:
    """Every field of the provider that breaks a rule, in order."""
    yield from _slug_problems("provider.id", provider.id)
    if not provider.name.strip():
        yield InvalidSupplyError("provider.name", "must not be empty")


def _facility_problems(facility: Facility) -> Iterator[InvalidSupplyError]:
    """Every field of the facility that breaks a rule, in the order the rules are checked.

    All of them, not only the first: a stored facility is mended in one pass.
    """
    yield from _slug_problems("facility.id", facility.id)
    yield from _slug_problems("facility.provider_id", facility.provider_id)
    yield from _slug_problems("facility.funding_stream_id", facility.funding_stream_id)
    if facility.region_id not in region_ids():
        yield InvalidSupplyError("facility.region_id", f"unknown region {facility.region_id!r}")
    for name, enum, words in (
        ("placement_type", PlacementType, "type"),
        ("gender_policy", GenderPolicy, "policy"),
    ):
        value = getattr(facility, name)
        if not isinstance(value, enum):
            reason = unknown_codes([value], enum) or f"unknown {words} {value!r}"
            yield InvalidSupplyError(f"facility.{name}", reason)
    yield from _count_problems("facility.beds", facility.beds, MAX_BEDS)
    yield from _count_problems("facility.max_children", facility.max_children, 20)
    if not (0 <= facility.min_age <= facility.max_age <= MAX_AGE):
        yield InvalidSupplyError("facility.min_age/max_age", "need 0 <= min_age <= max_age <= 120")
    if not 0 <= facility.cost_per_bed_day <= MAX_COST_PER_BED_DAY:
        yield InvalidSupplyError(
            "facility.cost_per_bed_day",
            f"must be from 0 to {MAX_COST_PER_BED_DAY:.0f} euros per bed per day "
            "(no care bed costs more)",
        )
    wrong = sorted(code for code in facility.languages if not LANGUAGE_PATTERN.match(code))
    if wrong:  # one field, named once
        yield InvalidSupplyError("facility.languages", f"{wrong[0]!r} is not an ISO 639 code")
    if not all(isinstance(n, Need) for n in facility.specialisms):
        unknown = unknown_codes(facility.specialisms, Need)
        yield InvalidSupplyError("facility.specialisms", unknown or "must be a set of needs")
    if (facility.lat is None) != (facility.lon is None):
        yield InvalidSupplyError("facility.lat/lon", "give both coordinates or neither")
    yield from _coordinate_problems("facility.lat", facility.lat, NETHERLANDS_LAT, "north")
    yield from _coordinate_problems("facility.lon", facility.lon, NETHERLANDS_LON, "east")


def _slug_problems(name: str, value: str) -> Iterator[InvalidSupplyError]:
    if (
        not isinstance(value, str)
        or not value
        or not value.replace("-", "").replace("_", "").isalnum()
    ):
        yield InvalidSupplyError(name, f"{value!r} must be letters, digits, '-' or '_'")


def _coordinate_problems(
    name: str, value: float | None, bounds: tuple[float, float], direction: str
) -> Iterator[InvalidSupplyError]:
    if value is not None and not in_range(value, bounds):
        yield InvalidSupplyError(
            name,
            f"must lie in the Netherlands: from {bounds[0]:g} to {bounds[1]:g} degrees "
            f"{direction} (decimal degrees)",
        )


def _count_problems(name: str, value: int, upper: int) -> Iterator[InvalidSupplyError]:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= upper:
        yield InvalidSupplyError(name, f"must be a whole number from 0 to {upper}")
