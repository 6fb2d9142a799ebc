"""Drawing one intake profile of a given profile class from a seeded generator."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TypeVar

import numpy as np

from capacity.cases import ExploitationType, Gender, Need, ResidenceStatus, SafetyRisk
from capacity.demo.population import REGION_IDS, domestic_sexual_weights, population_weights
from capacity.demo.profiles import (
    CHILDREN_COUNTS,
    CHILDREN_SHARE_MEN,
    CHILDREN_SHARE_WOMEN,
    CLASS_SPECS,
    MEDICAL_SHARE,
    OMM_NEED_WEIGHTS,
    OMM_NEEDS,
    PREFERENCE_SHARE,
    PREGNANCY_SHARE,
    SAFETY_SHARES,
    SAME_REGION_SHARE,
    SECOND_PROBLEM_SHARE,
    TRAUMA_SHARE,
    WHEELCHAIR_SHARE,
    ClassSpec,
    Profile,
    ProfileClass,
)
from capacity.regions import distance_km, region

V = TypeVar("V")
PREGNANCY_AGES = (16, 40)  # years; ages at which a pregnancy is drawn
SECOND_PREFERENCE_SHARE = 0.5  # cases with preferences who also name the nearest region


def pick(rng: np.random.Generator, options: tuple[tuple[V, float], ...]) -> V:
    """One value of ``((value, weight), ...)``, drawn in proportion to the weights."""
    u = rng.random() * sum(w for _, w in options)
    for value, weight in options:
        u -= weight
        if u < 0:
            return value
    return options[-1][0]


@cache
def _region_options(domestic: bool) -> tuple[tuple[str, float], ...]:
    weights = domestic_sexual_weights() if domestic else population_weights()
    return tuple(zip(REGION_IDS, (float(w) for w in weights), strict=True))


def draw_region(rng: np.random.Generator, *, domestic: bool = False) -> str:
    """A region where a case is signalled (population-weighted, boosted for domestic cases)."""
    return pick(rng, _region_options(domestic))


def draw_region_among(rng: np.random.Generator, allowed: Iterable[str]) -> str:
    """A population-weighted region among ``allowed`` (region ids)."""
    weight = dict(_region_options(False))
    return pick(rng, tuple((r, weight[r]) for r in allowed))


@cache
def nearest_region(region_id: str) -> str:
    """The region whose centre lies closest to this region's centre."""
    here = region(region_id)
    others = [region(r) for r in REGION_IDS if r != region_id]
    return min(others, key=lambda r: distance_km(here.lat, here.lon, r.lat, r.lon)).id


def draw_profile(
    rng: np.random.Generator,
    cls: ProfileClass,
    *,
    gender: Gender | None = None,
    ages: tuple[int, int] | None = None,
) -> Profile:
    """Draw one intake profile of a profile class.

    Parameters
    ----------
    rng
        The seeded generator (never the global one).
    cls
        The profile class.
    gender
        Force this gender (a placed case at a single-gender facility).
    ages
        Narrow the class's age range to this range where they overlap.

    Returns
    -------
    Profile
        A mutable draft; :meth:`Profile.to_case` freezes it.
    """
    spec = CLASS_SPECS[cls]
    kind = pick(rng, spec.exploitation)
    if gender is None:
        gender = Gender.FEMALE if rng.random() < spec.female[kind] else Gender.MALE
    residence = pick(rng, spec.residence)
    signalled = draw_region(rng, domestic=spec.domestic_boost and kind is ExploitationType.SEXUAL)
    exploited = signalled
    if rng.random() >= SAME_REGION_SHARE:
        exploited = draw_region_among(rng, (r for r in REGION_IDS if r != signalled))
    profile = Profile(
        age=_draw_age(rng, spec, ages),
        gender=gender,
        residence=residence,
        exploitation=kind,
        region_signalled=signalled,
        region_of_exploitation=exploited,
        unaccompanied=spec.unaccompanied,
        safety=pick(rng, tuple(zip(SafetyRisk, SAFETY_SHARES, strict=True))),
    )
    profile.needs = _draw_needs(rng, spec, profile)
    profile.children = _draw_children(rng, profile)
    if residence is not ResidenceStatus.NL and rng.random() < spec.interpreter_share:
        profile.language = pick(rng, spec.languages)
    if profile.age >= 18 and profile.safety is SafetyRisk.LOW and rng.random() < PREFERENCE_SHARE:
        both = rng.random() < SECOND_PREFERENCE_SHARE
        profile.preferred = (signalled, nearest_region(signalled))[: 2 if both else 1]
    return profile


def _draw_age(rng: np.random.Generator, spec: ClassSpec, ages: tuple[int, int] | None) -> int:
    lo, hi = spec.ages
    if ages is not None and max(lo, ages[0]) <= min(hi, ages[1]):
        lo, hi = max(lo, ages[0]), min(hi, ages[1])
    return min(hi, lo + int(rng.beta(*spec.age_shape) * (hi - lo + 1)))


def _draw_needs(rng: np.random.Generator, spec: ClassSpec, p: Profile) -> set[Need]:
    needs: set[Need] = set()
    if rng.random() < spec.complex_share:
        problems = rng.choice(len(OMM_NEEDS), size=2, replace=False, p=OMM_NEED_WEIGHTS)
        count = 2 if rng.random() < SECOND_PROBLEM_SHARE else 1
        needs.update(OMM_NEEDS[int(i)] for i in problems[:count])
    if rng.random() < TRAUMA_SHARE[p.exploitation]:
        needs.add(Need.TRAUMA_CARE)
    if rng.random() < MEDICAL_SHARE:
        needs.add(Need.MEDICAL)
    pregnant_age = PREGNANCY_AGES[0] <= p.age <= PREGNANCY_AGES[1]
    if p.gender is Gender.FEMALE and pregnant_age and rng.random() < PREGNANCY_SHARE:
        needs.add(Need.PREGNANCY)
    if rng.random() < WHEELCHAIR_SHARE:
        needs.add(Need.WHEELCHAIR)
    return needs


def _draw_children(rng: np.random.Generator, p: Profile) -> int:
    if p.age < 18:
        return 0
    share = CHILDREN_SHARE_WOMEN if p.gender is Gender.FEMALE else CHILDREN_SHARE_MEN
    if rng.random() >= share:
        return 0
    return pick(rng, CHILDREN_COUNTS)
