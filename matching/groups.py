"""Columns grouped by a key (a case, a start slot), for per-group minima in linear time.

Used by column generation's pricing and by the budgets' price estimate
(:mod:`matching.budget_prices`); no solver imported here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Groups:
    """Columns grouped by a key, for per-group minima in linear time.

    The key is each column's case or its start slot.
    """

    def __init__(self, key: npt.NDArray[np.int32], n_groups: int) -> None:
        grouped = key.size == 0 or bool((np.diff(key) >= 0).all())
        self.order = (np.arange(key.size) if grouped else np.argsort(key, kind="stable")).astype(
            np.int64
        )
        bounds = np.searchsorted(key[self.order], np.arange(n_groups + 1))
        self.groups = np.flatnonzero(np.diff(bounds) > 0)  # groups with at least one column
        self.starts = bounds[self.groups]
        self.n_groups = n_groups

    def minimum(self, values: FloatArray) -> FloatArray:
        """Per group, the smallest value of its columns (``inf`` for groups without any)."""
        out: FloatArray = np.full(self.n_groups, np.inf)
        if self.groups.size:
            out[self.groups] = np.minimum.reduceat(values[self.order], self.starts)
        return out

    def argmin(self, values: FloatArray) -> IntArray:
        """Per group with columns, the first column with its smallest value."""
        if self.groups.size == 0:
            return np.zeros(0, dtype=np.int64)
        ordered = values[self.order]
        smallest = np.minimum.reduceat(ordered, self.starts)
        sizes = np.diff(np.append(self.starts, ordered.size))
        hits = np.flatnonzero(ordered == np.repeat(smallest, sizes))
        return self.order[hits[np.searchsorted(hits, self.starts)]]
