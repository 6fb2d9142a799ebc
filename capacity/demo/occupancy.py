"""Current occupancy: who is placed where, since when and until when.

Beds are nearly full, as reported: COSM and women's shelter "structurally" or
"permanently full" (sourced qualitatively, 2018 and 2022-23), the others a little less
(estimate). Every placed case is drawn from the profile classes that use the placement
type, fitted to its facility and checked against the national rulebook, so every
placement is one the uniform criteria allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from capacity.cases import Case, CaseStatus, Gender, SafetyRisk
from capacity.criteria import Rulebook
from capacity.criteria.schema import NeedSource, NeedStrength
from capacity.demo.draw import draw_profile, draw_region_among, pick
from capacity.demo.population import REGION_IDS
from capacity.demo.profiles import Profile, ProfileClass
from capacity.facilities import Facility, GenderPolicy
from capacity.funding import FundingStream
from capacity.placement_types import CATALOGUE, PlacementType
from capacity.regions import distance_km, region

T, C = PlacementType, ProfileClass
FULL_BAND = (0.95, 1.00)  # occupied share of beds, COSM and women's shelter (estimate)
BUSY_BAND = (0.85, 0.95)  # occupied share of beds, the other types (estimate)
OCCUPANCY_BANDS: dict[PlacementType, tuple[float, float]] = {
    t: FULL_BAND if t in (T.COSM, T.WOMENS_SHELTER) else BUSY_BAND for t in PlacementType
}
STAY_SHAPE = 2.0  # gamma shape of the length of stay (coefficient of variation 0.71)
MAX_STAY_DAYS: dict[PlacementType, int] = {  # days; the longest stay drawn (estimates)
    T.COSM: 365,  # "long tail to 365" (domain-nl D)
    T.OMM: 540,
    T.WOMENS_SHELTER: 730,
    T.MENS_SHELTER: 540,
    T.YOUTH_SPECIALISED: 540,  # Pinq: up to 18 months (sourced)
    T.PROTECTED_RECEPTION: 540,
    T.LABOUR_EXPLOITATION: 270,
    T.CRISIS: 30,
    T.MENTAL_HEALTH_CLINICAL: 365,
    T.SHELTERED_HOUSING: 730,
}
PLACEMENT_WAIT_DAYS = 60  # days: longest wait between intake and start of a placed case
PLACEMENT_WAIT_SHAPE = (1.0, 2.5)  # beta parameters of that wait as a share of the longest
MAX_TRIES = 80  # draws per bed before the generator gives up (a bug in the supply)

# Which profile classes fill each placement type (estimate, after domain-nl table C).
FACILITY_MIX: dict[PlacementType, tuple[tuple[ProfileClass, float], ...]] = {
    T.COSM: ((C.NON_EU_SEXUAL_B8, 0.8), (C.NON_EU_LABOUR, 0.2)),
    T.OMM: ((C.DUTCH_WOMEN_DOMESTIC, 0.55), (C.NON_EU_SEXUAL_B8, 0.25), (C.CRIMINAL, 0.2)),
    T.WOMENS_SHELTER: (
        (C.DUTCH_WOMEN_DOMESTIC, 0.55),
        (C.NON_EU_SEXUAL_B8, 0.3),
        (C.EU_LABOUR, 0.05),
        (C.NON_EU_LABOUR, 0.05),
        (C.OTHER, 0.05),
    ),
    T.MENS_SHELTER: (
        (C.CRIMINAL, 0.35),
        (C.EU_LABOUR, 0.35),
        (C.NON_EU_LABOUR, 0.2),
        (C.OTHER, 0.1),
    ),
    T.YOUTH_SPECIALISED: ((C.MINOR_NL_EU, 0.85), (C.DUTCH_WOMEN_DOMESTIC, 0.15)),
    T.PROTECTED_RECEPTION: ((C.UNACCOMPANIED_MINOR, 1.0),),
    T.LABOUR_EXPLOITATION: ((C.EU_LABOUR, 0.6), (C.NON_EU_LABOUR, 0.4)),
    T.CRISIS: (
        (C.NON_EU_SEXUAL_B8, 0.3),
        (C.DUTCH_WOMEN_DOMESTIC, 0.25),
        (C.EU_LABOUR, 0.15),
        (C.CRIMINAL, 0.15),
        (C.NON_EU_LABOUR, 0.15),
    ),
    T.MENTAL_HEALTH_CLINICAL: (
        (C.DUTCH_WOMEN_DOMESTIC, 0.4),
        (C.NON_EU_SEXUAL_B8, 0.2),
        (C.CRIMINAL, 0.2),
        (C.OTHER, 0.2),
    ),
    T.SHELTERED_HOUSING: ((C.DUTCH_WOMEN_DOMESTIC, 0.5), (C.CRIMINAL, 0.3), (C.OTHER, 0.2)),
}


@dataclass(frozen=True, slots=True)
class PlacedDraft:
    """A current placement before its case gets an id.

    Parameters
    ----------
    case
        The placed case (status PLACED, provisional id).
    facility_id
        Where it stays.
    start, expected_end
        First night and expected day of discharge (after the dataset's date).
    """

    case: Case
    facility_id: str
    start: date
    expected_end: date


def occupied_beds(rng: np.random.Generator, facilities: list[Facility]) -> dict[str, int]:
    """Occupied beds per facility: per type a whole number inside its band, spread at random.

    When no whole number of beds falls inside a type's band (six beds at 85-95%), the
    nearest one to the band's middle is taken.

    Returns
    -------
    dict
        Facility id to occupied beds.
    """
    occupied: dict[str, int] = {}
    for ptype in PlacementType:
        facs = [f for f in facilities if f.placement_type is ptype]
        total = sum(f.beds for f in facs)
        lo, hi = OCCUPANCY_BANDS[ptype]
        low, high = math.ceil(lo * total - 1e-9), math.floor(hi * total + 1e-9)
        target = int(rng.integers(low, high + 1)) if low <= high else round((lo + hi) / 2 * total)
        slots = np.repeat(np.arange(len(facs)), [f.beds for f in facs])
        free = np.bincount(
            rng.choice(slots, size=total - target, replace=False), minlength=len(facs)
        )
        occupied.update({f.id: f.beds - int(free[i]) for i, f in enumerate(facs)})
    return occupied


def draw_occupancy(
    rng: np.random.Generator,
    facilities: list[Facility],
    streams: dict[str, FundingStream],
    rulebook: Rulebook,
    day0: date,
) -> list[PlacedDraft]:
    """Fill every facility up to its drawn occupancy with eligible placed cases.

    Parameters
    ----------
    rng
        The seeded generator.
    facilities
        All facilities.
    streams
        Funding streams by id.
    rulebook
        The rulebook every placement must satisfy (the national one).
    day0
        The dataset's date: placements started on or before it and end after it.

    Returns
    -------
    list of PlacedDraft
        In facility order.
    """
    targets = occupied_beds(rng, facilities)
    drafts: list[PlacedDraft] = []
    for fac in facilities:
        room = targets[fac.id]
        while room > 0:
            draft = _place_one(rng, fac, streams[fac.funding_stream_id], rulebook, day0, room)
            drafts.append(draft)
            room -= draft.case.beds
    return drafts


def _place_one(
    rng: np.random.Generator,
    fac: Facility,
    stream: FundingStream,
    rulebook: Rulebook,
    day0: date,
    room: int,
) -> PlacedDraft:
    """Draw cases of the type's classes, fitted to the facility, until one is eligible."""
    gender = {GenderPolicy.FEMALE_ONLY: Gender.FEMALE, GenderPolicy.MALE_ONLY: Gender.MALE}
    total, elapsed = _draw_stay(rng, fac.placement_type)
    start = day0 - timedelta(days=elapsed)
    intake = start - timedelta(days=int(rng.beta(*PLACEMENT_WAIT_SHAPE) * PLACEMENT_WAIT_DAYS))
    for _ in range(MAX_TRIES):
        cls = pick(rng, FACILITY_MIX[fac.placement_type])
        profile = draw_profile(
            rng, cls, gender=gender.get(fac.gender_policy), ages=(fac.min_age, fac.max_age)
        )
        _fit(rng, profile, fac, rulebook, room)
        case = profile.to_case("C-DRAFT", intake, CaseStatus.PLACED)
        if rulebook.evaluate(case, fac, stream).eligible:
            return PlacedDraft(case, fac.id, start, start + timedelta(days=total))
    raise RuntimeError(f"no eligible case drawn for {fac.id} in {MAX_TRIES} tries")


def _draw_stay(rng: np.random.Generator, ptype: PlacementType) -> tuple[int, int]:
    """Total and elapsed length of a stay under way today, in days.

    A stay under way on a given day is length-biased (long stays are more likely to be
    seen), so the total is drawn from gamma(shape + 1) around the catalogue's typical
    stay; the elapsed part is a uniform share of it.
    """
    mean = CATALOGUE[ptype].typical_stay_days
    total = int(
        min(MAX_STAY_DAYS[ptype], max(1, round(rng.gamma(STAY_SHAPE + 1, mean / STAY_SHAPE))))
    )
    return total, int(rng.random() * total)


def _fit(
    rng: np.random.Generator, p: Profile, fac: Facility, rulebook: Rulebook, room: int
) -> None:
    """Make a drawn profile one this facility would have taken in.

    Hard needs it cannot meet are dropped, the type's required need is added from what it
    offers, children are limited to its room, and the risk and region of exploitation are
    made to fit its safety (a placed case was placed where it fits).
    """
    rules = rulebook.rules
    for need in sorted(p.needs):
        rule = rules.needs[need]
        covered = (
            fac.wheelchair_access
            if rule.met_by is NeedSource.WHEELCHAIR_ACCESS
            else need in fac.specialisms
        )
        if rule.strength is NeedStrength.HARD and not covered:
            p.needs.discard(need)
    required = rules.placement_types[fac.placement_type].requires_any_need
    if required and not p.needs & required:
        p.needs.add(
            sorted(required & fac.specialisms)[int(rng.integers(len(required & fac.specialisms)))]
        )
    p.children = min(p.children, fac.max_children, room - 1)
    while (
        p.safety is not SafetyRisk.LOW
        and rules.safety[p.safety].secret_address
        and not fac.secret_address
    ):
        p.safety = SafetyRisk.MEDIUM if p.safety is SafetyRisk.HIGH else SafetyRisk.LOW
    safety = rules.safety[p.safety]
    allowed = _safe_exploitation_regions(
        fac.region_id, fac.location, safety.outside_region_of_exploitation, safety.min_distance_km
    )
    if p.region_of_exploitation not in allowed:
        p.region_of_exploitation = draw_region_among(rng, allowed)


@cache
def _safe_exploitation_regions(
    facility_region: str, location: tuple[float, float], outside: bool, min_km: float
) -> tuple[str, ...]:
    """Regions a case may have been exploited in to be safe at a facility at ``location``."""
    lat, lon = location
    return tuple(
        r
        for r in REGION_IDS
        if not (outside and r == facility_region)
        and distance_km(lat, lon, region(r).lat, region(r).lon) >= min_km
    )
