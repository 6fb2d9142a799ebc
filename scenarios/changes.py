"""Bed changes of a scenario: which facility gains or loses beds, from which day.

Added beds go to the facility named by ``facility``, else to the largest facility of the
type in the region (ties: the smallest id); with ``like`` a new facility is made in the
region as a copy of the named one (its regional funding stream replaced by the region's
own). Removed beds come off the named facility, else off the largest ones first; nobody is
evicted: a facility with more people than beds takes no one until it is below its beds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from capacity import CATALOGUE, Facility, FundingStream, region
from capacity.regions import region_ids
from scenarios.errors import InvalidScenarioError
from scenarios.spec import BedChangeSpec, ScenarioSpec


@dataclass(frozen=True, slots=True)
class NamedStep:
    """``delta`` beds at the facility with id ``facility_id`` from ``day`` on."""

    day: int
    facility_id: str
    delta: int


def check_region(region_id: str | None, source: str, key: str) -> None:
    if region_id is not None and region_id not in region_ids():
        raise InvalidScenarioError(source, key, f"unknown region {region_id!r}")


def bed_steps(
    spec: ScenarioSpec,
    facilities: dict[str, Facility],
    streams: dict[str, FundingStream],
    source: str,
) -> tuple[list[Facility], list[NamedStep]]:
    """Per change, the facilities whose beds change, and the new facilities of ``like``.

    Raises
    ------
    InvalidScenarioError
        A change naming a facility or region that does not exist, or removing more beds
        than there are.
    """
    beds = {f.id: f.beds for f in facilities.values()}
    added: list[Facility] = []
    steps: list[NamedStep] = []
    ordered = sorted(enumerate(spec.supply.changes), key=lambda t: t[1].day)
    for i, change in ordered:
        if change.beds is None:
            continue
        key = f"supply.changes[{i}].beds"
        c = change.beds
        check_region(c.region, source, f"{key}.region")
        if c.add is not None:
            target = _add_target(c, facilities, streams, source, key, i)
            if target.id not in facilities:
                added.append(target)
                facilities[target.id] = target
                beds[target.id] = 0
            beds[target.id] += c.add
            steps.append(NamedStep(change.day, target.id, c.add))
            continue
        assert c.remove is not None
        for fid, n in _removal(c, facilities, beds, source, key):
            beds[fid] -= n
            steps.append(NamedStep(change.day, fid, -n))
    return added, steps


def _matching(c: BedChangeSpec, facilities: dict[str, Facility]) -> list[Facility]:
    return [
        f
        for f in facilities.values()
        if f.placement_type is c.placement_type and f.region_id == c.region
    ]


def _named(c: BedChangeSpec, facilities: dict[str, Facility], source: str, key: str) -> Facility:
    assert c.facility is not None
    fac = facilities.get(c.facility)
    if fac is None:
        raise InvalidScenarioError(source, f"{key}.facility", f"unknown facility {c.facility!r}")
    if fac.placement_type is not c.placement_type or fac.region_id != c.region:
        raise InvalidScenarioError(
            source,
            f"{key}.facility",
            f"{fac.id} is a {fac.placement_type.value} facility in {fac.region_id}, "
            f"not {c.placement_type.value} in {c.region}",
        )
    return fac


def _add_target(
    c: BedChangeSpec,
    facilities: dict[str, Facility],
    streams: dict[str, FundingStream],
    source: str,
    key: str,
    i: int,
) -> Facility:
    if c.facility is not None:
        return _named(c, facilities, source, key)
    if c.like is None:
        found = _matching(c, facilities)
        if not found:
            raise InvalidScenarioError(
                source,
                key,
                f"no {c.placement_type.value} facility in {c.region} to add beds to; "
                "name one to copy with 'like'",
            )
        return max(found, key=lambda f: (f.beds, _neg(f.id)))
    model = facilities.get(c.like)
    if model is None:
        raise InvalidScenarioError(source, f"{key}.like", f"unknown facility {c.like!r}")
    if model.placement_type is not c.placement_type:
        raise InvalidScenarioError(
            source, f"{key}.like", f"{model.id} is not a {c.placement_type.value} facility"
        )
    stream = streams[model.funding_stream_id]
    if stream.region_id is not None and stream.region_id != c.region:
        local = [
            s
            for s in streams.values()
            if s.region_id == c.region and c.placement_type in s.placement_types
        ]
        if not local:
            raise InvalidScenarioError(
                source, f"{key}.like", f"no regional stream of {c.region} pays for these beds"
            )
        stream = min(local, key=lambda s: s.id)
    return replace(
        model,
        id=f"{c.placement_type.value.replace('_', '-')}-{c.region}-added-{i}",
        name=f"{model.name} (added in {region(c.region).name})",
        region_id=c.region,
        beds=0,
        funding_stream_id=stream.id,
        lat=None,
        lon=None,
    )


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that orders ids in reverse, so ``max`` prefers the smallest id on ties."""
    return tuple(-ord(ch) for ch in text)


def _removal(
    c: BedChangeSpec,
    facilities: dict[str, Facility],
    beds: dict[str, int],
    source: str,
    key: str,
) -> list[tuple[str, int]]:
    assert c.remove is not None
    if c.facility is not None:
        found = [_named(c, facilities, source, key)]
    else:
        found = sorted(_matching(c, facilities), key=lambda f: (-beds[f.id], f.id))
    have = sum(beds[f.id] for f in found)
    if have < c.remove:
        raise InvalidScenarioError(
            source,
            f"{key}.remove",
            f"only {have} {'bed' if have == 1 else 'beds'} of type "
            f"{CATALOGUE[c.placement_type].name} in {region(c.region).name} to remove",
        )
    out: list[tuple[str, int]] = []
    left = c.remove
    for f in found:
        take = min(left, beds[f.id])
        if take:
            out.append((f.id, take))
        left -= take
    return out
