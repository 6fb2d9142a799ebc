"""Shadow prices: what one more bed is worth, for policymakers.

From the LP relaxation of the time-indexed model: one more bed at a facility for the whole
horizon is worth the drop in the LP optimum (weighted waiting days) when its capacity rows
get one more bed. The rows' duals say which facilities can be worth anything; those are
re-solved. A bed added to a placement type in a region goes to its most valuable facility
there.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from matching.build import BuiltProblem
from matching.formulation import build_formulation
from matching.mip import load_model, new_highs
from matching.problem import MatchingProblem


@dataclass(frozen=True, slots=True)
class BedValue:
    """The value of one more bed of a placement type in a region."""

    placement_type: str
    region_id: str
    facility_id: str  # where in that group the bed is worth most
    value: float  # weighted waiting days saved over the horizon (LP estimate)


def facility_bed_values(
    problem: MatchingProblem, *, time_limit: float = 30.0
) -> npt.NDArray[np.float64]:
    """Per facility, the LP value of one more bed over the whole horizon (>= 0).

    The duals of a facility's capacity rows bound the value from above (a degenerate LP
    has many duals, and the one a solver returns may be the value of the *last* bed
    rather than of the *next* one), so each facility with a non-zero dual is re-solved
    with one more bed, warm-started, and the exact LP difference is reported.

    Raises
    ------
    RuntimeError
        When an LP is not solved to optimality in ``time_limit`` seconds.
    """
    form = build_formulation(problem)
    values = np.zeros(problem.n_facilities)
    rows, cols, _, rhs = form.capacity_rows()
    if rhs.size == 0:
        return values
    h = new_highs(seed=0, threads=1, time_limit=time_limit, relative_gap=0.0)
    load_model(h, form, integer=False)
    base = _run(h)
    duals = np.asarray(h.getSolution().row_dual)
    first = problem.n_cases  # load_model adds the case rows first, then the capacity rows
    row_facility = np.zeros(rhs.size, dtype=np.int64)
    row_facility[rows] = form.var_facility[cols]
    upper = np.zeros(problem.n_facilities)
    np.add.at(upper, row_facility, -duals[first : first + rhs.size])
    for f in np.flatnonzero(upper > 1e-9).tolist():
        own = np.flatnonzero(row_facility == f).astype(np.int32) + first
        lower = np.full(own.size, -highspy.kHighsInf)
        h.changeRowsBounds(own.size, own, lower, rhs[own - first] + 1.0)  # type: ignore[attr-defined]
        values[f] = max(0.0, base - _run(h))
        h.changeRowsBounds(own.size, own, lower, rhs[own - first])  # type: ignore[attr-defined]
    return values


def _run(h: highspy.Highs) -> float:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"LP relaxation not solved: {h.modelStatusToString(h.getModelStatus())}")
    return float(h.getInfo().objective_function_value)


def bed_values(built: BuiltProblem, *, time_limit: float = 30.0) -> list[BedValue]:
    """One more bed per placement type x region, most valuable first (groups worth 0 left out)."""
    values = facility_bed_values(built.problem, time_limit=time_limit)
    best: dict[tuple[str, str], BedValue] = {}
    for fac, value in zip(built.snapshot.facilities, values.tolist(), strict=True):
        key = (fac.placement_type.value, fac.region_id)
        if value > 1e-9 and (key not in best or value > best[key].value):
            best[key] = BedValue(key[0], key[1], fac.id, value)
    return sorted(best.values(), key=lambda b: (-b.value, b.placement_type, b.region_id))
