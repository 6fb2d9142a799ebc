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
)
from capacity.clock import LOCAL_TZ
from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset
from capacity.demo.costs import COST_PER_BED_DAY
from scenarios.changes import bed_steps, check_region
from scenarios.errors import InvalidScenarioError
from scenarios.spec import FacilitySpec, ScenarioSpec, StreamSpec

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
    start, facilities, streams, stays, waiting = _dataset(spec)
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
    added, named_steps = bed_steps(spec, facilities, streams, source)
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


_Stay = tuple[str, str, int, date, date]  # case, facility, beds, start, expected end


def _dataset(
    spec: ScenarioSpec,
) -> tuple[date, dict[str, Facility], dict[str, FundingStream], list[_Stay], list[Case]]:
    """Start date, facilities, streams, stays under way and waiting list of the dataset."""
    s = spec.supply
    if s.dataset != "demo":
        return spec.start_date or DEFAULT_START, {}, {}, [], []
    as_of = DEMO_AS_OF
    if spec.start_date is not None:
        as_of = datetime.combine(spec.start_date, time(9, 0), tzinfo=LOCAL_TZ)
    data = build_demo_dataset(seed=s.dataset_seed or DEMO_SEED, as_of=as_of)
    stays: list[_Stay] = []
    if s.occupancy:
        stays = [
            (p.case_id, p.facility_id, p.beds, p.start, p.expected_end) for p in data.placements
        ]
    waiting = [c for c in data.cases if c.status is CaseStatus.WAITING] if s.waiting_list else []
    return (
        as_of.date(),
        {f.id: f for f in data.facilities},
        {st.id: st for st in data.funding_streams},
        stays,
        waiting,
    )


def _day(step: BedStep) -> int:
    return step.day


def _most_beds(initial: list[int], steps: tuple[BedStep, ...]) -> list[int]:
    now, most = list(initial), list(initial)
    for step in steps:
        now[step.facility] += step.delta
        most[step.facility] = max(most[step.facility], now[step.facility])
    return most


def _stream(st: StreamSpec, categories: frozenset[str], source: str, key: str) -> FundingStream:
    check_region(st.region, source, f"{key}.region")
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
    check_region(fs.region, source, f"{key}.region")
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
