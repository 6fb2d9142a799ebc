"""Free beds per facility and day, kept for the two questions a greedy placement asks.

- Does a stay of ``b`` beds fit at facility ``f`` from day ``start`` to ``end``? Each bed
  count a case has keeps its *reach*: the first day from each day on with fewer than that
  many beds free (``formulation.reach_rows``). The stay fits when the reach of its first
  day is at least its end: one look-up per pair.
- From which open day on does an option's stay fit first? From an open day ``d`` the
  longest stay that fits is its reach minus ``d`` (any stay, when the beds last to the
  horizon). Its running maximum over the days grows with the day, so the first day it
  reaches the stay's length is one binary search; every (bed count, facility) row is
  offset into its own band of one sorted array, so a whole case's options are one
  ``np.searchsorted`` (issue 11: the greedy's speed decides the plan at T = 1-2 s on
  6,000 cases, where each case's options on every day took up to 10,800 look-ups).

Taking beds (or giving them back, with a negative count) refreshes the facility's rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.formulation import reach_rows

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class FreeBeds:
    """The free beds left, each bed count's reach and, with ``open_days``, the earliest fits.

    ``counts``: the bed counts that will be asked about (a case's beds). ``open_days``:
    ``[f, d]``, whether a stay may start at ``f`` on day ``d``; needed by
    :meth:`earliest` only.
    """

    def __init__(
        self,
        free: npt.NDArray[np.integer],
        counts: npt.NDArray[np.integer],
        open_days: BoolArray | None = None,
    ) -> None:
        self.free = np.asarray(free, dtype=np.int32).copy()
        self.counts = np.unique(np.asarray(counts, dtype=np.int64))
        n_f, h = self.free.shape
        self.horizon = h
        self.days = np.arange(h, dtype=np.int32)
        self.row_of = {int(b): r for r, b in enumerate(self.counts.tolist())}
        self.reach = reach_rows(self.free, self.counts)
        self.open = open_days
        self.band = h + 2  # a row's values lie in [band x row - 1, band x row + h]
        self.ladder = np.empty(0, dtype=np.int64)
        if open_days is not None:
            rows = np.arange(self.counts.size * n_f, dtype=np.int64).reshape(-1, n_f, 1)
            self.offset = rows * self.band
            self.ladder = self._ladder_rows(self.reach, open_days) + self.offset
        self.flat = self.ladder.reshape(-1)

    def _ladder_rows(self, reach: npt.NDArray[np.integer], open_days: BoolArray) -> IntArray:
        """The running maximum of the longest stay that fits from each open day (-1: none)."""
        h = self.horizon
        longest = np.where(reach >= h, h, reach - self.days).astype(np.int64)
        longest = np.where(open_days, longest, -1)
        rows: IntArray = np.maximum.accumulate(longest, axis=-1)
        return rows

    def reach_of(self, beds: int) -> npt.NDArray[np.int32]:
        """``[f, d]``: the first day from ``d`` on with fewer than ``beds`` free at ``f``."""
        reach: npt.NDArray[np.int32] = self.reach[self.row_of[beds]]
        return reach

    def fits(self, beds: int, f: IntArray, start: IntArray, end: IntArray) -> BoolArray:
        """Whether ``beds`` are free at ``f`` on every day ``start .. end - 1``, per entry."""
        fit: BoolArray = self.reach_of(beds)[f, start] >= end
        return fit

    def earliest(
        self, beds: npt.NDArray[np.integer] | int, f: IntArray, stay: npt.NDArray[np.integer]
    ) -> IntArray:
        """Per entry, the first open day from which ``stay`` days of ``beds`` fit at ``f``.

        The horizon when there is none. A stay past the horizon needs the beds up to it.
        """
        if self.open is None:
            raise ValueError("earliest needs the open days")
        row = np.searchsorted(self.counts, beds) * self.free.shape[0] + f
        at = np.searchsorted(self.flat, row * self.band + np.minimum(stay, self.horizon))
        day: IntArray = at - row * self.horizon
        return day

    def take(self, f: int, start: int, end: int, beds: int) -> None:
        """Take ``beds`` at ``f`` on days ``start .. end - 1`` (negative: give them back)."""
        self.free[f, start:end] -= beds
        reach = reach_rows(self.free[f], self.counts)
        self.reach[:, f, :] = reach
        if self.open is not None:
            self.ladder[:, f, :] = self._ladder_rows(reach, self.open[f]) + self.offset[:, f]
