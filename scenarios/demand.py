"""Demand: who arrives when, with which intake profile and how long they would stay.

All of a replication's arrivals and stays are drawn before the clock starts, each demand
class from its own child generator, so every policy run with the same seed meets the same
people (common random numbers) and the hindsight policy can see them all.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta

import numpy as np

from capacity import CATALOGUE, Case, CaseStatus, PlacementType
from capacity.demo import ProfileClass
from capacity.demo.draw import draw_profile
from capacity.demo.profiles import Profile
from scenarios.spec import FixedProfile, GroupSpec, StayDistribution, StaySpec

DEFAULT_KEY = "default"  # a stay key that opens every placement type not listed


@dataclass(frozen=True, slots=True)
class DemandModel:
    """One demand class, resolved from the file.

    Parameters
    ----------
    name
        The class name.
    arrivals_per_day
        Poisson rate of single arrivals, per day.
    groups
        Group arrivals, or ``None``.
    at_days
        Scheduled single arrivals (days from the start).
    profiles
        ``(share, profile)`` pairs; a profile is a table C class or a fixed profile.
    stays
        Stay distribution for each placement type the class may be placed in.
    """

    name: str
    arrivals_per_day: float
    groups: GroupSpec | None
    at_days: tuple[float, ...]
    profiles: tuple[tuple[float, ProfileClass | FixedProfile], ...]
    stays: Mapping[PlacementType, StaySpec]

    def expected_stay(self, placement_type: PlacementType) -> float:
        """Mean stay at a type, in days (the planner's expectation)."""
        return self.stays[placement_type].mean_days


@dataclass(frozen=True, slots=True)
class ArrivalDraft:
    """A case that will arrive during the run.

    Parameters
    ----------
    time
        Arrival time in days from the start (fractional: arrivals happen during the day).
    demand_class
        Index of its demand class.
    case
        Its intake profile (status waiting, intake date the day of arrival).
    stays
        How long it would stay at each placement type its class may use, in days.
    """

    time: float
    demand_class: int
    case: Case
    stays: Mapping[PlacementType, float]


def stay_specs(stay: Mapping[str, StaySpec]) -> dict[PlacementType, StaySpec]:
    """Per placement type, its stay spec; ``default`` fills every type not listed."""
    out = {PlacementType(k): v for k, v in stay.items() if k != DEFAULT_KEY}
    if DEFAULT_KEY in stay:
        for t in PlacementType:
            out.setdefault(t, stay[DEFAULT_KEY])
    return out


def catalogue_stays() -> dict[PlacementType, StaySpec]:
    """Exponential stays with the catalogue's typical means, for cases of no class."""
    return {
        t: StaySpec(distribution=StayDistribution.EXPONENTIAL, mean_days=info.typical_stay_days)
        for t, info in CATALOGUE.items()
    }


def draw_stay(rng: np.random.Generator, spec: StaySpec) -> float:
    """One length of stay in days, cut at ``max_days``."""
    if spec.distribution is StayDistribution.FIXED:
        days = spec.mean_days
    elif spec.distribution is StayDistribution.EXPONENTIAL:
        days = float(rng.exponential(spec.mean_days))
    else:
        assert spec.spread_days is not None
        sigma2 = math.log1p((spec.spread_days / spec.mean_days) ** 2)
        mu = math.log(spec.mean_days) - sigma2 / 2
        days = float(rng.lognormal(mu, math.sqrt(sigma2)))
    return min(days, spec.max_days) if spec.max_days is not None else days


def draw_stays(
    rng: np.random.Generator, specs: Mapping[PlacementType, StaySpec]
) -> dict[PlacementType, float]:
    """A stay for every type of ``specs``, drawn in catalogue order."""
    return {t: draw_stay(rng, specs[t]) for t in PlacementType if t in specs}


def draw_arrivals(
    models: tuple[DemandModel, ...],
    seq: np.random.SeedSequence,
    horizon_days: int,
    start_date: date,
) -> list[ArrivalDraft]:
    """Every arrival of one replication, in time order, with case ids ``S-00001`` onward.

    Parameters
    ----------
    models
        The demand classes.
    seq
        The replication's demand seed sequence; class ``k`` uses its ``k``-th child.
    horizon_days
        Arrivals fall in ``[0, horizon_days)``.
    start_date
        Calendar date of day 0 (intake dates).

    Returns
    -------
    list of ArrivalDraft
        Sorted by time, then class, then draw order.
    """
    raw: list[tuple[float, int, int, Profile | Case, dict[PlacementType, float]]] = []
    for k, (model, child) in enumerate(zip(models, seq.spawn(len(models)), strict=True)):
        times_rng, profile_rng, stay_rng = (np.random.default_rng(s) for s in child.spawn(3))
        for n, (t, person) in enumerate(
            _class_arrivals(model, times_rng, profile_rng, horizon_days)
        ):
            raw.append((t, k, n, person, draw_stays(stay_rng, model.stays)))
    raw.sort(key=lambda r: (r[0], r[1], r[2]))
    out = []
    for seq_no, (t, k, _, person, stays) in enumerate(raw, start=1):
        case_id = f"S-{seq_no:05d}"
        intake = start_date + timedelta(days=math.floor(t))
        if isinstance(person, Profile):
            case = person.to_case(case_id, intake, CaseStatus.WAITING)
        else:
            case = renamed(person, case_id, intake)
        out.append(ArrivalDraft(t, k, case, stays))
    return out


def _class_arrivals(
    model: DemandModel,
    times_rng: np.random.Generator,
    profile_rng: np.random.Generator,
    horizon: int,
) -> list[tuple[float, Profile | Case]]:
    """(time, person) of one class: Poisson singles, Poisson groups, scheduled arrivals."""
    singles = _poisson_times(times_rng, model.arrivals_per_day, horizon)
    singles += [float(t) for t in model.at_days]
    events: list[tuple[float, int]] = [(t, 1) for t in singles]
    if model.groups is not None:
        size = model.groups.size
        lo, hi = (size, size) if isinstance(size, int) else size
        for t in _poisson_times(times_rng, model.groups.per_day, horizon):
            events.append((t, int(times_rng.integers(lo, hi + 1))))
    events.sort()
    out: list[tuple[float, Profile | Case]] = []
    for t, size in events:
        ref = _pick(profile_rng, model.profiles)
        first = _person(profile_rng, ref)
        out.append((t, first))
        for _ in range(size - 1):
            out.append((t, _mate(first, _person(profile_rng, ref))))
    return out


def _poisson_times(rng: np.random.Generator, rate: float, horizon: int) -> list[float]:
    if rate <= 0:
        return []
    n = int(rng.poisson(rate * horizon))
    return sorted(float(t) for t in rng.uniform(0.0, horizon, n))


def _pick(
    rng: np.random.Generator, options: tuple[tuple[float, ProfileClass | FixedProfile], ...]
) -> ProfileClass | FixedProfile:
    if len(options) == 1:
        return options[0][1]
    u = rng.random() * sum(share for share, _ in options)
    for share, ref in options:
        u -= share
        if u < 0:
            return ref
    return options[-1][1]


def _person(rng: np.random.Generator, ref: ProfileClass | FixedProfile) -> Profile | Case:
    if isinstance(ref, ProfileClass):
        return draw_profile(rng, ref)
    return _fixed(ref)


@functools.lru_cache(maxsize=256)
def _fixed(ref: FixedProfile) -> Case:
    return fixed_case(ref, "S-DRAFT", date(2000, 1, 1))


def _mate(first: Profile | Case, other: Profile | Case) -> Profile | Case:
    """A group member: found in the same raid, so same regions and language as the first."""
    if isinstance(first, Profile) and isinstance(other, Profile):
        return replace(
            other,
            region_signalled=first.region_signalled,
            region_of_exploitation=first.region_of_exploitation,
            language=first.language,
            preferred=(),
        )
    return other


def renamed(case: Case, case_id: str, intake: date) -> Case:
    """A copy of a validated case with another id and intake date.

    Skips the validation of ``Case`` (already done for this profile): arrivals of a fixed
    profile are made by the hundred thousand in the M/M/c check.
    """
    out = object.__new__(Case)
    for name in _CASE_FIELDS:
        object.__setattr__(out, name, getattr(case, name))
    object.__setattr__(out, "id", case_id)
    object.__setattr__(out, "intake_date", intake)
    return out


_CASE_FIELDS = tuple(f.name for f in fields(Case))


def fixed_case(p: FixedProfile, case_id: str, intake: date) -> Case:
    """The :class:`Case` of a fixed profile (raises ``InvalidCaseError`` when inconsistent)."""
    return Case(
        id=case_id,
        intake_date=intake,
        age=p.age,
        gender=p.gender,
        residence_status=p.residence_status,
        exploitation_type=p.exploitation_type,
        region_signalled=p.region_signalled,
        region_of_exploitation=p.region_of_exploitation or p.region_signalled,
        responsible_organisation="scenario",
        accompanying_children=p.accompanying_children,
        needs=p.needs,
        safety_risk=p.safety_risk,
        interpreter_language=p.interpreter_language,
        preferred_regions=p.preferred_regions,
        unaccompanied=p.unaccompanied,
    )
