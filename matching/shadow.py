"""Shadow prices: what one more bed is worth, for policymakers.

From the LP relaxation of the time-indexed model: the dual value of a facility's capacity
rows is the change in the objective (weighted waiting days) per extra bed on those days.
One more bed for the whole horizon is worth minus the sum of its rows' duals. A bed added
to a placement type in a region goes to its most valuable facility there.
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

    Raises
    ------
    RuntimeError
        When the LP relaxation is not solved to optimality in ``time_limit`` seconds.
    """
    form = build_formulation(problem)
    values = np.zeros(problem.n_facilities)
    rows, cols, _, rhs = form.capacity_rows()
    if rhs.size == 0:
        return values
    h = new_highs(seed=0, threads=1, time_limit=time_limit, relative_gap=0.0)
    load_model(h, form, integer=False)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"LP relaxation not solved: {h.modelStatusToString(h.getModelStatus())}")
    duals = np.asarray(h.getSolution().row_dual)
    first_capacity_row = problem.n_cases  # load_model adds case rows first, then capacity rows
    row_facility = np.zeros(rhs.size, dtype=np.int64)
    row_facility[rows] = form.var_facility[cols]
    np.add.at(values, row_facility, -duals[first_capacity_row : first_capacity_row + rhs.size])
    return np.maximum(values, 0.0)


def bed_values(built: BuiltProblem, *, time_limit: float = 30.0) -> list[BedValue]:
    """One more bed per placement type x region, most valuable first (groups worth 0 left out)."""
    values = facility_bed_values(built.problem, time_limit=time_limit)
    best: dict[tuple[str, str], BedValue] = {}
    for fac, value in zip(built.snapshot.facilities, values.tolist(), strict=True):
        key = (fac.placement_type.value, fac.region_id)
        if value > 1e-9 and (key not in best or value > best[key].value):
            best[key] = BedValue(key[0], key[1], fac.id, value)
    return sorted(best.values(), key=lambda b: (-b.value, b.placement_type, b.region_id))
