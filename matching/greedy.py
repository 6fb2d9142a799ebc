"""Priority greedy: highest weight first, each case at its cheapest feasible option and day.

A fast feasible plan, used as the baseline in benchmarks, as the hint of the exact
methods and as the fallback when they find nothing in time.

It walks the variables of the time-indexed formulation: per case, in order of cost, the
first (option, start day) whose beds fit on every day of the stay, whose stream can still
pay and whose facility holds no case it must be kept apart from. The free beds left are
kept as a sparse table of window minima, so each case is one vectorised look-up (20,000
cases in about a second, where a loop over options and days took 90 s; issue 3).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.formulation import Formulation, build_formulation
from matching.outcome import Outcome
from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int64]
UNREACHABLE = np.iinfo(np.int32).max  # padding of the window-minimum table


class _FreeBeds:
    """Free beds per facility and day, with window minima in O(1) per query."""

    def __init__(self, free: npt.NDArray[np.int32]) -> None:
        self.free = free.astype(np.int32)
        n_f, h = self.free.shape
        self.levels = max(1, int(np.floor(np.log2(h))) + 1)
        self.log2 = np.floor(np.log2(np.maximum(np.arange(h + 1), 1))).astype(np.int64)
        self.table = np.full((self.levels, n_f, h), UNREACHABLE, dtype=np.int32)
        self.table[0] = self.free
        for j in range(1, self.levels):  # every facility at once (one row: ``_refresh``)
            w = 1 << (j - 1)
            n = h - 2 * w + 1
            self.table[j, :, :n] = np.minimum(
                self.table[j - 1, :, :n], self.table[j - 1, :, w : w + n]
            )

    def _refresh(self, f: int) -> None:
        row = self.table[:, f, :]
        row[0] = self.free[f]
        for j in range(1, self.levels):
            w = 1 << (j - 1)
            n = row.shape[1] - 2 * w + 1  # windows of 2**j days that fit in the horizon
            row[j, :n] = np.minimum(row[j - 1, :n], row[j - 1, w : w + n])

    def query(self, f: IntArray, start: IntArray, end: IntArray) -> IntArray:
        """Minimum free beds of facility ``f`` over days ``start .. end - 1``, per entry."""
        level = self.log2[end - start]
        low: IntArray = np.minimum(
            self.table[level, f, start], self.table[level, f, end - (1 << level)]
        )
        return low

    def take(self, f: int, start: int, end: int, beds: int) -> None:
        self.free[f, start:end] -= beds
        self._refresh(f)


def solve_greedy(  # noqa: PLR0915 (one pass over the cases in priority order; to be split)
    problem: MatchingProblem,
    form: Formulation | None = None,
    *,
    start: Sequence[tuple[int, int]] = (),
    per_bed: bool = False,
    per_bed_day: bool = False,
    guide: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
) -> Outcome:
    """Place cases in order of weight (ties by id) at their cheapest fitting option and day.

    Parameters
    ----------
    problem
        The matching problem.
    form
        Its formulation, when already built.
    start
        A feasible partial plan to keep; the greedy places the other cases around it.
    per_bed
        Order cases by weight per bed instead (a family of four beds then comes after four
        single cases of more than a quarter of its weight). Not the priority baseline, but
        far closer to the optimum when beds are scarce: 0.1 % above the LP bound on the L
        benchmark, where the priority order is 4 % above it.
    per_bed_day
        Order cases by weight per bed-day of their shortest stay, and each case's
        variables by saving per bed-day: a bed that takes a 3-day crisis stay can take
        twenty cases in a 60-day horizon, so short stays go first (issue 11: on the
        short-stay shape the other two orders stay 3 to 4 times above the LP bound).
    guide
        An LP's advice: per case, how much of it the LP places (cases it places most
        go first), and per variable a key to try them by (its reduced cost, which prices
        the beds and the budget it uses: issue 11, where the other orders spend binding
        budgets on the first cases and stay 30 % above the optimum).

    Returns
    -------
    Outcome
        A plan that respects capacity on every day, budgets and keep-apart pairs; no bound.
    """
    form = build_formulation(problem) if form is None else form
    p = problem
    by_case = _grouped_by_case(form.var_case)
    bounds = np.searchsorted(form.var_case[by_case], np.arange(p.n_cases + 1))
    stay = p.stay_to
    stream_of = np.where(p.opt_stream == NO_STREAM, len(p.stream_ids), p.opt_stream)
    budget = np.append(p.budget, np.inf)
    spent = np.zeros(budget.size)
    free = _FreeBeds(p.free_beds)
    apart = _apart_lists(p)
    facility_of = np.full(p.n_cases, -1, dtype=np.int64)
    plan: list[tuple[int, int]] = []
    for k, d in start:
        c, f = int(p.opt_case[k]), int(p.opt_facility[k])
        free.take(f, d, min(d + int(stay[k]), p.horizon_days), int(p.case_beds[c]))
        spent[stream_of[k]] += p.opt_cost[k]
        facility_of[c] = f
        plan.append((int(k), int(d)))
    priority = p.case_weight / p.case_beds if per_bed else p.case_weight
    key = form.var_saving
    if per_bed_day:
        bed_days = (p.case_beds[form.var_case] * stay[form.var_option]).astype(np.float64)
        shortest = np.full(p.n_cases, np.inf)
        np.minimum.at(shortest, form.var_case, bed_days)
        priority = p.case_weight / shortest
        key = form.var_saving / bed_days
    if guide is not None:
        placed, key = guide
        priority = placed + 1e-9 * p.case_weight
    for c in sorted(range(p.n_cases), key=lambda c: (-priority[c], p.case_ids[c])):
        if facility_of[c] >= 0:
            continue
        # the case's variables, cheapest first (stable: ties keep option, then day order)
        own = by_case[bounds[c] : bounds[c + 1]]
        if own.size == 0:
            continue
        own = own[np.argsort(key[own], kind="stable")]
        opt = form.var_option[own].astype(np.int64)
        fac = p.opt_facility[opt].astype(np.int64)
        begin = form.var_day[own].astype(np.int64)
        end = np.minimum(begin + stay[opt], p.horizon_days)
        ok = free.query(fac, begin, end) >= p.case_beds[c]
        stream = stream_of[opt]
        ok &= spent[stream] + p.opt_cost[opt] <= budget[stream]
        if c in apart:
            ok &= ~np.isin(fac, facility_of[apart[c]])
        i = int(np.argmax(ok))
        if not ok[i]:
            continue
        free.take(int(fac[i]), int(begin[i]), int(end[i]), int(p.case_beds[c]))
        spent[stream[i]] += p.opt_cost[opt[i]]
        facility_of[c] = fac[i]
        plan.append((int(opt[i]), int(begin[i])))
    return Outcome(plan=plan, bound=-np.inf, optimal=False, method="greedy")


def greedy_plans(problem: MatchingProblem, form: Formulation) -> list[list[tuple[int, int]]]:
    """The greedy plans in every order that can differ.

    The orders are priority, per bed and, when some stay ends inside the horizon, per
    bed-day.
    """
    plans = [
        solve_greedy(problem, form).plan,
        solve_greedy(problem, form, per_bed=True).plan,
    ]
    if bool((problem.stay_to < problem.horizon_days).any()):
        plans.append(solve_greedy(problem, form, per_bed_day=True).plan)
    return plans


def _grouped_by_case(var_case: npt.NDArray[np.int32]) -> IntArray:
    """Variable indices grouped by case, in their listed order within a case."""
    if var_case.size and bool((np.diff(var_case) >= 0).all()):
        return np.arange(var_case.size, dtype=np.int64)
    return np.argsort(var_case, kind="stable").astype(np.int64)


def _apart_lists(problem: MatchingProblem) -> dict[int, IntArray]:
    pairs: dict[int, list[int]] = {}
    for a, b in problem.keep_apart.tolist():
        pairs.setdefault(a, []).append(b)
        pairs.setdefault(b, []).append(a)
    return {c: np.array(v, dtype=np.int64) for c, v in pairs.items()}
