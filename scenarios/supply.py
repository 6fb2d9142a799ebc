"""The supply of a scenario: facilities, funding streams, the starting state and the changes.

Resolved once when the file is loaded, so every replication starts from the same supply
and a bad reference is reported with its key before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time

from capacity import (
    Case,
    CaseStatus,
    Facility,
    FundingStream,
    InvalidSupplyError,
    Rulebook,
    region,
)
from capacity.clock import LOCAL_TZ
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from capacity.demo.costs import COST_PER_BED_DAY
from capacity.regions import region_ids
from scenarios.errors import InvalidScenarioError
from scenarios.spec import BedChangeSpec, FacilitySpec, ScenarioSpec, StreamSpec

DEFAULT_START = date(2027, 1, 1)  # first day of a scenario without a dataset or start_date


@dataclass(frozen=True, slots=True)
class InitialStay:
    """A placement under way when the run starts.

    Parameters
    ----------
    case
        The placed case's id.
    facility
        Index of the facility in :attr:`Supply.facilities`.
    beds
        Beds it holds.
    start, end
        Days relative to the start of the run: it started on ``start`` (zero or before)
        and leaves on ``end`` (after zero), its expected end in the dataset.
    """

    case: str
    facility: int
    beds: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class BedStep:
    """``delta`` beds at facility index ``facility`` from ``day`` on."""

    day: int
    facility: int
    delta: int


@dataclass(frozen=True, slots=True)
class BudgetStep:
    """Stream index ``stream`` has ``per_year`` euros a year from ``day`` on (None: no cap)."""

    day: int
    stream: int
    per_year: float | None


@dataclass(frozen=True, slots=True)
class Supply:
    """Everything on the supply side of one scenario.

    Parameters
    ----------
    start_date
        Calendar date of day 0 (budget years are calendar years).
    facilities
        All facilities that exist at any time of the run, sorted by id; ``beds`` is the
        most beds each has during the run (used by the rulebook's size rule).
    initial_beds
        Beds of each facility on day 0 (0 for facilities that open later).
    streams
        Funding streams, sorted by id.
    bed_steps, budget_steps
        The changes, in day order.
    initial_stays
        Placements under way on day 0.
    initial_waiting
        Cases waiting on day 0.
    """

    start_date: date
    facilities: tuple[Facility, ...]
    initial_beds: tuple[int, ...]
    streams: tuple[FundingStream, ...]
    bed_steps: tuple[BedStep, ...]
    budget_steps: tuple[BudgetStep, ...]
    initial_stays: tuple[InitialStay, ...]
    initial_waiting: tuple[Case, ...]


def build_supply(spec: ScenarioSpec, rulebook: Rulebook, source: str) -> Supply:
    """Resolve the ``supply`` section of a scenario.

    Parameters
    ----------
    spec
        The validated file.
    rulebook
        The run's rulebook (its case categories are what ``case_categories: all`` means).
    source
        The file name, for errors.

    Returns
    -------
    Supply

    Raises
    ------
    InvalidScenarioError
        A duplicate id, an unknown region, stream or facility, or a change that cannot apply.
    """
    s = spec.supply
    facilities: dict[str, Facility] = {}
    streams: dict[str, FundingStream] = {}
    stays: list[tuple[str, str, int, date, date]] = []
    waiting: list[Case] = []
    start = spec.start_date or DEFAULT_START
    if s.dataset == "demo":
        as_of = DEMO_AS_OF
        if spec.start_date is not None:
            as_of = datetime.combine(spec.start_date, time(9, 0), tzinfo=LOCAL_TZ)
        data = build_demo_dataset(seed=s.dataset_seed or DEMO_SEED, as_of=as_of)
        start = as_of.date()
        facilities = {f.id: f for f in data.facilities}
        streams = {st.id: st for st in data.funding_streams}
        if s.occupancy:
            stays = [
                (p.case_id, p.facility_id, p.beds, p.start, p.expected_end) for p in data.placements
            ]
        if s.waiting_list:
            waiting = [c for c in data.cases if c.status is CaseStatus.WAITING]
    categories = frozenset(rulebook.rules.case_categories)
    for i, st in enumerate(s.funding_streams):
        key = f"supply.funding_streams[{i}]"
        if st.id in streams:
            raise InvalidScenarioError(source, f"{key}.id", f"stream {st.id!r} exists already")
        streams[st.id] = _stream(st, categories, source, key)
    for i, fs in enumerate(s.facilities):
        key = f"supply.facilities[{i}]"
        if fs.id in facilities:
            raise InvalidScenarioError(source, f"{key}.id", f"facility {fs.id!r} exists already")
        facilities[fs.id] = _facility(fs, streams, categories, source, key)
    added, named_steps = _bed_steps(spec, facilities, streams, source)
    beds0 = {fid: f.beds for fid, f in facilities.items()}
    for fac in added:
        beds0[fac.id] = 0
    order = sorted(facilities)
    at = {fid: i for i, fid in enumerate(order)}
    initial = [beds0[f] for f in order]
    steps = tuple(
        sorted((BedStep(b.day, at[b.facility_id], b.delta) for b in named_steps), key=_day)
    )
    most = _most_beds(initial, steps)
    stream_order = sorted(streams)
    return Supply(
        start_date=start,
        facilities=tuple(replace(facilities[f], beds=m) for f, m in zip(order, most, strict=True)),
        initial_beds=tuple(initial),
        streams=tuple(streams[sid] for sid in stream_order),
        bed_steps=steps,
        budget_steps=_budget_steps(spec, stream_order, source),
        initial_stays=tuple(
            InitialStay(c, at[f], n, (a - start).days, (b - start).days) for c, f, n, a, b in stays
        ),
        initial_waiting=tuple(waiting),
    )


def _day(step: BedStep) -> int:
    return step.day


@dataclass(frozen=True, slots=True)
class _NamedStep:
    day: int
    facility_id: str
    delta: int


def _most_beds(initial: list[int], steps: tuple[BedStep, ...]) -> list[int]:
    now, most = list(initial), list(initial)
    for step in steps:
        now[step.facility] += step.delta
        most[step.facility] = max(most[step.facility], now[step.facility])
    return most


def _check_region(region_id: str | None, source: str, key: str) -> None:
    if region_id is not None and region_id not in region_ids():
        raise InvalidScenarioError(source, key, f"unknown region {region_id!r}")


def _stream(st: StreamSpec, categories: frozenset[str], source: str, key: str) -> FundingStream:
    _check_region(st.region, source, f"{key}.region")
    cats = categories if st.case_categories == "all" else st.case_categories
    unknown = sorted(set(cats) - categories)
    if unknown:
        raise InvalidScenarioError(
            source, f"{key}.case_categories", f"unknown case category {unknown[0]!r}"
        )
    try:
        return FundingStream(
            st.id,
            st.name or st.id,
            "scenario",
            st.placement_types,
            frozenset(cats),
            region_id=st.region,
            budget_per_period=st.budget_per_year,
        )
    except InvalidSupplyError as exc:
        raise InvalidScenarioError(
            source, f"{key}.{exc.field.split('.')[-1]}", exc.reason
        ) from None


def _facility(
    fs: FacilitySpec,
    streams: dict[str, FundingStream],
    categories: frozenset[str],
    source: str,
    key: str,
) -> Facility:
    _check_region(fs.region, source, f"{key}.region")
    stream_id = fs.funding_stream or f"{fs.id}-funding"
    if fs.funding_stream is None:
        streams[stream_id] = FundingStream(
            stream_id,
            f"Funding of {fs.id}",
            "scenario",
            frozenset({fs.placement_type}),
            categories,
        )
    elif stream_id not in streams:
        raise InvalidScenarioError(source, f"{key}.funding_stream", f"unknown stream {stream_id!r}")
    try:
        return Facility(
            id=fs.id,
            name=fs.name or fs.id,
            provider_id=fs.provider or fs.id,
            region_id=fs.region,
            placement_type=fs.placement_type,
            beds=fs.beds,
            funding_stream_id=stream_id,
            cost_per_bed_day=(
                COST_PER_BED_DAY[fs.placement_type]
                if fs.cost_per_bed_day is None
                else fs.cost_per_bed_day
            ),
            specialisms=fs.specialisms,
            gender_policy=fs.gender_policy,
            min_age=fs.min_age,
            max_age=fs.max_age,
            max_children=fs.max_children,
            secret_address=fs.secret_address,
            languages=fs.languages,
            wheelchair_access=fs.wheelchair_access,
        )
    except InvalidSupplyError as exc:
        raise InvalidScenarioError(
            source, f"{key}.{exc.field.split('.')[-1]}", exc.reason
        ) from None


def _bed_steps(
    spec: ScenarioSpec,
    facilities: dict[str, Facility],
    streams: dict[str, FundingStream],
    source: str,
) -> tuple[list[Facility], list[_NamedStep]]:
    """Per change, the facilities whose beds change; new facilities for ``like``."""
    beds = {f.id: f.beds for f in facilities.values()}
    added: list[Facility] = []
    steps: list[_NamedStep] = []
    ordered = sorted(enumerate(spec.supply.changes), key=lambda t: t[1].day)
    for i, change in ordered:
        if change.beds is None:
            continue
        key = f"supply.changes[{i}].beds"
        c = change.beds
        _check_region(c.region, source, f"{key}.region")
        if c.add is not None:
            target = _add_target(c, facilities, streams, source, key, i)
            if target.id not in facilities:
                added.append(target)
                facilities[target.id] = target
                beds[target.id] = 0
            beds[target.id] += c.add
            steps.append(_NamedStep(change.day, target.id, c.add))
            continue
        assert c.remove is not None
        for fid, n in _removal(c, facilities, beds, source, key):
            beds[fid] -= n
            steps.append(_NamedStep(change.day, fid, -n))
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
            f"only {have} {c.placement_type.value} beds in {c.region} to remove",
        )
    out: list[tuple[str, int]] = []
    left = c.remove
    for f in found:
        take = min(left, beds[f.id])
        if take:
            out.append((f.id, take))
        left -= take
    return out


def _budget_steps(
    spec: ScenarioSpec, stream_order: list[str], source: str
) -> tuple[BudgetStep, ...]:
    index = {sid: i for i, sid in enumerate(stream_order)}
    out = []
    for i, change in enumerate(spec.supply.changes):
        if change.budget is None:
            continue
        if change.budget.stream not in index:
            raise InvalidScenarioError(
                source,
                f"supply.changes[{i}].budget.stream",
                f"unknown stream {change.budget.stream!r}",
            )
        out.append(BudgetStep(change.day, index[change.budget.stream], change.budget.per_year))
    return tuple(sorted(out, key=lambda b: b.day))
