"""The time-indexed model as arrays, shared by the MIP and CP-SAT back ends.

A variable is one (option, start day) pair. Start days are limited, per facility, to day 0,
the days its free beds rise and the days a new placement there could end. Any plan can be
shifted onto those days without losing anything: moving a start one day earlier, when no
bed frees and no new stay ends on its start day, keeps every day within capacity and
lowers the waiting.

Capacity is checked on the start days and on the days the free beds fall (a bed promised
elsewhere): between two such days new placements only end and the free beds stay level,
so no other day can be the tightest.

Everything is built from numpy arrays (issue 3: Python loops over options are the
bottleneck at 20,000 cases x 3,000 facilities). The capacity rows are indexed by *check
slots*: the check days of all facilities laid end to end, facility by facility.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int32]
Index = npt.NDArray[np.integer[Any]]  # column or row numbers of any integer width
FloatArray = npt.NDArray[np.float64]
Rows = tuple[IntArray, IntArray, FloatArray, FloatArray]


@dataclass(frozen=True, eq=False)
class Formulation:
    """Variables and constraint rows of the time-indexed model.

    Parameters
    ----------
    var_option, var_day
        Each variable's option and start day, sorted by option then day.
    var_saving
        Objective coefficient of each variable: ``weight x day + penalty - unplaced cost``
        (negative: placing saves waiting); the objective is ``constant + sum(saving x x)``.
    constant
        Objective when nobody is placed.
    check_days
        Per facility, the days on which capacity is checked: the candidate start days and
        the days its free beds fall.
    binding_streams
        Streams whose budget can bind (the sum of their options' largest cost per case
        exceeds the budget); the others need no constraint.
    restricted
        Some useful start days were left out (:func:`build_formulation` with
        ``max_columns``): the model's plans are plans of the round, but its bounds are not
        bounds of the round.
    """

    problem: MatchingProblem
    var_option: IntArray
    var_day: IntArray
    var_saving: FloatArray
    constant: float
    check_days: list[IntArray]
    binding_streams: IntArray
    restricted: bool = False

    @property
    def n_vars(self) -> int:
        """Number of variables."""
        return int(self.var_option.shape[0])

    @cached_property
    def var_case(self) -> IntArray:
        """Case index of each variable."""
        return self.problem.opt_case[self.var_option]

    @cached_property
    def var_facility(self) -> IntArray:
        """Facility index of each variable."""
        return self.problem.opt_facility[self.var_option]

    @cached_property
    def var_beds(self) -> IntArray:
        """Beds each variable's case needs."""
        return self.problem.case_beds[self.var_case]

    @cached_property
    def check_offset(self) -> IntArray:
        """First check slot of each facility (and the total as the last entry)."""
        sizes = [d.size for d in self.check_days]
        return np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int32)

    @cached_property
    def check_free(self) -> IntArray:
        """Free beds on each check slot."""
        fac = np.repeat(np.arange(self.problem.n_facilities), np.diff(self.check_offset))
        days = np.concatenate(self.check_days) if self.check_days else np.zeros(0, np.int32)
        return self.problem.free_beds[fac, days.astype(np.int64)].astype(np.int32)

    @cached_property
    def var_slots(self) -> tuple[IntArray, IntArray]:
        """Per variable, its first check slot and one past the last slot its stay covers."""
        p = self.problem
        h1 = p.horizon_days + 1
        fac = np.repeat(np.arange(p.n_facilities, dtype=np.int64), np.diff(self.check_offset))
        days = np.concatenate(self.check_days) if self.check_days else np.zeros(0, np.int32)
        # slot_at[f, d]: the first check slot of facility f on or after day d
        grid = np.arange(p.n_facilities, dtype=np.int64)[:, None] * h1 + np.arange(h1)
        slot_at = np.searchsorted(fac * h1 + days, grid.ravel()).astype(np.int32)
        f = self.var_facility.astype(np.int64) * h1
        end = np.minimum(self.var_day + p.stay_to[self.var_option], p.horizon_days)
        return slot_at[f + self.var_day], slot_at[f + end]

    @cached_property
    def capacity_slots(self) -> IntArray:
        """Check slots on which capacity can bind (new beds that could be there exceed free)."""
        first, last = self.var_slots
        n = int(self.check_offset[-1])
        beds = self.var_beds.astype(np.float64)
        diff = np.bincount(first, beds, minlength=n + 1) - np.bincount(last, beds, minlength=n + 1)
        load = np.cumsum(diff)[:n]
        return np.flatnonzero(load > self.check_free + 0.5).astype(np.int32)

    def case_rows(self) -> tuple[IntArray, IntArray]:
        """(row, var) pairs of "each case at most once"."""
        return self.var_case.astype(np.int32), np.arange(self.n_vars, dtype=np.int32)

    def capacity_rows(self, subset: Index | None = None) -> Rows:
        """(row, var, beds) triples and the free beds of "beds in use fit on every check day".

        Parameters
        ----------
        subset
            Only these variables' coefficients (rows stay those of the whole formulation).

        Returns
        -------
        tuple
            Row, variable, coefficient (sorted by row, then variable) and right-hand sides.
        """
        slots = self.capacity_slots
        row_of = np.full(int(self.check_offset[-1]) + 1, -1, dtype=np.int64)
        row_of[slots] = np.arange(slots.size)
        var = np.arange(self.n_vars, dtype=np.int64) if subset is None else subset.astype(np.int64)
        first, last = (s[var] for s in self.var_slots)
        span = (last - first).astype(np.int64)
        cols = np.repeat(var, span)
        offsets = np.arange(cols.size) - np.repeat(np.cumsum(span) - span, span)
        rows = row_of[np.repeat(first, span) + offsets]
        keep = rows >= 0
        rows, cols = rows[keep], cols[keep]
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        vals = self.var_beds[cols].astype(np.float64)
        rhs = self.check_free[slots].astype(np.float64)
        return rows.astype(np.int32), cols.astype(np.int32), vals, rhs

    def budget_rows(self, subset: Index | None = None) -> Rows:
        """(row, var, cost) triples and the budgets of the streams that can bind."""
        p = self.problem
        row_of = np.full(len(p.stream_ids) + 1, -1, dtype=np.int64)
        row_of[self.binding_streams] = np.arange(self.binding_streams.size)
        var = np.arange(self.n_vars, dtype=np.int64) if subset is None else subset.astype(np.int64)
        rows = row_of[p.opt_stream[self.var_option[var]]]  # NO_STREAM reads the -1 at the end
        keep = rows >= 0
        order = np.lexsort((var[keep], rows[keep]))
        rows, cols = rows[keep][order], var[keep][order]
        vals = p.opt_cost[self.var_option[cols]].astype(np.float64)
        rhs = p.budget[self.binding_streams].astype(np.float64)
        return rows.astype(np.int32), cols.astype(np.int32), vals, rhs

    def keep_apart_rows(self) -> tuple[IntArray, IntArray]:
        """(row, var) pairs of "these two cases not at the same facility"."""
        return self._keep_apart

    @cached_property
    def _keep_apart(self) -> tuple[IntArray, IntArray]:
        p = self.problem
        if p.keep_apart.shape[0] == 0:
            empty = np.zeros(0, np.int32)
            return empty, empty
        case, fac = self.var_case, self.var_facility
        by_case = np.argsort(case, kind="stable")
        bounds = np.searchsorted(case[by_case], np.arange(p.n_cases + 1))
        rows, cols = [], []
        row = 0
        for a, b in p.keep_apart.tolist():
            vars_a, vars_b = by_case[bounds[a] : bounds[a + 1]], by_case[bounds[b] : bounds[b + 1]]
            for f in np.intersect1d(fac[vars_a], fac[vars_b]):
                both = np.concatenate([vars_a[fac[vars_a] == f], vars_b[fac[vars_b] == f]])
                rows.append(np.full(both.size, row, dtype=np.int32))
                cols.append(both.astype(np.int32))
                row += 1
        if not rows:
            empty = np.zeros(0, np.int32)
            return empty, empty
        return np.concatenate(rows), np.concatenate(cols)

    def restrict(self, keep: Index, problem: MatchingProblem | None = None) -> Formulation:
        """The same model on the variables ``keep``.

        If ``problem`` is given, the model is on it instead: a problem with the same options
        but other free beds or budgets, such as what is left after fixing some.
        """
        return replace(
            self,
            problem=self.problem if problem is None else problem,
            var_option=self.var_option[keep],
            var_day=self.var_day[keep],
            var_saving=self.var_saving[keep],
        )


def pair_keys(
    form: Formulation, option: npt.ArrayLike, day: npt.ArrayLike
) -> npt.NDArray[np.int64]:
    """One integer per (option, start day): ``option x (horizon + 1) + day``."""
    keys: npt.NDArray[np.int64] = np.asarray(option, dtype=np.int64) * (
        form.problem.horizon_days + 1
    ) + np.asarray(day, dtype=np.int64)
    return keys


def plan_columns(form: Formulation, plan: Sequence[tuple[int, int]]) -> npt.NDArray[np.int64]:
    """The formulation's column of each (option, start day) of a plan."""
    key = pair_keys(form, form.var_option, form.var_day)
    order = np.argsort(key, kind="stable")
    wanted = pair_keys(form, [k for k, _ in plan], [d for _, d in plan])
    pos = np.searchsorted(key[order], wanted)
    pos = np.minimum(pos, max(key.size - 1, 0))
    found = key[order][pos] == wanted if key.size else np.zeros(0, dtype=bool)
    columns: npt.NDArray[np.int64] = order[pos[found]].astype(np.int64)
    return columns


def candidate_days(problem: MatchingProblem) -> list[IntArray]:
    """Per facility: day 0, days its free beds rise, and days new stays there could end."""
    mask = candidate_mask(problem)
    fac, day = np.nonzero(mask)
    bounds = np.searchsorted(fac, np.arange(problem.n_facilities + 1))
    days: IntArray = day.astype(np.int32)
    return [days[bounds[f] : bounds[f + 1]] for f in range(problem.n_facilities)]


# per problem, its open days: a problem is immutable, so they are computed once (issue 11:
# 0.05 s a call on a round of 6,000 cases over 180 days, made by each greedy order and
# twice by the bound in a 1-s round)
_OPEN_DAYS: weakref.WeakKeyDictionary[MatchingProblem, npt.NDArray[np.bool_]] = (
    weakref.WeakKeyDictionary()
)


def open_start_days(problem: MatchingProblem) -> npt.NDArray[np.bool_]:
    """``[f, d]``: a stay may start at ``f`` on day ``d`` (a candidate day with a free bed).

    Read-only, and computed once per problem.
    """
    found = _OPEN_DAYS.get(problem)
    if found is None:
        found = candidate_mask(problem) & (problem.free_beds > 0)
        found.flags.writeable = False
        _OPEN_DAYS[problem] = found
    return found


def candidate_mask(problem: MatchingProblem) -> npt.NDArray[np.bool_]:
    """``mask[f, d]``: day ``d`` is a candidate start day at facility ``f``.

    Day 0, the days free beds rise, and every day a chain of new stays from one of those
    can end on. One sweep over the days in order (a stay lasts at least a day, so a day's
    mark is final before it is used), every facility with short stays at once: issue 11,
    a loop over facilities took 3.5 s at L with short stays; rounds of stays of every
    length from 1 to 180 days took 4.2 s with a loop over stay lengths per chain step.
    """
    h = problem.horizon_days
    mask = np.zeros(problem.free_beds.shape, dtype=bool)
    mask[:, 0] = True
    mask[:, 1:] = np.diff(problem.free_beds, axis=1) > 0
    short = np.flatnonzero(problem.stay_to < h)
    has_stay = np.zeros((problem.n_facilities, h), dtype=bool)  # [f, s]: a stay of s days
    has_stay[problem.opt_facility[short], problem.stay_to[short]] = True
    has_stay[:, 0] = False
    rows = np.flatnonzero(has_stay.any(axis=1))
    if rows.size == 0:
        return mask
    # day-major copies: a day's column of every facility is one contiguous row
    marked, stays = mask[rows].T.copy(), has_stay[rows].T
    for d in range(h - 1):
        on = np.flatnonzero(marked[d])
        if on.size:
            marked[d + 1 :, on] |= stays[1 : h - d, on]
    mask[rows] = marked.T
    return mask


def fit_reach(free_beds: IntArray, most: int) -> IntArray:
    """``reach[b, f, d]``: the first day from ``d`` on with fewer than ``b`` beds free at ``f``.

    ``h`` (the horizon) when there is none; ``b`` runs from 0 to ``most`` (row 0 is never
    short). A stay of ``b`` beds from ``d`` to ``end`` fits when ``reach[b, f, d] >= end``.
    One place for the greedy's earliest fitting day and the capacity bound's usable pairs.
    """
    return reach_rows(free_beds, np.arange(max(most, 0) + 1))


def reach_rows(free_beds: npt.NDArray[np.integer], counts: npt.NDArray[np.integer]) -> IntArray:
    """``reach[r, ..., d]``: the first day from ``d`` on with fewer than ``counts[r]`` free.

    Over the last axis of ``free_beds`` (days), for every row before it; the horizon when
    there is none (:func:`fit_reach` for every bed count up to a number).
    """
    h = free_beds.shape[-1]
    days = np.arange(h, dtype=np.int32)
    if free_beds.ndim == 1:  # one facility (the greedy's refresh): every count at once
        short = np.where(free_beds < np.asarray(counts)[:, None], days, h).astype(np.int32)
        one: IntArray = np.minimum.accumulate(short[:, ::-1], axis=1)[:, ::-1]
        return one
    reach = np.empty((len(counts), *free_beds.shape), dtype=np.int32)
    for r, b in enumerate(np.asarray(counts).tolist()):  # one count at a time: less memory
        short = np.where(free_beds < b, days, h).astype(np.int32)
        reach[r] = np.minimum.accumulate(short[..., ::-1], axis=-1)[..., ::-1]
    return reach


def falling_days(problem: MatchingProblem, days: list[IntArray]) -> list[IntArray]:
    """Per facility, ``days`` together with the days its free beds fall."""
    fac, day = np.nonzero(np.diff(problem.free_beds, axis=1) < 0)
    if fac.size == 0:
        return days
    out = list(days)
    for f in np.unique(fac).tolist():
        out[f] = np.union1d(days[f], day[fac == f] + 1).astype(np.int32)
    return out


def window_min(values: IntArray, rows: IntArray, start: IntArray, end: IntArray) -> IntArray:
    """Minimum of ``values[row, start:end]`` per query (``start < end <= values.shape[1]``).

    Windows that reach the last column read a suffix minimum; the others a sparse table of
    minima over windows of ``2**j`` columns (two look-ups per query).
    """
    n_cols = values.shape[1]
    out = np.empty(rows.size, dtype=np.int32)
    to_end = end >= n_cols
    suffix = np.minimum.accumulate(values[:, ::-1], axis=1)[:, ::-1].ravel()
    out[to_end] = suffix[rows[to_end].astype(np.int64) * n_cols + start[to_end]]
    inner = np.flatnonzero(~to_end)
    if inner.size == 0:
        return out
    r, a, b = rows[inner].astype(np.int64), start[inner], end[inner]
    level = np.floor(np.log2(b - a)).astype(np.int64)
    table = np.asarray(values, dtype=np.int32)
    for j in range(int(level.max()) + 1):
        sel = np.flatnonzero(level == j)
        width = 1 << j
        out[inner[sel]] = np.minimum(table[r[sel], a[sel]], table[r[sel], b[sel] - width])
        table = np.minimum(table[:, :-width], table[:, width:]) if width < table.shape[1] else table
    return out


def _pairs(
    problem: MatchingProblem, days: list[IntArray]
) -> tuple[IntArray, IntArray, npt.NDArray[np.int64]]:
    """Every option with every candidate day of its facility: (option, day, days per option)."""
    sizes = np.array([d.size for d in days], dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(sizes)])
    flat_days = np.concatenate(days).astype(np.int32) if days else np.zeros(0, np.int32)
    per_option = sizes[problem.opt_facility]
    var_option = np.repeat(np.arange(problem.n_options, dtype=np.int32), per_option)
    shift = np.repeat(
        offset[problem.opt_facility] - (np.cumsum(per_option) - per_option), per_option
    )
    var_day = flat_days[np.arange(var_option.size, dtype=np.int64) + shift]
    return var_option, var_day, per_option


def build_formulation(
    problem: MatchingProblem,
    *,
    max_columns: int | None = None,
    keep: Sequence[tuple[int, int]] = (),
) -> Formulation:
    """Enumerate the useful (option, start day) variables and the binding rows.

    A pair is kept when the case's beds fit in the facility's free beds on every day of
    the stay and placing it costs less than leaving the case unplaced.

    Parameters
    ----------
    problem
        The matching problem.
    max_columns
        When the round has more candidate pairs than this, each option keeps only its
        first few start days (as many as fit in ``max_columns``) and the formulation is
        marked ``restricted`` (issue 11: 17.7 million columns at L with short stays).
    keep
        (option, start day) pairs of feasible plans to keep in a restricted formulation.
    """
    p = problem
    days = candidate_days(p)
    open_days = _open_days(p, days)
    restricted = max_columns is not None and column_estimate(p, open_days) > max_columns
    if restricted:
        first = first_days(p, open_days, int(max_columns or 0))
        open_days = [d[:first] for d in open_days]
    var_option, var_day, per_option = _pairs(p, open_days)
    if restricted and len(keep):
        plan = np.array(keep, dtype=np.int64).reshape(-1, 2)
        key = var_option.astype(np.int64) * p.horizon_days + var_day  # sorted, unique
        extra = np.unique(plan[:, 0] * p.horizon_days + plan[:, 1])
        at = np.minimum(np.searchsorted(key, extra), max(key.size - 1, 0))
        extra = extra[key[at] != extra] if key.size else extra
        key = np.insert(key, np.searchsorted(key, extra), extra)  # np.union1d: 6 s at L
        var_option, var_day = (
            (key // p.horizon_days).astype(np.int32),
            (key % p.horizon_days).astype(np.int32),
        )
        per_option = np.bincount(var_option, minlength=p.n_options).astype(np.int64)
    unplaced = p.unplaced_cost
    weight = np.repeat(p.case_weight[p.opt_case], per_option)
    saving = weight * var_day + np.repeat(p.opt_penalty - unplaced[p.opt_case], per_option)
    end = np.minimum(var_day + np.repeat(p.stay_to, per_option), p.horizon_days)
    fac = np.repeat(p.opt_facility, per_option)
    free = window_min(p.free_beds, fac, var_day, end)
    # a placement must fit, and one that costs more than waiting is never chosen
    keep_vars = np.flatnonzero(
        (free >= np.repeat(p.case_beds[p.opt_case], per_option)) & (saving < 0)
    )
    return Formulation(
        problem=p,
        var_option=var_option[keep_vars],
        var_day=var_day[keep_vars],
        var_saving=saving[keep_vars],
        constant=float(unplaced.sum()),
        check_days=falling_days(p, days),
        binding_streams=binding_streams(p),
        restricted=restricted,
    )


def _open_days(problem: MatchingProblem, days: list[IntArray]) -> list[IntArray]:
    """Per facility, its candidate days with a free bed (no placement starts on the others)."""
    free = problem.free_beds
    return [d[free[f, d] > 0] for f, d in enumerate(days)]


def column_estimate(problem: MatchingProblem, days: list[IntArray] | None = None) -> int:
    """How many (option, start day) pairs the formulation weighs: a bound on its columns."""
    days = _open_days(problem, candidate_days(problem)) if days is None else days
    sizes = np.array([d.size for d in days], dtype=np.int64)
    return int(sizes[problem.opt_facility].sum())


def first_days(problem: MatchingProblem, days: list[IntArray], max_columns: int) -> int:
    """The most start days per option (its first ones) that keep the pairs within a number."""
    sizes = np.array([d.size for d in days], dtype=np.int64)
    options = np.bincount(problem.opt_facility, minlength=problem.n_facilities)
    best = 1
    for first in range(1, problem.horizon_days + 1):
        if int((options * np.minimum(sizes, first)).sum()) > max_columns:
            break
        best = first
    return best


def binding_streams(problem: MatchingProblem) -> IntArray:
    """Streams whose budget is below the most their options could spend (one option per case)."""
    p = problem
    limited = np.isfinite(p.budget)
    paid = np.flatnonzero(np.append(limited, False)[p.opt_stream])  # NO_STREAM reads False
    if paid.size == 0:
        return np.zeros(0, dtype=np.int32)
    key = p.opt_stream[paid].astype(np.int64) * p.n_cases + p.opt_case[paid]
    uniq, inverse = np.unique(key, return_inverse=True)
    worst = np.zeros(uniq.size)
    np.maximum.at(worst, inverse, p.opt_cost[paid])  # largest cost of each (stream, case)
    spend = np.bincount(uniq // p.n_cases, worst, minlength=len(p.stream_ids))
    return np.flatnonzero(limited & (spend > p.budget)).astype(np.int32)


def stream_of(problem: MatchingProblem, option: int) -> int | None:
    """Stream index that pays for an option; ``None`` when no stream does."""
    s = int(problem.opt_stream[option])
    return None if s == NO_STREAM else s
