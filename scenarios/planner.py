"""Capacity planning (issue 15): where a number of beds, or a budget, does most good.

The planner works on one matching round (a :class:`matching.BuiltProblem`) and the LP
values of one more bed (:func:`matching.bed_values`). It adds beds in batches: each time
it takes the candidate group (placement type x region) whose next bed is worth most (with
a budget: most per euro, among those still affordable), adds ``batch`` beds at that
group's most valuable facility, re-solves the LP values with those beds in, and goes on
until the beds or the money run out or no candidate is worth anything. Re-solving after
each batch is what makes it a plan rather than a ranking: the values change as beds are
added (mostly they fall, but not always: a stay takes whole beds, so where the waiting case
needs two beds the first bed is worth nothing and the second places it), and a group that
was second may become first.

Costs (``docs/scenarios.md``, *Capacity planning*): a bed costs its facility's
``cost_per_bed_day`` on every day of a year, occupied or not (providers are paid for
capacity, as in ``national-demo-budget.yaml``), so a bed-year is 365 x the cost per
bed-day. The money that buys a bed pays for its placements too: the bed's funding stream
gets the bed's cost over the round's horizon added to its budget (otherwise a bed of a
stream whose budget binds would be worth nothing however short of beds the group is).

How good is it? Against brute force over every allocation of k beds on small supplies,
evaluated exactly with :func:`matching.solve` (``tests/scenarios/test_planner.py``): see
``docs/scenarios.md``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from capacity import CATALOGUE, PlacementType, region
from capacity.regions import region_ids
from matching import BedValue, BuiltProblem, SolveParams, bed_values, solve
from scenarios.errors import InvalidPlanError

DAYS_PER_YEAR = 365  # days a bed is paid for in a year
DEFAULT_PLAN_SECONDS = 60.0  # wall-clock seconds for all the LPs of one plan
MAX_PLAN_BEDS = 500  # beds one plan may add, whatever the budget
EXACT_SOLVE_SECONDS = 20.0  # the most one exact solve of the "exact" method may take
MIN_VALUE = 1e-6
STOPPED = {  # why a plan ended, in words (BedPlan.stopped)
    "beds": "all beds placed",
    "budget": "no candidate bed affordable with what is left",
    "no value": "no candidate bed shortens waiting any further",
    "time": "the time for planning ran out; the rest was not planned",
    "limit": "the most beds one plan may add",
}  # weighted waiting days: below this a bed is worth nothing


PlanMethod = Literal["lp", "exact"]


@dataclass(frozen=True, slots=True)
class Addition:
    """Beds the plan adds at one facility.

    Parameters
    ----------
    placement_type, region_id, facility_id
        Where.
    beds
        How many.
    cost_per_year
        Euros a year for these beds (365 x cost per bed-day x beds).
    value
        The LP values of the beds when each batch was chosen, summed: priority-weighted
        waiting days saved over the round's horizon (an estimate; it counts each batch at
        the value of its first bed).
    """

    placement_type: str
    region_id: str
    facility_id: str
    beds: int
    cost_per_year: float
    value: float


@dataclass(frozen=True, slots=True)
class Step:
    """One batch: ``beds`` more at ``facility_id``, its next bed worth ``value`` then."""

    facility_id: str
    beds: int
    value: float


@dataclass(frozen=True, slots=True)
class BedPlan:
    """The beds a plan adds, and how it got there.

    Parameters
    ----------
    additions
        Per facility, sorted by placement type, region and facility.
    steps
        The batches in the order they were chosen.
    beds_asked, budget
        What was asked: a number of beds, or euros a year (the other is ``None``).
    seconds
        Wall-clock seconds of the planning.
    stopped
        Why the plan ended: ``"beds"`` (all added), ``"budget"`` (no candidate affordable
        with what is left), ``"no value"`` (no candidate bed shortens waiting), ``"time"``
        (the time limit; the rest was not planned), ``"limit"`` (:data:`MAX_PLAN_BEDS`).
    complete
        Every LP valued every facility; ``False`` when some values were cut short by the
        time limit (the choices then rank only the facilities valued).
    """

    additions: tuple[Addition, ...]
    steps: tuple[Step, ...]
    beds_asked: int | None
    budget: float | None
    seconds: float
    stopped: str
    complete: bool = True

    @property
    def beds(self) -> int:
        """Beds added in all."""
        return sum(a.beds for a in self.additions)

    @property
    def cost_per_year(self) -> float:
        """Euros a year for the beds added."""
        return sum(a.cost_per_year for a in self.additions)

    @property
    def extra_beds(self) -> dict[str, int]:
        """Beds added per facility id."""
        return {a.facility_id: a.beds for a in self.additions}


@dataclass(frozen=True, slots=True)
class Candidates:
    """The placement types and regions a plan may add beds to (empty: every one)."""

    types: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def admit(self, value: BedValue) -> bool:
        return (not self.types or value.placement_type in self.types) and (
            not self.regions or value.region_id in self.regions
        )


def candidates(types: Collection[str] = (), regions: Collection[str] = ()) -> Candidates:
    """The candidates, checked.

    Raises
    ------
    InvalidPlanError
        An unknown placement type or region.
    """
    known_types = {t.value for t in PlacementType}
    for t in types:
        if t not in known_types:
            raise InvalidPlanError("types", f"unknown placement type {t!r}")
    known_regions = region_ids()
    for r in regions:
        if r not in known_regions:
            raise InvalidPlanError("regions", f"unknown region {r!r}")
    return Candidates(frozenset(types), frozenset(regions))


def with_beds(built: BuiltProblem, extra: Mapping[str, int]) -> BuiltProblem:
    """The round with ``extra`` beds per facility id on every day of the horizon, and
    each bed's cost over the horizon added to its funding stream's budget (if capped).

    Raises
    ------
    InvalidPlanError
        A facility not in the round, or a negative number of beds.
    """
    problem = built.problem
    free = problem.free_beds.copy()
    budget = problem.budget.copy()
    streams = {s: i for i, s in enumerate(problem.stream_ids)}
    index = problem.facility_index()
    for fid, n in extra.items():
        if n < 0:
            raise InvalidPlanError("beds", f"cannot add {n} beds to {fid}")
        if fid not in index:
            raise InvalidPlanError("facility", f"{fid!r} is not in the round")
        free[index[fid]] += n
        fac = built.facility(fid)
        s = streams.get(fac.funding_stream_id)
        if s is not None and math.isfinite(budget[s]):
            budget[s] += n * fac.cost_per_bed_day * problem.horizon_days
    return replace(built, problem=replace(problem, free_beds=free, budget=budget))


def bed_year_cost(built: BuiltProblem, facility_id: str) -> float:
    """Euros a year for one more bed at the facility (its cost per bed-day, every day)."""
    return DAYS_PER_YEAR * built.facility(facility_id).cost_per_bed_day


def plan_beds(
    built: BuiltProblem,
    *,
    beds: int | None = None,
    budget: float | None = None,
    allowed: Candidates | None = None,
    batch: int = 1,
    method: PlanMethod = "lp",
    time_limit: float = DEFAULT_PLAN_SECONDS,
) -> BedPlan:
    """Choose where to add ``beds`` beds, or beds for ``budget`` euros a year.

    Parameters
    ----------
    built
        The round to plan for.
    beds, budget
        Exactly one: beds to add, or euros a year to spend on beds.
    allowed
        The candidate placement types and regions (default: all).
    batch
        Beds added per LP re-solve (1: re-solve after every bed, the most careful).
    method
        ``"lp"``: value the next beds by the LP relaxation (:func:`matching.bed_values`;
        seconds per batch on the national demo). ``"exact"``: by solving the round with
        ``batch`` more beds at each candidate facility (:func:`matching.solve`; one solve
        per candidate per batch, for small supplies).
    time_limit
        Wall-clock seconds for all the LPs; when they run out the rest is not planned
        (:attr:`BedPlan.stopped` is ``"time"``).

    Returns
    -------
    BedPlan

    Raises
    ------
    InvalidPlanError
        Neither or both of ``beds`` and ``budget``, or a value out of range.
    MatchingError
        When an LP fails other than by running out of time.
    """
    check_request(beds=beds, budget=budget, batch=batch, time_limit=time_limit)
    allowed = allowed or Candidates()
    value_of = _lp_values if method == "lp" else _exact_values
    start = time.perf_counter()
    deadline = start + time_limit
    extra: dict[str, int] = {}
    steps: list[Step] = []
    left_beds = MAX_PLAN_BEDS if beds is None else beds
    left_money = math.inf if budget is None else budget
    stopped = "beds"
    partial = False
    while True:
        if left_beds <= 0:
            stopped = "beds" if beds is not None else "limit"
            break
        n = min(batch, left_beds)
        found = value_of(with_beds(built, extra), allowed, n, deadline)
        if found is None:
            stopped = "time"
            break
        values, cut_short = found
        pick = _best(built, values, allowed, left_money)
        partial = partial or cut_short
        if pick is None:
            stopped = "budget" if _any_value(values, allowed) else "no value"
            break
        cost = bed_year_cost(built, pick.facility_id)
        if cost > 0 and math.isfinite(left_money):
            n = min(n, int(left_money // cost))
        extra[pick.facility_id] = extra.get(pick.facility_id, 0) + n
        steps.append(Step(pick.facility_id, n, pick.value))
        left_beds -= n
        left_money -= n * cost
    return BedPlan(
        additions=_additions(built, steps),
        steps=tuple(steps),
        beds_asked=beds,
        budget=budget,
        seconds=time.perf_counter() - start,
        stopped=stopped,
        complete=not partial,
    )


def _lp_values(
    built: BuiltProblem, allowed: Candidates, n: int, deadline: float
) -> tuple[list[BedValue], bool] | None:
    """The LP value of one more bed per group (the batch of ``n`` is valued at its first
    bed); ``None`` when the time is up before any value."""
    del allowed, n
    seconds = deadline - time.perf_counter()
    if seconds <= 0:
        return None
    values = bed_values(built, time_limit=seconds)
    if not values.values and values.skipped:
        return None
    return list(values), bool(values.skipped)


def _exact_values(
    built: BuiltProblem, allowed: Candidates, n: int, deadline: float
) -> tuple[list[BedValue], bool] | None:
    """Per allowed facility, the optimum's drop with ``n`` more beds there, per bed;
    ``None`` when the time is up before the first candidate is solved."""
    base = _optimum(built, deadline)
    if base is None:
        return None
    out: list[BedValue] = []
    for fac in built.snapshot.facilities:
        value = BedValue(fac.placement_type.value, fac.region_id, fac.id, 0.0)
        if not allowed.admit(value):
            continue
        more = _optimum(with_beds(built, {fac.id: n}), deadline)
        if more is None:
            return (out, True) if out else None
        out.append(replace(value, value=max(0.0, base - more) / n))
    return out, False


def _optimum(built: BuiltProblem, deadline: float) -> float | None:
    """The round's optimum (matching.solve; its best plan when the time runs short)."""
    seconds = min(EXACT_SOLVE_SECONDS, deadline - time.perf_counter())
    if seconds <= 0:
        return None
    return solve(built.problem, SolveParams(time_limit=seconds, threads=1)).objective


def check_request(
    *, beds: int | None, budget: float | None, batch: int = 1, time_limit: float = 1.0
) -> None:
    """Refuse a plan request that :func:`plan_beds` cannot carry out.

    Raises
    ------
    InvalidPlanError
        Naming the field and the reason.
    """
    if (beds is None) == (budget is None):
        raise InvalidPlanError("beds", "give either a number of beds or a budget, not both")
    if beds is not None and not 1 <= beds <= MAX_PLAN_BEDS:
        raise InvalidPlanError("beds", f"must be from 1 to {MAX_PLAN_BEDS}")
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise InvalidPlanError("budget", "must be a positive number of euros a year")
    if batch < 1:
        raise InvalidPlanError("batch", "must be at least 1")
    if not time_limit > 0:
        raise InvalidPlanError("time_limit", "must be more than 0 seconds")


def _best(
    built: BuiltProblem, values: Collection[BedValue], allowed: Candidates, money: float
) -> BedValue | None:
    """The candidate worth most (per euro when money is limited) that is still affordable."""
    best: tuple[float, BedValue] | None = None
    for v in values:
        if v.value < MIN_VALUE or not allowed.admit(v):
            continue
        cost = bed_year_cost(built, v.facility_id)
        if cost > money:
            continue
        score = v.value if math.isinf(money) else v.value / max(cost, 1e-9)
        if best is None or score > best[0]:
            best = (score, v)
    return None if best is None else best[1]


def _any_value(values: Collection[BedValue], allowed: Candidates) -> bool:
    return any(v.value >= MIN_VALUE and allowed.admit(v) for v in values)


def _additions(built: BuiltProblem, steps: list[Step]) -> tuple[Addition, ...]:
    beds: dict[str, int] = {}
    value: dict[str, float] = {}
    for s in steps:
        beds[s.facility_id] = beds.get(s.facility_id, 0) + s.beds
        value[s.facility_id] = value.get(s.facility_id, 0.0) + s.beds * s.value
    out = []
    for fid, n in beds.items():
        if n == 0:
            continue
        fac = built.facility(fid)
        out.append(
            Addition(
                placement_type=fac.placement_type.value,
                region_id=fac.region_id,
                facility_id=fid,
                beds=n,
                cost_per_year=round(n * bed_year_cost(built, fid), 2),
                value=value[fid],
            )
        )
    return tuple(sorted(out, key=lambda a: (a.placement_type, a.region_id, a.facility_id)))


def describe(addition: Addition) -> str:
    """``3 beds, Women's shelter, Amsterdam (ws-amsterdam)``: for notes and logs."""
    kind = CATALOGUE[PlacementType(addition.placement_type)].name
    where = region(addition.region_id).name
    return (
        f"{addition.beds} bed{'s' * (addition.beds != 1)}, {kind}, {where} ({addition.facility_id})"
    )
