"""The headline counts of a dataset: what ``docs/demo-data.md`` tabulates and the CLI prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TypeVar

from capacity.cases import Case, CaseStatus
from capacity.clock import local_date
from capacity.criteria import Rulebook, bundled_rulebook
from capacity.dataset import Dataset
from capacity.demo.profiles import ProfileClass, profile_class
from capacity.placement_types import PlacementType

K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """Counts of one dataset under one rulebook.

    Parameters
    ----------
    facilities_by_type, beds_by_type, occupied_by_type
        Facilities, beds and beds taken by current placements, per placement type.
    waiting_by_class
        Waiting cases per profile class (:func:`profile_class`).
    waiting_by_complexity
        Waiting cases per complexity class of the rulebook.
    capacity_gaps
        Ids of waiting cases that no facility in the country is eligible for (whatever
        its free beds): a gap in the supply, not in today's availability.
    providers, funding_streams, placed_cases, waiting_cases
        Totals.
    """

    facilities_by_type: Mapping[PlacementType, int]
    beds_by_type: Mapping[PlacementType, int]
    occupied_by_type: Mapping[PlacementType, int]
    waiting_by_class: Mapping[ProfileClass, int]
    waiting_by_complexity: Mapping[str, int]
    capacity_gaps: tuple[str, ...]
    providers: int
    funding_streams: int
    placed_cases: int
    waiting_cases: int

    @property
    def facilities(self) -> int:
        """Facilities of every type."""
        return sum(self.facilities_by_type.values())

    @property
    def beds(self) -> int:
        """Beds of every type."""
        return sum(self.beds_by_type.values())


def summarise(dataset: Dataset, rulebook: Rulebook | None = None) -> DemoSummary:
    """Count a dataset's supply, occupancy and waiting list.

    Parameters
    ----------
    dataset
        Any dataset (the demo one or an import).
    rulebook
        The rulebook for complexity classes and gaps; the national one when ``None``.

    Returns
    -------
    DemoSummary
        Every placement type and profile class appears, with zero where there is none.
    """
    book = rulebook or bundled_rulebook()
    ptype = {f.id: f.placement_type for f in dataset.facilities}
    facilities = Counter(f.placement_type for f in dataset.facilities)
    beds: Counter[PlacementType] = Counter()
    for f in dataset.facilities:
        beds[f.placement_type] += f.beds
    occupied: Counter[PlacementType] = Counter()
    for p in dataset.placements:
        if p.active_on(local_date(dataset.as_of)):
            occupied[ptype[p.facility_id]] += p.beds
    waiting = [c for c in dataset.cases if c.status is CaseStatus.WAITING]
    return DemoSummary(
        facilities_by_type=_all_keys(facilities, PlacementType),
        beds_by_type=_all_keys(beds, PlacementType),
        occupied_by_type=_all_keys(occupied, PlacementType),
        waiting_by_class=_all_keys(Counter(profile_class(c) for c in waiting), ProfileClass),
        waiting_by_complexity=_complexity_counts(book, waiting, local_date(dataset.as_of)),
        capacity_gaps=_capacity_gaps(book, waiting, dataset),
        providers=len(dataset.providers),
        funding_streams=len(dataset.funding_streams),
        placed_cases=sum(1 for c in dataset.cases if c.status is CaseStatus.PLACED),
        waiting_cases=len(waiting),
    )


def _complexity_counts(book: Rulebook, cases: list[Case], today: date) -> Mapping[str, int]:
    """Cases per complexity class, in the rulebook's order of classes."""
    counts = Counter(book.priority(c, today).complexity_class for c in cases)
    return MappingProxyType(
        {k.name: counts[k.name] for k in book.rules.priority.complexity.classes}
    )


def _capacity_gaps(book: Rulebook, cases: list[Case], dataset: Dataset) -> tuple[str, ...]:
    """Ids of the cases no facility of the dataset is eligible for."""
    streams = {s.id: s for s in dataset.funding_streams}
    return tuple(
        c.id
        for c in cases
        if not any(
            book.evaluate(c, f, streams.get(f.funding_stream_id)).eligible
            for f in dataset.facilities
        )
    )


def _all_keys(counts: Mapping[K, int], keys: Iterable[K]) -> Mapping[K, int]:
    return MappingProxyType({k: counts.get(k, 0) for k in keys})
