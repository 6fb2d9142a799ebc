"""A feasible offline plan from the LP of the restricted model.

The time-indexed LP is nearly integral; this rounds it: start variables in decreasing LP
value (ties: earlier start) are taken while the case is unplaced and beds and budgets
allow; then every case still unplaced, highest weight first, takes its earliest start that
still fits. The result is a plan of the restricted model: the MIP's starting point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    matrix, limits = budget_matrix(cols, state, horizon)
    plan = _Plan(avail.astype(np.int64).copy(), matrix, limits, horizon)
    used = np.flatnonzero(values > 1e-6)
    for j in used[np.lexsort((cols.start[used], -values[used]))].tolist():
        plan.take(cols, j)
    placed = np.fromiter(plan.placed, dtype=np.int64, count=len(plan.placed))
    rest = np.flatnonzero(~np.isin(cols.case, placed))
    for j in rest[np.lexsort((cols.start[rest], -weights[cols.case[rest]]))].tolist():
        plan.take(cols, j)
    return np.array(sorted(plan.chosen), dtype=np.int64)


def budget_matrix(
    cols: Columns, state: SimState, horizon: int
) -> tuple[sparse.csc_matrix, FloatArray]:
    """The restricted model's budget rows as a (rows x variables) matrix, and their limits."""
    members, limits = budget_rows(state, cols, horizon, relaxed=False)
    empty = np.zeros(0, dtype=np.int64)
    rows = np.concatenate([np.full(m.size, k) for k, m in enumerate(members)]) if members else empty
    columns = np.concatenate(members) if members else empty
    costs = cols.cost[columns] if members else np.zeros(0)
    matrix = sparse.csc_matrix((costs, (rows, columns)), shape=(len(members), cols.n))
    return matrix, np.array(limits, dtype=np.float64)


@dataclass
class _Plan:
    """A plan being built: beds and budget left, cases placed, variables chosen."""

    residual: IntArray
    budget: sparse.csc_matrix
    left: FloatArray
    horizon: int
    placed: set[int] = field(default_factory=set)
    chosen: list[int] = field(default_factory=list)

    def take(self, cols: Columns, j: int) -> bool:
        """Add start variable ``j`` if its case is unplaced and beds and budgets allow."""
        case, f, s = int(cols.case[j]), int(cols.facility[j]), int(cols.start[j])
        if case in self.placed:
            return False
        end = min(s + int(cols.length[j]), self.horizon)
        beds = int(cols.beds[j])
        if self.residual[f, s:end].min() < beds:
            return False
        lo, hi = self.budget.indptr[j], self.budget.indptr[j + 1]
        rows, costs = self.budget.indices[lo:hi], self.budget.data[lo:hi]
        if (self.left[rows] < costs * (1 - 1e-12)).any():
            return False
        self.residual[f, s:end] -= beds
        self.left[rows] -= costs
        self.placed.add(case)
        self.chosen.append(j)
        return True
