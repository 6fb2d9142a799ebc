"""The state of one simulated run: beds, stays, budgets, the waiting list and its options.

Eligibility is evaluated once per case, when it arrives (facility attributes do not change
during a run), and kept as arrays; rounds only look at free beds, budgets and waiting days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from capacity import Case, PlacementType, Rulebook
from scenarios.supply import Supply

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Options:
    """The facilities a case is eligible for, in facility-index (id) order.

    Parameters
    ----------
    facility
        Facility indices.
    penalty
        Per facility, unmet soft needs plus the distance and preferred-region penalty,
        in waiting days (what the optimiser adds to the objective; FIFO's tie-break).
    """

    facility: IntArray
    penalty: FloatArray

    @property
    def empty(self) -> bool:
        return self.facility.size == 0


@dataclass(slots=True)
class CaseRecord:
    """A case in the run.

    Parameters
    ----------
    index
        Position in the run's case list (arrival order).
    case
        Its intake profile.
    arrival
        Arrival time in days (negative: already waiting at the start).
    demand_class
        Demand class name (``initial`` for the dataset's waiting list).
    complexity
        Complexity class under the national rulebook.
    weight
        Static priority weight under the run's rulebook (class weight x urgency).
    stays
        Its actual stay at each placement type it may use, in days.
    expected
        The planner's expected stay at each of those types, in days.
    """

    index: int
    case: Case
    arrival: float
    demand_class: str
    complexity: str
    weight: float
    stays: Mapping[PlacementType, float]
    expected: Mapping[PlacementType, float]
    options: Options | None = None
    option_stays: FloatArray | None = None
    option_actual_stays: FloatArray | None = None


@dataclass(frozen=True, slots=True)
class ActiveStay:
    """A placement under way: beds held at a facility from ``start`` until ``end``."""

    facility: int
    beds: int
    start: float
    expected_end: float
    end: float


@dataclass(slots=True)
class SimState:
    """Mutable state of one replication (owned by its :class:`scenarios.engine.Simulation`)."""

    supply: Supply
    rulebook: Rulebook
    capacity: IntArray
    occupied: IntArray
    per_year: FloatArray
    committed: FloatArray
    budget_year: int
    cost_per_bed_day: FloatArray = field(init=False)
    stream_of: IntArray = field(init=False)
    type_of: tuple[PlacementType, ...] = field(init=False)
    region_of: tuple[str, ...] = field(init=False)
    waiting: dict[int, CaseRecord] = field(default_factory=dict)
    stays: dict[int, ActiveStay] = field(default_factory=dict)
    option_cache: dict[tuple[object, ...], Options] = field(default_factory=dict)
    next_year_at: float = field(init=False)

    def __post_init__(self) -> None:
        facs = self.supply.facilities
        stream_at = {s.id: i for i, s in enumerate(self.supply.streams)}
        self.cost_per_bed_day = np.array([f.cost_per_bed_day for f in facs], dtype=np.float64)
        self.stream_of = np.array([stream_at[f.funding_stream_id] for f in facs], dtype=np.int64)
        self.type_of = tuple(f.placement_type for f in facs)
        self.region_of = tuple(f.region_id for f in facs)
        start = self.supply.start_date
        self.next_year_at = float((date(start.year + 1, 1, 1) - start).days)

    # time ----------------------------------------------------------------------------
    def date_of(self, time: float) -> date:
        """Calendar date of a simulation time."""
        return self.supply.start_date + timedelta(days=math.floor(time))

    def roll_budget_year(self, time: float) -> None:
        """On entering a new calendar year, commitments start again from zero."""
        if time < self.next_year_at:
            return
        next_year = date(self.date_of(time).year + 1, 1, 1)
        self.next_year_at = float((next_year - self.supply.start_date).days)
        year = self.date_of(time).year
        if year != self.budget_year:
            self.budget_year = year
            self.committed[:] = 0.0

    # beds and money ------------------------------------------------------------------
    def free_now(self) -> IntArray:
        """Beds free at each facility now (never negative)."""
        free: IntArray = np.maximum(self.capacity - self.occupied, 0)
        return free

    def expected_cost(self, record: CaseRecord, facility: int) -> float:
        """Euros a placement is expected to cost: bed-day cost x beds x expected stay."""
        days = record.expected[self.type_of[facility]]
        return float(self.cost_per_bed_day[facility]) * record.case.beds * days

    def budget_left(self) -> FloatArray:
        """Per stream, euros left this budget year (``inf`` when not capped)."""
        left: FloatArray = np.maximum(self.per_year - self.committed, 0.0)
        return left

    def affordable(self, record: CaseRecord, facility: int, left: FloatArray) -> bool:
        """Whether the placement's expected cost fits in what is left of its stream."""
        s = int(self.stream_of[facility])
        limit = float(left[s])
        return limit == math.inf or self.expected_cost(record, facility) <= limit * (1 + 1e-12)

    # eligibility ---------------------------------------------------------------------
    def options(self, record: CaseRecord) -> Options:
        """The case's eligible facilities (evaluated once, then cached on the record)."""
        if record.options is None:
            key = profile_key(record)
            found = self.option_cache.get(key)
            if found is None:
                found = evaluate_options(self.supply, self.rulebook, record)
                self.option_cache[key] = found
            record.options = found
        return record.options

    def safety_requires_distance(self, record: CaseRecord) -> bool:
        return self.rulebook.safety_requires_distance(record.case)


def initial_state(supply: Supply, rulebook: Rulebook) -> SimState:
    """Beds, occupancy and budgets at the start of a run."""
    per_year = np.array(
        [np.inf if s.budget_per_period is None else s.budget_per_period for s in supply.streams]
    )
    state = SimState(
        supply=supply,
        rulebook=rulebook,
        capacity=np.array(supply.initial_beds, dtype=np.int64),
        occupied=np.zeros(len(supply.facilities), dtype=np.int64),
        per_year=per_year.astype(np.float64),
        committed=np.zeros(len(supply.streams), dtype=np.float64),
        budget_year=supply.start_date.year,
    )
    for stay in supply.initial_stays:
        state.occupied[stay.facility] += stay.beds
        if state.date_of(stay.start).year == supply.start_date.year:
            cost = state.cost_per_bed_day[stay.facility] * stay.beds * (stay.end - stay.start)
            state.committed[state.stream_of[stay.facility]] += cost
    return state


def profile_key(record: CaseRecord) -> tuple[object, ...]:
    """What eligibility depends on: the intake profile (not id or dates) and the usable types."""
    c = record.case
    return (
        c.age,
        c.gender,
        c.residence_status,
        c.exploitation_type,
        c.region_signalled,
        c.region_of_exploitation,
        c.accompanying_children,
        c.needs,
        c.safety_risk,
        c.interpreter_language,
        c.preferred_regions,
        c.unaccompanied,
        tuple(sorted(record.stays)),
    )


def evaluate_options(supply: Supply, rulebook: Rulebook, record: CaseRecord) -> Options:
    """Apply the rulebook to the case and every facility of a type its class may use.

    Parameters
    ----------
    supply
        The run's supply (facility attributes; ``beds`` is the most it ever has).
    rulebook
        The run's rulebook.
    record
        The case; only placement types in ``record.stays`` are considered.

    Returns
    -------
    Options
    """
    case = record.case
    streams = {s.id: s for s in supply.streams}
    cats = rulebook.categories(case)  # once: every pair below needs them (as build_problem)
    by_type = rulebook.eligible_types(case, genders=False, categories=cats)  # facilities decide
    open_types = {t for t, v in by_type.items() if v.eligible and t in record.stays}
    facs: list[int] = []
    penalties: list[float] = []
    for i, fac in enumerate(supply.facilities):
        if fac.placement_type not in open_types:
            continue
        verdict = rulebook.evaluate(case, fac, streams.get(fac.funding_stream_id), categories=cats)
        if verdict.eligible:
            facs.append(i)
            penalties.append(verdict.soft_penalty_days + rulebook.penalty_days(case, fac))
    return Options(np.array(facs, dtype=np.int64), np.array(penalties, dtype=np.float64))
