"""Shadow prices: what one more bed is worth, for policymakers.

From the LP relaxation of the time-indexed model: one more bed at a facility for the whole
horizon is worth the drop in the LP optimum (weighted waiting days) with that bed. Every
facility a waiting case could be placed at with the bed is re-solved, most promising first,
until a wall-clock deadline: the duals alone cannot say which are worth nothing (a facility
full all horizon has no placement, no capacity row and no dual in the model without the
bed). A bed added to a placement type in a region goes to its most valuable facility there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import overload

import highspy
import numpy as np
import numpy.typing as npt

from matching.build import BuiltProblem
from matching.errors import MatchingError
from matching.formulation import build_formulation, window_min
from matching.mip import highs_scope, load_model, new_highs, run_guarded
from matching.problem import MatchingProblem

DEFAULT_TIME_LIMIT = 30.0  # wall-clock seconds for all the LPs of one call


@dataclass(frozen=True, slots=True)
class BedValue:
    """The value of one more bed of a placement type in a region."""

    placement_type: str
    region_id: str
    facility_id: str  # where in that group the bed is worth most
    value: float  # weighted waiting days saved over the horizon (LP estimate)


@dataclass(frozen=True)
class BedValues(Sequence[BedValue]):
    """The bed values, most valuable first, and the facilities not valued in time.

    A sequence of :class:`BedValue`. ``skipped`` names the facilities whose value was not
    computed before the deadline (their groups may be worth more than listed, or be
    missing); empty when every value was computed.
    """

    values: tuple[BedValue, ...]
    skipped: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every facility was valued before the deadline."""
        return not self.skipped

    def __len__(self) -> int:
        return len(self.values)

    def __iter__(self) -> Iterator[BedValue]:
        return iter(self.values)

    @overload
    def __getitem__(self, index: int) -> BedValue: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[BedValue, ...]: ...

    def __getitem__(self, index: int | slice) -> BedValue | tuple[BedValue, ...]:
        return self.values[index]


@highs_scope()
def facility_bed_values(
    problem: MatchingProblem, *, time_limit: float = DEFAULT_TIME_LIMIT
) -> npt.NDArray[np.float64]:
    """Per facility, the LP value of one more bed over the whole horizon (>= 0).

    Every facility with a waiting case that one more bed there could place is re-solved
    with that bed, warm-started, and the exact LP difference is reported. The duals of the
    base LP are not trusted to rule a facility out: a facility full for the whole horizon
    (or on the days a stay would need) has no placement in the base model at all, so no
    capacity row and no dual, yet one more bed there may place someone (issue 15 defect).
    The model is therefore built once with one more bed everywhere, and the placements
    that only fit with that bed are held at 0 except at the facility being valued. The
    re-solves run in order of a cheap estimate (capacity duals, or the best reduced cost
    of a placement the bed would open), highest first, each with the time left.

    Parameters
    ----------
    problem
        The matching problem.
    time_limit
        Wall-clock seconds for the whole call (model building included).

    Returns
    -------
    numpy.ndarray
        The value per facility; ``nan`` for a facility whose re-solve did not finish
        before the time was up (every facility when even the first LP did not).

    Raises
    ------
    MatchingError
        When an LP ends other than optimal or out of time (it never should: the LP
        relaxation is always feasible and bounded).
    """
    deadline = time.perf_counter() + time_limit
    values = np.zeros(problem.n_facilities)
    plus = replace(problem, free_beds=problem.free_beds + 1)
    # the placements that fit with one more bed everywhere, on the round's own free beds
    form = replace(build_formulation(plus), problem=problem)
    if form.n_vars == 0:
        return values
    rows, cols, _, rhs = form.capacity_rows()
    p = problem
    end = np.minimum(form.var_day + p.stay_to[form.var_option], p.horizon_days)
    fits = window_min(p.free_beds, form.var_facility, form.var_day, end) >= form.var_beds
    opened = np.flatnonzero(~fits).astype(np.int32)  # placements only one more bed allows
    h = new_highs(seed=0, threads=1, time_limit=time_limit, relative_gap=0.0)
    load_model(h, form, integer=False)
    zeros = np.zeros(opened.size)
    if opened.size:
        h.changeColsBounds(opened.size, opened, zeros, zeros)
    base = _run(h, deadline)
    if base is None:
        values[:] = np.nan
        return values
    base_value, duals = base
    first = problem.n_cases  # load_model adds the case rows first, then the capacity rows
    row_facility = np.zeros(rhs.size, dtype=np.int64)
    row_facility[rows] = form.var_facility[cols]
    estimate = np.zeros(problem.n_facilities)
    np.add.at(estimate, row_facility, -duals[first : first + rhs.size])
    gain = duals[form.var_case] - form.var_saving  # > 0: a placement better than its case's
    best = np.zeros(problem.n_facilities)
    np.maximum.at(best, form.var_facility, gain)
    estimate = np.maximum(estimate, best)
    candidates = np.unique(form.var_facility)  # facilities with a waiting case to take
    order = candidates[np.argsort(-estimate[candidates], kind="stable")].tolist()
    opened_facility = form.var_facility[opened]
    for i, f in enumerate(order):
        own = np.flatnonzero(row_facility == f).astype(np.int32) + first
        lower = np.full(own.size, -highspy.kHighsInf)
        new = opened[opened_facility == f]
        h.changeRowsBounds(own.size, own, lower, rhs[own - first] + 1.0)  # type: ignore[attr-defined]
        if new.size:
            h.changeColsBounds(new.size, new, np.zeros(new.size), np.ones(new.size))
        more = _run(h, deadline)
        if more is None:
            values[order[i:]] = np.nan
            break
        values[f] = max(0.0, base_value - more[0])
        h.changeRowsBounds(own.size, own, lower, rhs[own - first])  # type: ignore[attr-defined]
        if new.size:
            h.changeColsBounds(new.size, new, np.zeros(new.size), np.zeros(new.size))
    return values


def _run(h: highspy.Highs, deadline: float) -> tuple[float, npt.NDArray[np.float64]] | None:
    """The LP optimum and the row duals, or ``None`` when the time ran out first."""
    if deadline - time.perf_counter() <= 0:
        return None
    run = run_guarded(h, deadline, lp=True)
    if run.optimal and run.row_dual is not None and math.isfinite(run.objective):
        return run.objective, run.row_dual
    if time.perf_counter() >= deadline or run.status in _OUT_OF_TIME:
        return None
    raise MatchingError(f"LP relaxation for the bed values not solved: {run.status}")


_OUT_OF_TIME = frozenset({"Time limit reached", "Interrupted by user"})


def bed_values(built: BuiltProblem, *, time_limit: float = DEFAULT_TIME_LIMIT) -> BedValues:
    """One more bed per placement type x region, most valuable first.

    Groups worth 0 are left out; the values are computed within ``time_limit`` wall-clock
    seconds.

    When the time runs out, the values computed so far are returned and the facilities
    not valued are named in :attr:`BedValues.skipped`.

    Raises
    ------
    MatchingError
        When an LP fails other than by running out of time.
    """
    values = facility_bed_values(built.problem, time_limit=time_limit)
    best: dict[tuple[str, str], BedValue] = {}
    skipped = []
    for fac, value in zip(built.snapshot.facilities, values.tolist(), strict=True):
        if math.isnan(value):
            skipped.append(fac.id)
            continue
        key = (fac.placement_type.value, fac.region_id)
        if value > 1e-9 and (key not in best or value > best[key].value):
            best[key] = BedValue(key[0], key[1], fac.id, value)
    ordered = sorted(best.values(), key=lambda b: (-b.value, b.placement_type, b.region_id))
    return BedValues(tuple(ordered), tuple(skipped))
