"""The time-indexed model as arrays, shared by the MIP and CP-SAT back ends.

A variable is one (option, start day) pair. Start days are limited, per facility, to day 0,
the days its free beds rise and the days a new placement there could end. Any plan can be
shifted onto those days without losing anything: moving a start one day earlier, when no
bed frees and no new stay ends on its start day, keeps every day within capacity and
lowers the waiting. For the same reason capacity need only be checked on those days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Formulation:
    """Variables and constraint rows of the time-indexed model.

    Parameters
    ----------
    var_option, var_day
        Each variable's option and start day.
    var_saving
        Objective coefficient of each variable: ``weight x day + penalty - unplaced cost``
        (negative: placing saves waiting); the objective is ``constant + sum(saving x x)``.
    constant
        Objective when nobody is placed.
    check_days
        Per facility, the days on which capacity is checked (the candidate start days).
    binding_streams
        Streams whose budget can bind (the sum of their options' largest cost per case
        exceeds the budget); the others need no constraint.
    """

    problem: MatchingProblem
    var_option: IntArray
    var_day: IntArray
    var_saving: FloatArray
    constant: float
    check_days: list[IntArray]
    binding_streams: IntArray

    @property
    def n_vars(self) -> int:
        return int(self.var_option.shape[0])

    @property
    def var_case(self) -> IntArray:
        return self.problem.opt_case[self.var_option]

    @property
    def var_facility(self) -> IntArray:
        return self.problem.opt_facility[self.var_option]

    def case_rows(self) -> tuple[IntArray, IntArray]:
        """(row, var) pairs of "each case at most once"."""
        return self.var_case.astype(np.int32), np.arange(self.n_vars, dtype=np.int32)

    def capacity_rows(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """(row, var, coefficient) triples and the right-hand side of the capacity rows."""
        p = self.problem
        stay = p.stay_to[self.var_option]
        beds = p.case_beds[self.var_case].astype(np.float64)
        fac = self.var_facility
        order = np.argsort(fac, kind="stable")
        bounds = np.searchsorted(fac[order], np.arange(p.n_facilities + 1))
        rows, cols, vals, rhs = [], [], [], []
        row = 0
        for f in range(p.n_facilities):
            vars_f = order[bounds[f] : bounds[f + 1]]
            if vars_f.size == 0:
                continue
            start, end = self.var_day[vars_f], self.var_day[vars_f] + stay[vars_f]
            for t in _capacity_check_days(self.check_days[f], p.free_beds[f]):
                active = vars_f[(start <= t) & (t < end)]
                if active.size == 0:
                    continue
                total = beds[active].sum()
                if total <= p.free_beds[f, t]:
                    continue  # cannot bind on this day
                rows.append(np.full(active.size, row, dtype=np.int32))
                cols.append(active.astype(np.int32))
                vals.append(beds[active])
                rhs.append(float(p.free_beds[f, t]))
                row += 1
        if not rows:
            empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
            return empty_i, empty_i, empty_f, empty_f
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), np.array(rhs)

    def budget_rows(self) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
        """(row, var, cost) triples and the budgets of the streams that can bind."""
        p = self.problem
        stream = p.opt_stream[self.var_option]
        rows, cols, vals, rhs = [], [], [], []
        for row, s in enumerate(self.binding_streams):
            members = np.flatnonzero(stream == s).astype(np.int32)
            rows.append(np.full(members.size, row, dtype=np.int32))
            cols.append(members)
            vals.append(p.opt_cost[self.var_option[members]])
            rhs.append(float(p.budget[s]))
        if not rows:
            empty_i, empty_f = np.zeros(0, np.int32), np.zeros(0)
            return empty_i, empty_i, empty_f, empty_f
        return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), np.array(rhs)

    def keep_apart_rows(self) -> tuple[IntArray, IntArray]:
        """(row, var) pairs of "these two cases not at the same facility"."""
        p = self.problem
        case, fac = self.var_case, self.var_facility
        rows, cols = [], []
        row = 0
        for a, b in p.keep_apart.tolist():
            vars_a, vars_b = np.flatnonzero(case == a), np.flatnonzero(case == b)
            for f in np.intersect1d(fac[vars_a], fac[vars_b]):
                both = np.concatenate([vars_a[fac[vars_a] == f], vars_b[fac[vars_b] == f]])
                rows.append(np.full(both.size, row, dtype=np.int32))
                cols.append(both.astype(np.int32))
                row += 1
        if not rows:
            empty = np.zeros(0, np.int32)
            return empty, empty
        return np.concatenate(rows), np.concatenate(cols)


def _capacity_check_days(start_days: IntArray, free: IntArray) -> IntArray:
    """Days on which a facility's capacity can be exceeded.

    New occupancy changes only on candidate start days (which include the days new stays
    end), but free beds may also *fall* between them; those days need a check too.
    """
    falls = np.flatnonzero(np.diff(free) < 0) + 1
    return np.union1d(start_days, falls).astype(np.int32)


def candidate_days(problem: MatchingProblem) -> list[IntArray]:
    """Per facility: day 0, days its free beds rise, and days new stays there could end."""
    h = problem.horizon_days
    stay = problem.stay_to
    short_stays: list[set[int]] = [set() for _ in range(problem.n_facilities)]
    for f, s in zip(problem.opt_facility.tolist(), stay.tolist(), strict=True):
        if s < h:
            short_stays[f].add(s)
    out: list[IntArray] = []
    for f in range(problem.n_facilities):
        free = problem.free_beds[f]
        days = {0, *(np.flatnonzero(np.diff(free) > 0) + 1).tolist()}
        frontier = sorted(days)
        while frontier and short_stays[f]:
            nxt = {d + s for d in frontier for s in short_stays[f] if d + s < h} - days
            days |= nxt
            frontier = sorted(nxt)
        out.append(np.array(sorted(days), dtype=np.int32))
    return out


def build_formulation(problem: MatchingProblem) -> Formulation:
    """Enumerate the useful (option, start day) variables and the binding rows."""
    days = candidate_days(problem)
    stay = problem.stay_to
    opts, starts = [], []
    for f in range(problem.n_facilities):
        k_f = np.flatnonzero(problem.opt_facility == f)
        if k_f.size == 0 or days[f].size == 0:
            continue
        free = problem.free_beds[f]
        # window minimum of free beds over each option's stay from each candidate day
        beds = problem.case_beds[problem.opt_case[k_f]]
        for d in days[f].tolist():
            ends = np.minimum(d + stay[k_f], problem.horizon_days)
            fits = np.array([free[d:e].min() for e in ends.tolist()]) >= beds
            opts.append(k_f[fits])
            starts.append(np.full(int(fits.sum()), d, dtype=np.int32))
    var_option = np.concatenate(opts).astype(np.int32) if opts else np.zeros(0, np.int32)
    var_day = np.concatenate(starts).astype(np.int32) if starts else np.zeros(0, np.int32)
    order = np.lexsort((var_day, var_option))
    var_option, var_day = var_option[order], var_day[order]
    case = problem.opt_case[var_option]
    unplaced = problem.unplaced_cost
    saving = problem.case_weight[case] * var_day + problem.opt_penalty[var_option] - unplaced[case]
    useful = saving < 0  # a placement that costs more than waiting is never chosen
    var_option, var_day, saving = var_option[useful], var_day[useful], saving[useful]
    return Formulation(
        problem=problem,
        var_option=var_option,
        var_day=var_day,
        var_saving=saving,
        constant=float(unplaced.sum()),
        check_days=days,
        binding_streams=binding_streams(problem),
    )


def binding_streams(problem: MatchingProblem) -> IntArray:
    """Streams whose budget is below the most their options could spend (one option per case)."""
    out = []
    for s in np.flatnonzero(np.isfinite(problem.budget)):
        members = np.flatnonzero(problem.opt_stream == s)
        if members.size == 0:
            continue
        worst: dict[int, float] = {}
        for c, cost in zip(
            problem.opt_case[members].tolist(), problem.opt_cost[members].tolist(), strict=True
        ):
            worst[c] = max(worst.get(c, 0.0), cost)
        if sum(worst.values()) > problem.budget[s]:
            out.append(int(s))
    return np.array(out, dtype=np.int32)


def stream_of(problem: MatchingProblem, option: int) -> int | None:
    s = int(problem.opt_stream[option])
    return None if s == NO_STREAM else s
