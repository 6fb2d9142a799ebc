"""Priority greedy: highest weight first, each case at its cheapest feasible option and day.

A fast feasible plan, used as the baseline in benchmarks, as the hint of the exact
methods and as the fallback when they find nothing in time.

It walks the variables of the time-indexed formulation (or, without one, each case's
options on the candidate start days): per case, in order of cost, the first (option, start
day) whose beds fit on every day of the stay, whose stream can still
pay and whose facility holds no case it must be kept apart from. The free beds left are
kept as a sparse table of window minima, so each case is one vectorised look-up (20,000
cases in about a second, where a loop over options and days took 90 s; issue 3).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.formulation import Formulation, candidate_mask, fit_reach
from matching.outcome import Outcome
from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Pairs = tuple[IntArray, IntArray, npt.NDArray[np.float64], float]
UNREACHABLE = np.iinfo(np.int32).max  # padding of the window-minimum table
CHUNK_CASES = 500  # cases whose pairs are made at once without a formulation
FIRST_DAYS = 8  # start days per option tried first without a formulation
CHECK_EVERY = 50  # cases between looks at the clock (up to 0.1 s at L under load)
# When most cases tried on their first days needed all of them after all (full facilities
# whose beds free later), the rest go to all their days at once: the same pair (the
# cheapest that fits, ties by option and day), one look instead of two (issue 11: three
# cases in four on 6,000-case rounds of the robustness sweep)
FIRST_DAYS_TRIAL = 200
FIRST_DAYS_GIVE_UP = 0.6


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


def solve_greedy(
    problem: MatchingProblem,
    form: Formulation | None = None,
    *,
    start: Sequence[tuple[int, int]] = (),
    per_bed: bool = False,
    per_bed_day: bool = False,
    guide: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
    deadline: float | None = None,
) -> Outcome:
    """Place cases in order of weight (ties by id) at their cheapest fitting option and day.

    Parameters
    ----------
    problem
        The matching problem.
    form
        Its formulation, when already built. Without one the greedy walks each case's
        options over the candidate start days directly (the same plan for the priority
        and per-bed orders, without building the model: issue 11, where the formulation
        at L with short stays has 17.7 million columns and takes 14-46 s).
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
        budgets on the first cases and stay 30 % above the optimum). Needs ``form``.
    deadline
        Wall-clock time (``time.perf_counter``) at which to stop placing cases: the plan
        so far is feasible, only shorter (issue 11: 2-3 s for one order at L under load).

    Returns
    -------
    Outcome
        A plan that respects capacity on every day, budgets and keep-apart pairs; no bound.
    """
    p = problem
    if per_bed_day and not stays_end_inside(p):
        # every stay runs to the horizon, so a case's bed-days are its beds x the horizon
        # and the order is the per-bed order, without the bed-days' set-up (issue 11: 9 s
        # of the first plan's 11 s on eligibility-30 L, 15.5 million options)
        per_bed, per_bed_day = True, False
    columns: _Columns = (
        _GridColumns(p, per_bed_day) if form is None else _FormColumns(form, per_bed_day, guide)
    )
    state = PlacingState(p)
    for k, d in start:
        state.take(int(p.opt_case[k]), int(k), int(d))
    priority = p.case_weight / p.case_beds if per_bed else p.case_weight
    if per_bed_day:
        priority = p.case_weight / columns.shortest_bed_days(deadline)
    if guide is not None:
        priority = guide[0] + 1e-9 * p.case_weight
    if deadline is not None and time.perf_counter() > deadline:
        return greedy_outcome(state.plan)  # the set-up took the time: nobody more placed
    order = sorted(range(p.n_cases), key=lambda c: (-priority[c], p.case_ids[c]))
    columns.visit(order)
    tried = again = 0  # cases that got their first days, and of those all their days
    for n, c in enumerate(order):
        if deadline is not None and n % CHECK_EVERY == 0 and time.perf_counter() > deadline:
            break
        if state.facility_of[c] >= 0:
            continue
        if tried >= FIRST_DAYS_TRIAL and again > FIRST_DAYS_GIVE_UP * tried:
            opt, begin, key, rest = columns.all_of_case(c)  # the first days rarely do
            i = state.first_fit(c, opt, begin)
        else:
            tried += 1
            opt, begin, key, rest = columns.of_case(c)  # cheapest first
            i = state.first_fit(c, opt, begin)
            if rest < np.inf and (i < 0 or key[i] >= rest):  # a later day may be cheaper
                again += 1
                opt, begin, key, rest = columns.all_of_case(c)
                i = state.first_fit(c, opt, begin)
        if i >= 0:
            state.take(c, int(opt[i]), int(begin[i]))
    return greedy_outcome(state.plan)


class PlacingState:
    """The free beds, budgets and facilities left while the greedy places cases."""

    def __init__(self, problem: MatchingProblem) -> None:
        p = problem
        self.problem = p
        self.stay = p.stay_to
        self.stream_of = np.where(p.opt_stream == NO_STREAM, len(p.stream_ids), p.opt_stream)
        self.budget = np.append(p.budget, np.inf)
        self.budgets = bool(np.isfinite(p.budget).any())  # else no stream can run out
        self.cost = p.opt_cost
        self.spent = np.zeros(self.budget.size)
        self.free = _FreeBeds(p.free_beds)
        self.apart = _apart_lists(p)
        self.facility_of = np.full(p.n_cases, -1, dtype=np.int64)
        self.opt_facility = p.opt_facility.astype(np.int64)  # properties, computed per access
        self.horizon = p.horizon_days
        self.beds = p.case_beds
        self.plan: list[tuple[int, int]] = []

    def first_fit(self, c: int, opt: IntArray, begin: IntArray) -> int:
        """The first pair whose beds fit, stream can pay and facility is allowed (or -1).

        Called for every case, often twice: each array operation counts (issue 11: at T =
        1-2 s on 6,000 cases the greedy is cut short).
        """
        if opt.size == 0:
            return -1
        fac = self.opt_facility[opt]
        end = np.minimum(begin + self.stay[opt], self.horizon)
        ok = self.free.query(fac, begin, end) >= self.beds[c]
        if self.budgets:
            stream = self.stream_of[opt]
            ok &= self.spent[stream] + self.cost[opt] <= self.budget[stream]
        if c in self.apart:
            taken = self.facility_of[self.apart[c]]
            for f in taken[taken >= 0].tolist():  # a few partners: cheaper than np.isin
                ok &= fac != f
        i = int(ok.argmax())
        return i if ok[i] else -1

    def take(self, c: int, k: int, d: int) -> None:
        """Place case ``c`` on option ``k`` from day ``d``: its beds, euros and facility."""
        p = self.problem
        f = int(p.opt_facility[k])
        self.free.take(f, d, min(d + int(self.stay[k]), p.horizon_days), int(p.case_beds[c]))
        self.spent[self.stream_of[k]] += p.opt_cost[k]
        self.facility_of[c] = f
        self.plan.append((k, d))


class _Columns(Protocol):
    """Each case's (option, start day) pairs, in the order the greedy tries them."""

    def of_case(self, c: int) -> Pairs:
        """Options, start days and keys of case ``c``, cheapest first, and a floor.

        Ties go by option, then day. The floor is a key below which no pair left out lies
        (``inf``: none left out).
        """
        ...

    def all_of_case(self, c: int) -> Pairs:
        """Every pair of case ``c``, as :meth:`of_case`."""
        ...

    def shortest_bed_days(self, deadline: float | None = None) -> npt.NDArray[np.float64]:
        """Per case, the fewest bed-days of a stay it could be given.

        Past ``deadline`` it may stop early (the greedy then places nobody).
        """
        ...

    def visit(self, order: list[int]) -> None:
        """The cases will be asked for in this order."""
        ...


class _FormColumns:
    """The formulation's variables of each case."""

    def __init__(
        self,
        form: Formulation,
        per_bed_day: bool,
        guide: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None,
    ) -> None:
        p = form.problem
        self.form = form
        self.by_case = _grouped_by_case(form.var_case)
        self.bounds = np.searchsorted(form.var_case[self.by_case], np.arange(p.n_cases + 1))
        self.bed_days = (p.case_beds[form.var_case] * p.stay_to[form.var_option]).astype(np.float64)
        self.key = form.var_saving / self.bed_days if per_bed_day else form.var_saving
        if guide is not None:
            self.key = guide[1]

    def visit(self, order: list[int]) -> None:
        pass

    def of_case(self, c: int) -> Pairs:
        own = self.by_case[self.bounds[c] : self.bounds[c + 1]]
        own = own[np.argsort(self.key[own], kind="stable")]
        opt, day = self.form.var_option[own].astype(np.int64), self.form.var_day[own]
        return opt, day.astype(np.int64), self.key[own], np.inf

    def all_of_case(self, c: int) -> Pairs:
        return self.of_case(c)

    def shortest_bed_days(self, deadline: float | None = None) -> npt.NDArray[np.float64]:
        del deadline  # one pass over the formulation's variables: nothing to stop early
        shortest = np.full(self.form.problem.n_cases, np.inf)
        np.minimum.at(shortest, self.form.var_case, self.bed_days)
        return shortest


class _GridColumns:
    """Each case's options on their facilities' candidate start days, without a formulation.

    Within an option the key grows with the start day, so only an option's earliest
    fitting day can be picked: each case first gets its options' first ``FIRST_DAYS`` days
    with a free bed, and all of them only when none of those fits and beats every day left
    out (issue 11: all the
    pairs, 20 million at L with short stays, took 10-17 s per order under load). The pairs
    are made for a chunk of cases at a time, in the order the greedy visits them.
    """

    def __init__(self, problem: MatchingProblem, per_bed_day: bool) -> None:
        p = problem
        self.problem = p
        self.per_bed_day = per_bed_day
        fac, day = np.nonzero(candidate_mask(p))
        open_day = p.free_beds[fac, day] > 0  # no stay starts without a free bed
        fac, day = fac[open_day], day[open_day]
        self.days = day.astype(np.int64)
        self.offset = np.searchsorted(fac, np.arange(p.n_facilities + 1))
        self.by_case = np.argsort(p.opt_case, kind="stable").astype(np.int64)  # case by case
        self.fac = p.opt_facility.astype(np.int64)
        self.case_bounds = np.searchsorted(p.opt_case[self.by_case], np.arange(p.n_cases + 1))
        self.stay = p.stay_to  # properties of the problem, computed on each access
        self.unplaced = p.unplaced_cost
        self.order: list[int] = []
        self.next = 0  # position in ``order`` of the first case not yet in a chunk
        self.where: dict[int, tuple[int, int, float]] = {}
        self.opt = self.day = np.zeros(0, dtype=np.int64)
        self.key = np.zeros(0)

    def visit(self, order: list[int]) -> None:
        self.order, self.next, self.where = order, 0, {}

    def of_case(self, c: int) -> Pairs:
        if c not in self.where:
            self._chunk()
        a, b, rest = self.where.get(c, (0, 0, np.inf))
        return self.opt[a:b], self.day[a:b], self.key[a:b], rest

    def all_of_case(self, c: int) -> Pairs:
        """Every open day of every option of ``c``, cheapest first.

        :meth:`_pairs` for one case with fewer array operations: on rounds of full
        facilities it runs for most cases.
        """
        p = self.problem
        opts = self.by_case[self.case_bounds[c] : self.case_bounds[c + 1]]
        fac = self.fac[opts]
        lo, hi = self.offset[fac], self.offset[fac + 1]
        per = hi - lo
        opt = np.repeat(opts, per)
        day = self.days[np.arange(opt.size) + np.repeat(lo - (np.cumsum(per) - per), per)]
        key = p.case_weight[c] * day + (p.opt_penalty[opt] - self.unplaced[c])
        if self.per_bed_day:
            key = key / (p.case_beds[c] * self.stay[opt]).astype(np.float64)
        useful = np.flatnonzero(key < 0)
        order = useful[np.argsort(key[useful], kind="stable")]
        return opt[order], day[order], key[order], np.inf

    def _pairs(
        self, cases: IntArray, first: int
    ) -> tuple[IntArray, IntArray, FloatArray, IntArray, IntArray]:
        """The first ``first`` open days of each option of ``cases``: by case, option, day.

        Also each pair's position among its option's days (0: its first day).
        """
        p = self.problem
        lo, hi = self.case_bounds[cases], self.case_bounds[cases + 1]
        count = hi - lo
        opts = self.by_case[
            np.arange(count.sum()) + np.repeat(lo - (np.cumsum(count) - count), count)
        ]
        fac = p.opt_facility[opts].astype(np.int64)
        per = np.minimum(self.offset[fac + 1] - self.offset[fac], first)
        opt = np.repeat(opts, per).astype(np.int64)
        position = np.arange(opt.size) - np.repeat(np.cumsum(per) - per, per)
        day = self.days[np.repeat(self.offset[fac], per) + position]
        case = p.opt_case[opt].astype(np.int64)
        key = p.case_weight[case] * day + (p.opt_penalty[opt] - self.unplaced[case])
        if self.per_bed_day:  # the saving per bed-day (negative: both grow with the day)
            key = key / (p.case_beds[case] * self.stay[opt]).astype(np.float64)
        return opt, day, key, case, position

    def _chunk(self) -> None:
        """The first days of the next ``CHUNK_CASES`` cases, each case's cheapest first.

        An option's first day left out has the smallest key of all its days left out.
        """
        cases = np.array(self.order[self.next : self.next + CHUNK_CASES], dtype=np.int64)
        self.next += cases.size
        opt, day, key, case, position = self._pairs(cases, FIRST_DAYS + 1)
        rank = np.empty(self.problem.n_cases, dtype=np.int64)
        rank[cases] = np.arange(cases.size)
        rest = np.full(cases.size, np.inf)  # per case, the cheapest key left out
        out = np.flatnonzero(position == FIRST_DAYS)
        np.minimum.at(rest, rank[case[out]], key[out])
        head = np.flatnonzero((position < FIRST_DAYS) & (key < 0))  # saves waiting
        opt, day, key, case = opt[head], day[head], key[head], case[head]
        order = np.lexsort((key, rank[case]))  # by case, then cheapest (stable: option, day)
        self.opt, self.day, self.key = opt[order], day[order], key[order]
        bounds = np.searchsorted(rank[case][order], np.arange(cases.size + 1))
        self.where = {
            c: (int(bounds[i]), int(bounds[i + 1]), float(rest[i]))
            for i, c in enumerate(cases.tolist())
        }

    def shortest_bed_days(self, deadline: float | None = None) -> npt.NDArray[np.float64]:
        """As over the formulation's variables: options with a start day that fits and saves.

        An option has one when its facility's earliest candidate day on which the case's
        beds fit for the whole stay saves waiting (the saving grows with the day).
        """
        p = self.problem
        h = p.horizon_days
        opens = candidate_mask(p) & (p.free_beds > 0)
        days = np.arange(h)
        beds = p.case_beds[p.opt_case]
        earliest = np.full(p.n_options, h, dtype=np.int64)  # h: no day fits
        # per bed count, the first day from each day on with fewer beds free: a stay fits
        # when it ends by then (per stay and bed count, the facilities with such options
        # only; a window minimum per stay over every facility took 6.3 s for stays of every
        # length up to 180 days, issue 11)
        reach = fit_reach(p.free_beds, int(beds.max()) if beds.size else 0)
        for s in np.unique(self.stay).tolist():
            if deadline is not None and time.perf_counter() > deadline:
                break
            of_stay = np.flatnonzero(self.stay == s)
            ends = np.minimum(days + max(s, 1), h)
            for b in np.unique(beds[of_stay]).tolist():
                chosen = of_stay[beds[of_stay] == b]
                fac, at = np.unique(p.opt_facility[chosen], return_inverse=True)
                fits = opens[fac] & (reach[b][fac] >= ends)  # their facilities only
                first = np.where(fits.any(axis=1), fits.argmax(axis=1), h)
                earliest[chosen] = first[at]
        case = p.opt_case
        saving = p.case_weight[case] * earliest + (p.opt_penalty - self.unplaced[case])
        useful = np.flatnonzero((earliest < h) & (saving < 0))
        shortest = np.full(p.n_cases, np.inf)
        bed_days = (beds[useful] * self.stay[useful]).astype(np.float64)
        np.minimum.at(shortest, case[useful], bed_days)
        return shortest


def greedy_outcome(
    plan: list[tuple[int, int]],
    *,
    build_seconds: float = 0.0,
    solve_seconds: float = 0.0,
    notes: tuple[str, ...] = (),
) -> Outcome:
    """A greedy plan as a method's answer: no bound, not optimal."""
    bare = Outcome(plan=plan, bound=-np.inf, optimal=False, method="greedy")
    return replace(bare, build_seconds=build_seconds, solve_seconds=solve_seconds, notes=notes)


def greedy_plans(problem: MatchingProblem, form: Formulation) -> list[list[tuple[int, int]]]:
    """The greedy plans in every order that can differ.

    The orders are priority, per bed and, when some stay ends inside the horizon, per
    bed-day.
    """
    plans = [
        solve_greedy(problem, form).plan,
        solve_greedy(problem, form, per_bed=True).plan,
    ]
    if stays_end_inside(problem):
        plans.append(solve_greedy(problem, form, per_bed_day=True).plan)
    return plans


def stays_end_inside(problem: MatchingProblem) -> bool:
    """Whether some stay ends inside the horizon (else per bed-day is the per-bed order)."""
    return bool((problem.stay_to < problem.horizon_days).any())


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
