"""What prices an (option, start day) pair in the Lagrangian over beds and budgets (issue 11).

One place for the fields both set-ups write: every start day
(:class:`matching.capacity_bound.Relaxation`) and checkpoint days
(:mod:`matching.checkpoint_pairs`). Pairs are added chunk by chunk in case order into
arrays as long as the most pairs there could be, of which only the first ``usable`` are
ever written (the rest is never touched, so never takes memory): joining chunk arrays at
the end took 0.4-1.1 s for 7-18 million pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.problem import MatchingProblem

IntArray = npt.NDArray[np.int64]
Ints = npt.NDArray[np.integer[Any]]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pairs:
    """The pairs written, in case order (views of the usable prefix)."""

    option: npt.NDArray[np.int32]  # for plans made from the prices
    beds: npt.NDArray[np.float32]
    start: npt.NDArray[np.int32]  # facility x (horizon + 1) + start day: in the prefix sums
    end: npt.NDArray[np.int32]
    static: FloatArray  # waiting + penalty - the case's unplaced cost
    budget_row: npt.NDArray[np.int32]
    cost: FloatArray  # empty when no budget row binds
    group_start: IntArray  # each case's first pair, for the cases that have one


class PairFields:
    """Arrays for at most ``capacity`` pairs, filled chunk by chunk in case order.

    Parameters
    ----------
    problem
        The round.
    row
        Per stream (``NO_STREAM`` the last entry), its budget row, or -1.
    capacity
        The most pairs there can be.
    """

    def __init__(self, problem: MatchingProblem, row: IntArray, capacity: int) -> None:
        p = problem
        self.problem, self.row, self.h = p, row, p.horizon_days
        self.costs = bool((row >= 0).any())  # no budget row binds: no costs kept
        self.unplaced = p.unplaced_cost
        # narrow types where exact: 17.7 million pairs at L with short stays (issue 11)
        n = capacity
        self.option = np.empty(n, np.int32)
        self.beds = np.empty(n, np.float32)
        self.start = np.empty(n, np.int32)
        self.end = np.empty(n, np.int32)
        self.static = np.empty(n, np.float64)
        self.budget_row = np.empty(n, np.int32)
        self.cost = np.empty(n if self.costs else 0, np.float64)
        self.group_start = np.empty(min(n, max(p.n_cases, 1)), np.int64)
        self.usable = self.groups = 0  # pairs, cases written
        self.last_case = -1

    def add(self, option: Ints, facility: Ints, day: Ints, end: Ints) -> None:
        """Write pairs (options in case order, after every pair written so far)."""
        p, h = self.problem, self.h
        case = p.opt_case[option]
        at = slice(self.usable, self.usable + option.size)
        self.option[at] = option
        self.beds[at] = p.case_beds[case]
        self.start[at] = facility * (h + 1) + day
        self.end[at] = facility * (h + 1) + end
        self.static[at] = p.case_weight[case] * day + p.opt_penalty[option] - self.unplaced[case]
        self.budget_row[at] = self.row[p.opt_stream[option]]
        if self.costs:
            self.cost[at] = p.opt_cost[option]
        first = np.ones(case.size, dtype=bool)
        first[1:] = case[1:] != case[:-1]
        if case.size:
            first[0] = case[0] != self.last_case
            self.last_case = int(case[-1])
        heads = np.flatnonzero(first) + self.usable
        self.group_start[self.groups : self.groups + heads.size] = heads
        self.groups += heads.size
        self.usable += int(option.size)

    def written(self) -> Pairs:
        """The pairs written so far."""
        kept = self.usable
        return Pairs(
            option=self.option[:kept],
            beds=self.beds[:kept],
            start=self.start[:kept],
            end=self.end[:kept],
            static=self.static[:kept],
            budget_row=self.budget_row[:kept],
            cost=self.cost[:kept] if self.costs else np.zeros(0),
            group_start=self.group_start[: self.groups],
        )
