"""The 35 women's-shelter centrumgemeente regions and the 10 police units.

Regions are where shelter is organised and funded (Wmo, DUVO); police units are where
most cases are signalled. Coordinates are approximate city centres (see
``docs/demo-data.md``: general knowledge, not sourced).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from capacity.errors import InvalidSupplyError, UnknownReferenceError

EARTH_RADIUS_KM = 6371.0  # km, mean radius
# Opvang serves the European Netherlands (its 35 regions): every region and facility lies
# in this box, in decimal degrees, with a margin round the coast and the borders.
NETHERLANDS_LAT = (50.0, 54.0)  # degrees north
NETHERLANDS_LON = (3.0, 7.5)  # degrees east

POLICE_UNITS: tuple[str, ...] = (
    "Noord-Nederland",
    "Oost-Nederland",
    "Midden-Nederland",
    "Noord-Holland",
    "Amsterdam",
    "Den Haag",
    "Rotterdam",
    "Zeeland-West-Brabant",
    "Oost-Brabant",
    "Limburg",
)


@dataclass(frozen=True, slots=True)
class Region:
    """A women's-shelter centrumgemeente region.

    Parameters
    ----------
    id
        Stable slug used in data and URLs (``"den-haag"``).
    name
        The centrumgemeente's name.
    province
        Province the centrumgemeente lies in.
    lat, lon
        Centre coordinates in decimal degrees.
    police_unit
        One of :data:`POLICE_UNITS`.
    """

    id: str
    name: str
    province: str
    lat: float
    lon: float
    police_unit: str

    def __post_init__(self) -> None:
        if not self.id or not self.id.replace("-", "").isalnum():
            raise InvalidSupplyError("region.id", f"{self.id!r} is not a slug")
        if not (in_range(self.lat, NETHERLANDS_LAT) and in_range(self.lon, NETHERLANDS_LON)):
            raise InvalidSupplyError("region.lat/lon", f"{self.id} lies outside the Netherlands")
        if self.police_unit not in POLICE_UNITS:
            raise InvalidSupplyError("region.police_unit", f"unknown unit {self.police_unit!r}")


def in_range(value: float, bounds: tuple[float, float]) -> bool:
    """Whether ``bounds[0] <= value <= bounds[1]`` (never for NaN)."""
    return bounds[0] <= value <= bounds[1]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points.

    Returns
    -------
    float
        Distance in kilometres (haversine formula).
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def _r(name: str, province: str, lat: float, lon: float, unit: str) -> Region:
    slug = name.lower().replace("'s-", "s-").replace(" ", "-")
    return Region(slug, name, province, lat, lon, unit)


# The list and coordinates come from ../shared/domain-nl.md section 6; the police unit of
# each is the unit whose area holds the centrumgemeente.
REGIONS: tuple[Region, ...] = (
    _r("Groningen", "Groningen", 53.22, 6.57, "Noord-Nederland"),
    _r("Leeuwarden", "Friesland", 53.20, 5.80, "Noord-Nederland"),
    _r("Emmen", "Drenthe", 52.79, 6.90, "Noord-Nederland"),
    _r("Zwolle", "Overijssel", 52.52, 6.08, "Oost-Nederland"),
    _r("Deventer", "Overijssel", 52.25, 6.16, "Oost-Nederland"),
    _r("Enschede", "Overijssel", 52.22, 6.89, "Oost-Nederland"),
    _r("Apeldoorn", "Gelderland", 52.21, 5.97, "Oost-Nederland"),
    _r("Ede", "Gelderland", 52.04, 5.67, "Oost-Nederland"),
    _r("Arnhem", "Gelderland", 51.98, 5.91, "Oost-Nederland"),
    _r("Nijmegen", "Gelderland", 51.84, 5.86, "Oost-Nederland"),
    _r("Almere", "Flevoland", 52.37, 5.22, "Midden-Nederland"),
    _r("Utrecht", "Utrecht", 52.09, 5.12, "Midden-Nederland"),
    _r("Amersfoort", "Utrecht", 52.16, 5.39, "Midden-Nederland"),
    _r("Hilversum", "Noord-Holland", 52.22, 5.18, "Midden-Nederland"),
    _r("Amsterdam", "Noord-Holland", 52.37, 4.90, "Amsterdam"),
    _r("Zaanstad", "Noord-Holland", 52.44, 4.83, "Amsterdam"),
    _r("Haarlem", "Noord-Holland", 52.38, 4.64, "Noord-Holland"),
    _r("Alkmaar", "Noord-Holland", 52.63, 4.75, "Noord-Holland"),
    _r("Den Helder", "Noord-Holland", 52.96, 4.76, "Noord-Holland"),
    _r("Leiden", "Zuid-Holland", 52.16, 4.49, "Den Haag"),
    _r("Den Haag", "Zuid-Holland", 52.08, 4.30, "Den Haag"),
    _r("Delft", "Zuid-Holland", 52.01, 4.36, "Den Haag"),
    _r("Gouda", "Zuid-Holland", 52.01, 4.71, "Den Haag"),
    _r("Rotterdam", "Zuid-Holland", 51.92, 4.48, "Rotterdam"),
    _r("Vlaardingen", "Zuid-Holland", 51.91, 4.34, "Rotterdam"),
    _r("Dordrecht", "Zuid-Holland", 51.81, 4.67, "Rotterdam"),
    _r("Middelburg", "Zeeland", 51.50, 3.61, "Zeeland-West-Brabant"),
    _r("Breda", "Noord-Brabant", 51.59, 4.78, "Zeeland-West-Brabant"),
    _r("Tilburg", "Noord-Brabant", 51.56, 5.09, "Zeeland-West-Brabant"),
    _r("'s-Hertogenbosch", "Noord-Brabant", 51.69, 5.30, "Oost-Brabant"),
    _r("Eindhoven", "Noord-Brabant", 51.44, 5.48, "Oost-Brabant"),
    _r("Helmond", "Noord-Brabant", 51.48, 5.66, "Oost-Brabant"),
    _r("Venlo", "Limburg", 51.37, 6.17, "Limburg"),
    _r("Heerlen", "Limburg", 50.89, 5.98, "Limburg"),
    _r("Maastricht", "Limburg", 50.85, 5.69, "Limburg"),
)

_BY_ID: dict[str, Region] = {r.id: r for r in REGIONS}


def region(region_id: str) -> Region:
    """Look up a region by its id.

    Raises
    ------
    UnknownReferenceError
        When no region has that id.
    """
    try:
        return _BY_ID[region_id]
    except KeyError:
        raise UnknownReferenceError("region", region_id) from None


def region_ids() -> frozenset[str]:
    """Ids of all 35 regions."""
    return frozenset(_BY_ID)


# Dutch place names that begin with an elided article ('s-Hertogenbosch, 't Zandt) are
# sorted under the word that follows it (issue 17: 's-Hertogenbosch sorted first).
_ELIDED_ARTICLE = re.compile(r"^['\u2019](s|t)[-\s]+", re.IGNORECASE)


def dutch_sort_key(name: str) -> str:
    """The key that sorts a Dutch place name as a Dutch reader expects.

    The elided article of ``'s-Hertogenbosch`` or ``'t Harde`` is skipped, accents are
    ignored (``Ä`` sorts as ``A``) and case does not matter.

    Parameters
    ----------
    name
        A place name.

    Returns
    -------
    str
        A key for :func:`sorted`.
    """
    bare = _ELIDED_ARTICLE.sub("", name.strip())
    folded = unicodedata.normalize("NFKD", bare)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def sorted_regions(regions: Iterable[Region] = REGIONS) -> list[Region]:
    """Regions in the order of their names under :func:`dutch_sort_key` (every region list)."""
    return sorted(regions, key=lambda r: (dutch_sort_key(r.name), r.id))
