"""A feasible offline plan from the LP of the restricted model.

The time-indexed LP is nearly integral; this rounds it: start variables in decreasing LP
value (ties: earlier start) are taken while the case is unplaced and beds and budgets
allow; then every case still unplaced, highest weight first, takes its earliest start that
still fits. The result is a plan of the restricted model: the MIP's starting point.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from scenarios.policies.offline import Columns, budget_rows
from scenarios.state import FloatArray, IntArray, SimState


def round_plan(
    cols: Columns,
    state: SimState,
    avail: IntArray,
    horizon: int,
    values: FloatArray,
    weights: FloatArray,
) -> IntArray:
    """Indices of the start variables of a feasible plan.

    Parameters
    ----------
    cols
        The restricted model's start variables.
    state
        The state at the start of the run (streams, budgets).
    avail
        Beds per facility per day left by the stays under way and the changes.
    horizon
        Days of the run.
    values
        The LP value of each start variable.
    weights
        Per case index of the run, its weight.
    """
    residual = avail.astype(np.int64).copy()
    members, limits = budget_rows(state, cols, horizon, relaxed=False)
    data = [cols.cost[m] for m in members]
    matrix = sparse.csc_matrix(
        (
            np.concatenate(data) if data else np.zeros(0),
            (
                np.concatenate([np.full(m.size, k) for k, m in enumerate(members)])
                if members
                else np.zeros(0, dtype=np.int64),
                np.concatenate(members) if members else np.zeros(0, dtype=np.int64),
            ),
        ),
        shape=(len(members), cols.n),
    )
    left = np.array(limits, dtype=np.float64)
    placed: set[int] = set()
    chosen: list[int] = []

    def take(j: int) -> bool:
        case, f, s = int(cols.case[j]), int(cols.facility[j]), int(cols.start[j])
        if case in placed:
            return False
        end = min(s + int(cols.length[j]), horizon)
        beds = int(cols.beds[j])
        if residual[f, s:end].min() < beds:
            return False
        lo, hi = matrix.indptr[j], matrix.indptr[j + 1]
        rows, costs = matrix.indices[lo:hi], matrix.data[lo:hi]
        if (left[rows] < costs * (1 - 1e-12)).any():
            return False
        residual[f, s:end] -= beds
        left[rows] -= costs
        placed.add(case)
        chosen.append(j)
        return True

    used = np.flatnonzero(values > 1e-6)
    for j in used[np.lexsort((cols.start[used], -values[used]))].tolist():
        take(j)
    rest = np.flatnonzero(
        ~np.isin(cols.case, np.fromiter(placed, dtype=np.int64, count=len(placed)))
    )
    for j in rest[np.lexsort((cols.start[rest], -weights[cols.case[rest]]))].tolist():
        take(j)
    return np.array(sorted(chosen), dtype=np.int64)
