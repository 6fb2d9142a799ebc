"""The Lagrangian's pairs when beds are priced on a few checkpoint days only (issue 11).

:class:`matching.capacity_bound.Relaxation` prices every (option, start day) pair of the
round: 4-52 million on the robustness sweep's rounds of 800-6,000 cases at T = 1 s, where
the greedy took the whole second and the answer carried the single-case bound. With bed
prices on a few days ``D`` only (every other day's price held at 0, which is still a
valid choice of prices), a pair's priced value is its waiting plus ``beds x`` the prices
of the checkpoint days its stay covers. A checkpoint leaves that set only when the start
day passes it (``d + 1``); between two such days a later start only adds checkpoints
(its stay's end reaches further) and waits longer, so the earliest start day allowed in
each stretch is its cheapest. So each option needs at most ``|D| + 1`` start days (the
first allowed from day 0 and from the day after each checkpoint), not one per open day,
and the minimum over them is the minimum over every start day.

A start day is allowed when it is a candidate start day of the facility
(:func:`matching.formulation.candidate_mask`) with the case's beds free on it, and, for a
stay to the end of the horizon, on every day after it. A short stay is not checked
further (its beds on the later days of the stay): more start days than the round's only
lower the minimum, so the bound stays proven.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from matching.formulation import fit_reach, open_start_days
from matching.pair_fields import PairFields
from matching.problem import MatchingProblem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
CHUNK_ENTRIES = 500_000  # (option, breakpoint) entries in a chunk (about 0.05 s)


def checkpoint_days(horizon: int, count: int) -> IntArray:
    """``count`` days spread evenly over the horizon, its first and last among them.

    On the last day every stay to the end of the horizon that started is still there, so
    its free beds cap how many of them the round can place at all.
    """
    if count <= 1:
        return np.array([horizon - 1], dtype=np.int64)
    return np.unique(np.round(np.linspace(0, horizon - 1, count)).astype(np.int64))


class CheckpointPairs:
    """Each option's earliest allowed start day from day 0 and after each checkpoint.

    Built chunk by chunk of options in case order (:meth:`run` pauses after each, so the
    caller can stop when its measured pace says it would not end in time), into
    :class:`matching.pair_fields.PairFields` as long as the most pairs there could be.

    ``problem`` and ``row`` as for :class:`~matching.pair_fields.PairFields`; ``days``
    the checkpoint days, sorted, inside the horizon.
    """

    def __init__(self, problem: MatchingProblem, row: IntArray, days: IntArray) -> None:
        p = problem
        self.problem, self.h = p, p.horizon_days
        self.days = days.astype(np.int32)
        self.most = int(p.case_beds.max()) if p.n_cases else 1
        self.next = _next_allowed(p, self.most).ravel()
        self.order = np.argsort(p.opt_case, kind="stable").astype(np.int64)
        self.stay = np.minimum(p.stay_to, self.h).astype(np.int32)
        self.width = days.size + 1  # breakpoints an option has
        step = max(CHUNK_ENTRIES // self.width, 1)
        self.parts = [self.order[i : i + step] for i in range(0, self.order.size, step)]
        self.fields = PairFields(p, row, self.order.size * self.width)
        self.done = 0  # options looked at
        self.started = time.perf_counter()

    def run(self) -> Iterator[None]:
        """Add the chunks one by one, pausing after each."""
        for options in self.parts:
            self._add(options)
            yield

    def seconds_left(self) -> float:
        """The rest of the set-up at the pace measured so far."""
        if self.done == 0:
            return 0.0
        pace = (time.perf_counter() - self.started) / self.done
        return pace * (self.order.size - self.done)

    def _add(self, options: IntArray) -> None:
        p, h, days = self.problem, self.h, self.days
        fac = p.opt_facility[options].astype(np.int32)
        case = p.opt_case[options]
        stay = self.stay[options]
        to_end = stay >= h
        # breakpoints: day 0 and the day after each checkpoint
        breaks = np.empty((options.size, self.width), np.int32)
        breaks[:, 0] = 0
        breaks[:, 1:] = np.minimum(days + 1, h)
        table = (to_end * (self.most + 1) + p.case_beds[case]) * p.n_facilities + fac
        breaks += (table * (h + 1)).astype(np.int32)[:, None]  # into the flat table
        start = self.next[breaks]
        start.sort(axis=1)
        keep = start < h
        keep[:, 1:] &= start[:, 1:] != start[:, :-1]  # one pair per distinct start day
        at_row, at_col = np.nonzero(keep)
        day = start[at_row, at_col]
        end = np.minimum(day + stay[at_row], h)
        self.fields.add(options[at_row], fac[at_row], day, end)
        self.done += options.size


def _next_allowed(problem: MatchingProblem, most: int) -> npt.NDArray[np.int32]:
    """``[to_end, b, f, x]``: the first allowed start day from ``x`` on for ``b`` beds.

    ``h`` (the horizon) when there is none, and at ``x = h``. Short stays need the beds
    free on the start day, stays to the end on every day from it.
    """
    p = problem
    h = p.horizon_days
    days = np.arange(h, dtype=np.int32)
    open_days = open_start_days(p)
    fits = fit_reach(p.free_beds, most)
    out = np.full((2, most + 1, p.n_facilities, h + 1), h, dtype=np.int32)
    for b in range(most + 1):
        for to_end in (0, 1):
            allowed = open_days & (fits[b] >= (h if to_end else days + 1))
            first = np.where(allowed, days, h)
            out[to_end, b, :, :h] = np.minimum.accumulate(first[:, ::-1], axis=1)[:, ::-1]
    return out
