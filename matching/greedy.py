"""Priority greedy: highest weight first, each case at its cheapest feasible option and day.

A fast feasible plan, used as the baseline in benchmarks, as the hint of the exact
methods and as the fallback when they find nothing in time.

Per case, in order of cost, the first (option, start day) whose beds fit on every day of
the stay, whose stream can still pay and whose facility holds no case it must be kept
apart from. With a formulation it walks the case's variables; without one, each option's
earliest fitting open day (:class:`matching.free_beds.FreeBeds`), which is its cheapest.
Each case is one vectorised look-up: 20,000 cases in 0.3-0.5 s at L, where a loop over
options and days took 90 s (issue 3).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
import numpy.typing as npt

from matching.budget_prices import HIGH_PRICE_FACTOR, estimated_prices
from matching.formulation import Formulation, binding_streams, open_start_days
from matching.free_beds import FreeBeds
from matching.outcome import Outcome
from matching.problem import NO_STREAM, MatchingProblem

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
CHECK_EVERY = 50  # cases between looks at the clock (up to 0.1 s at L under load)
# options whose earliest fitting day the per-bed-day set-up looks up between looks at the
# clock (unsorted binary searches: 15.5 million took 4 s on this machine, 2026-12-05)
SET_UP_OPTIONS = 500_000
# a plan with its budgets priced is two passes (the priced one, then a completion): about
# twice a plain order's time at most
PRICED_PASSES = 2.0
PRICED_SHARE = 0.3  # of the time to the deadline, for the greedy plans with budgets priced


def solve_greedy(
    problem: MatchingProblem,
    form: Formulation | None = None,
    *,
    start: Sequence[tuple[int, int]] = (),
    per_bed: bool = False,
    per_bed_day: bool = False,
    guide: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
    budget_prices: FloatArray | None = None,
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
    budget_prices
        Per stream, weighted days per euro (``inf`` allowed): each pair's key adds its
        cost at its stream's price, and pairs whose priced key saves no waiting are left
        out (:mod:`matching.budget_prices`). The plan may leave budget unspent:
        :func:`priced_plan` completes it.
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
    charge = None if budget_prices is None else _charges(p, budget_prices)
    columns: _Columns = (
        _GridColumns(p, per_bed_day, charge)
        if form is None
        else _FormColumns(form, per_bed_day, guide, charge)
    )
    state = PlacingState(p, columns.open_days)
    priority = p.case_weight / p.case_beds if per_bed else p.case_weight
    if per_bed_day:  # before the start plan's beds are taken: the round's own stays
        priority = p.case_weight / columns.shortest_bed_days(state, deadline)
    for k, d in start:
        state.take(int(p.opt_case[k]), int(k), int(d))
    if guide is not None:
        priority = guide[0] + 1e-9 * p.case_weight
    if deadline is not None and time.perf_counter() > deadline:
        return greedy_outcome(state.plan)  # the set-up took the time: nobody more placed
    order = _ranking(p, priority)
    for n, c in enumerate(order):
        if deadline is not None and n % CHECK_EVERY == 0 and time.perf_counter() > deadline:
            break
        if state.facility_of[c] >= 0:
            continue
        pair = columns.cheapest_fit(c, state)
        if pair is not None:
            state.take(c, *pair)
    return greedy_outcome(state.plan)


class PlacingState:
    """The free beds, budgets and facilities left while the greedy places cases."""

    def __init__(self, problem: MatchingProblem, open_days: BoolArray | None = None) -> None:
        p = problem
        self.problem = p
        self.stay = p.stay_to
        self.stream_of = np.where(p.opt_stream == NO_STREAM, len(p.stream_ids), p.opt_stream)
        self.budget = np.append(p.budget, np.inf)
        self.budgets = bool(np.isfinite(p.budget).any())  # else no stream can run out
        self.cost = p.opt_cost
        self.spent = np.zeros(self.budget.size)
        self.free = FreeBeds(p.free_beds, p.case_beds, open_days)
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
        ok = self.free.fits(int(self.beds[c]), fac, begin, end) & self.allowed(c, opt, fac)
        i = int(ok.argmax())
        return i if ok[i] else -1

    def allowed(self, c: int, opt: IntArray, fac: IntArray) -> BoolArray:
        """Per entry, whether option ``opt`` (at facility ``fac``) is open to case ``c``.

        Its stream can still pay for it and its facility holds none of the cases ``c``
        must be kept apart from.
        """
        ok = np.ones(opt.size, dtype=bool)
        if self.budgets:
            stream = self.stream_of[opt]
            ok &= self.spent[stream] + self.cost[opt] <= self.budget[stream]
        if c in self.apart:
            taken = self.facility_of[self.apart[c]]
            for f in taken[taken >= 0].tolist():  # a few partners: cheaper than np.isin
                ok &= fac != f
        return ok

    def take(self, c: int, k: int, d: int) -> None:
        """Place case ``c`` on option ``k`` from day ``d``: its beds, euros and facility."""
        p = self.problem
        f = int(p.opt_facility[k])
        self.free.take(f, d, min(d + int(self.stay[k]), p.horizon_days), int(p.case_beds[c]))
        self.spent[self.stream_of[k]] += p.opt_cost[k]
        self.facility_of[c] = f
        self.plan.append((k, d))


class _Columns(Protocol):
    """Each case's (option, start day) pairs, in the order the greedy tries them.

    ``open_days``: ``[f, d]``, whether a stay may start at ``f`` on day ``d``, when the
    columns ask the placing state for each option's earliest fitting day.
    """

    open_days: BoolArray | None

    def cheapest_fit(self, c: int, state: PlacingState) -> tuple[int, int] | None:
        """The option and start day of case ``c`` that the greedy picks, over every pair.

        The cheapest pair that fits ``state`` (ties by option, then day) and saves
        waiting; ``None`` when there is none.
        """
        ...

    def shortest_bed_days(
        self, state: PlacingState, deadline: float | None = None
    ) -> npt.NDArray[np.float64]:
        """Per case, the fewest bed-days of a stay it could be given in ``state``.

        Past ``deadline`` it may stop early (the greedy then places nobody).
        """
        ...


class _FormColumns:
    """The formulation's variables of each case."""

    def __init__(
        self,
        form: Formulation,
        per_bed_day: bool,
        guide: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None,
        charge: FloatArray | None = None,
    ) -> None:
        p = form.problem
        self.form = form
        self.open_days: BoolArray | None = None
        by_case = _grouped_by_case(form.var_case)
        saving = form.var_saving
        if charge is not None:  # what saves no more than its budget's price is left out
            saving = saving + charge[form.var_option]
            by_case = by_case[saving[by_case] < 0]
        self.by_case = by_case
        self.bounds = np.searchsorted(form.var_case[self.by_case], np.arange(p.n_cases + 1))
        self.bed_days = (p.case_beds[form.var_case] * p.stay_to[form.var_option]).astype(np.float64)
        self.key = saving / self.bed_days if per_bed_day else saving
        if guide is not None:
            self.key = guide[1]

    def cheapest_fit(self, c: int, state: PlacingState) -> tuple[int, int] | None:
        own = self.by_case[self.bounds[c] : self.bounds[c + 1]]
        own = own[np.argsort(self.key[own], kind="stable")]
        opt = self.form.var_option[own].astype(np.int64)
        begin = self.form.var_day[own].astype(np.int64)
        i = state.first_fit(c, opt, begin)
        return (int(opt[i]), int(begin[i])) if i >= 0 else None

    def shortest_bed_days(
        self, state: PlacingState, deadline: float | None = None
    ) -> npt.NDArray[np.float64]:
        del state, deadline  # one pass over the formulation's variables, which fit the round
        shortest = np.full(self.form.problem.n_cases, np.inf)
        np.minimum.at(shortest, self.form.var_case, self.bed_days)
        return shortest


class _GridColumns:
    """Each case's options on their facilities' open candidate start days, without a model.

    Within an option the key grows with the start day, so an option's earliest fitting
    day is its cheapest fitting pair, and a case's pick is the cheapest of its options'
    (ties by option, as a sort of every pair would have them): one binary search per
    option in the placing state (:meth:`FreeBeds.earliest`). Issue 11: all the pairs, 20
    million at L with short stays, took 10-17 s per order under load when they were made
    and sorted; each case's options on every day, 55-75 % of an order on the 6,000-case
    rounds of the robustness sweep whose facilities are full.
    """

    def __init__(
        self, problem: MatchingProblem, per_bed_day: bool, charge: FloatArray | None = None
    ) -> None:
        p = problem
        self.problem = p
        self.per_bed_day = per_bed_day
        self.charge = charge  # per option, its cost at its stream's price (or none)
        self.open_days: BoolArray | None = open_start_days(p)
        self.by_case = np.argsort(p.opt_case, kind="stable").astype(np.int64)  # case by case
        self.fac = p.opt_facility.astype(np.int64)
        self.case_bounds = np.searchsorted(p.opt_case[self.by_case], np.arange(p.n_cases + 1))
        self.stay = p.stay_to  # properties of the problem, computed on each access
        self.unplaced = p.unplaced_cost

    def cheapest_fit(self, c: int, state: PlacingState) -> tuple[int, int] | None:
        p = self.problem
        opts = self.by_case[self.case_bounds[c] : self.case_bounds[c + 1]]
        fac = self.fac[opts]
        allowed = state.allowed(c, opts, fac)
        if not allowed.all():
            opts, fac = opts[allowed], fac[allowed]
        if opts.size == 0:
            return None
        stay = self.stay[opts]
        first = state.free.earliest(int(p.case_beds[c]), fac, stay)
        key = p.case_weight[c] * first + (p.opt_penalty[opts] - self.unplaced[c])
        if self.charge is not None:
            key = key + self.charge[opts]
        if self.per_bed_day:
            key = key / (p.case_beds[c] * stay).astype(np.float64)
        key = np.where((first < p.horizon_days) & (key < 0), key, np.inf)
        j = int(key.argmin())
        return (int(opts[j]), int(first[j])) if key[j] < np.inf else None

    def shortest_bed_days(
        self, state: PlacingState, deadline: float | None = None
    ) -> npt.NDArray[np.float64]:
        """As over the formulation's variables: options with a start day that fits and saves.

        An option has one when its earliest fitting open day saves waiting (the saving
        falls with the day). Options go ``SET_UP_OPTIONS`` at a time, and past
        ``deadline`` the rest are left out (the greedy then places nobody).
        """
        p = self.problem
        h = p.horizon_days
        earliest = np.full(p.n_options, h, dtype=np.int64)  # h: no day fits
        beds = p.case_beds[p.opt_case]
        for first in range(0, p.n_options, SET_UP_OPTIONS):
            if deadline is not None and time.perf_counter() > deadline:
                break
            part = slice(first, first + SET_UP_OPTIONS)
            earliest[part] = state.free.earliest(beds[part], self.fac[part], self.stay[part])
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


def greedy_plans(
    problem: MatchingProblem, form: Formulation, deadline: float | None = None
) -> list[list[tuple[int, int]]]:
    """The greedy plans in every order that can differ (:func:`greedy_orders`).

    The first always; each other only when it would end before ``deadline`` at the pace
    of the slowest so far (wall-clock, ``time.perf_counter``; none given: all): sweep
    seed 1949, 5,900 cases in one part at T = 1 s, ran three orders of 0.38-0.40 s each
    and answered after 1.55-1.64 s (issue 11). And, when budgets bind, the plans with
    their euros priced (:func:`priced_orders`), each only when it can end within
    ``PRICED_SHARE`` of the time to ``deadline`` at ``PRICED_PASSES`` times the slowest
    plain order's pace (issue 11: at T = 2 s on 6,000 cases, sweep seed 1847, three
    priced plans took 0.54 s and left column generation no time; its answer was 14 %
    worse).
    """
    started = time.perf_counter()
    plans: list[list[tuple[int, int]]] = []
    slowest = 0.0
    for per_bed_day, per_bed in greedy_orders(problem):
        t = time.perf_counter()
        if plans and deadline is not None and t + slowest > deadline:
            break
        plans.append(solve_greedy(problem, form, per_bed=per_bed, per_bed_day=per_bed_day).plan)
        slowest = max(slowest, time.perf_counter() - t)
    until = math.inf if deadline is None else started + PRICED_SHARE * (deadline - started)
    # without the model's columns when it has all of them: the same plan, and faster where
    # an option has many start days (`issue-11` M, 2.4 million columns: three priced plans
    # in 0.42 s instead of 0.78 s)
    columns = form if form.restricted else None
    for per_bed_day, prices in priced_orders(problem):
        if time.perf_counter() + PRICED_PASSES * slowest > until:
            break
        plans.append(priced_plan(problem, prices, columns, per_bed_day=per_bed_day))
    return plans


def priced_orders(problem: MatchingProblem) -> list[tuple[bool, FloatArray]]:
    """The greedy's orders with binding budgets priced, as (per bed-day, prices per stream).

    None without a binding budget or without a price on one. The priority order at
    ``HIGH_PRICE_FACTOR`` times the estimated prices (:mod:`matching.budget_prices`; the
    best of the three alone), the
    per-bed-day order at the estimated prices when some stay ends inside the horizon,
    and the priority order at them. Chosen on the unseen sweep seeds 1801-2000 (143
    rounds with binding budgets; 12 pairs of order and price tried): the best of these
    three was 1 % or more better than every plain order on 68 rounds, 0.90 of the best
    plain plan on the geometric mean, and better than ``solve``'s answer itself at the
    round's limit on 25 (issue 11).
    """
    p = problem
    if binding_streams(p).size == 0:
        return []
    estimated = estimated_prices(p)
    if not estimated.any():
        return []  # the cases' best options fit the budgets: the plain orders' plans
    orders = [(False, HIGH_PRICE_FACTOR * estimated)]
    if stays_end_inside(p):
        orders.append((True, estimated))
    orders.append((False, estimated))
    return orders


def priced_plan(
    problem: MatchingProblem,
    prices: FloatArray,
    form: Formulation | None = None,
    *,
    per_bed_day: bool = False,
    deadline: float | None = None,
) -> list[tuple[int, int]]:
    """A greedy plan at ``prices`` per euro of each stream, completed in the priority order.

    The priced pass leaves out what saves no more than its budget's price; the plain pass
    after it places whom the budgets and beds left can still take.
    """
    first = solve_greedy(
        problem, form, per_bed_day=per_bed_day, budget_prices=prices, deadline=deadline
    ).plan
    return solve_greedy(problem, form, start=first, deadline=deadline).plan


def _charges(problem: MatchingProblem, prices: FloatArray) -> FloatArray:
    """Per option, its cost at its stream's price (0 when it costs nothing or no stream pays)."""
    p = problem
    per_stream = np.append(prices, 0.0)[np.where(p.opt_stream == NO_STREAM, -1, p.opt_stream)]
    charge: FloatArray = np.zeros(p.n_options)
    paid = p.opt_cost > 0  # an infinite price on no cost is no charge, not nan
    charge[paid] = per_stream[paid] * p.opt_cost[paid]
    return charge


def greedy_orders(problem: MatchingProblem) -> list[tuple[bool, bool]]:
    """The greedy's orders that can give different plans, as (per bed-day, per bed).

    Priority first; per bed-day when some stay ends inside the horizon (else it is the
    per-bed order); per bed when it ranks the cases otherwise (with every case on the
    same number of beds it is the priority order: issue 11, a third of the greedy's time
    on the single-bed rounds of the robustness sweep, at T = 1 s on 6,000 cases). Per
    bed-day before per bed, for when time allows two orders only (:func:`greedy_plans`):
    it was the better of the two on sweep seeds 1949 and 1974 (1,335,978 against
    1,384,059; 660,324 against 866,655), and 1997's best (331,356; priority 452,047).
    """
    p = problem
    found = [(False, False)]
    if stays_end_inside(p):
        found.append((True, False))
    if _ranking(p, p.case_weight / p.case_beds) != _ranking(p, p.case_weight):
        found.append((False, True))
    return found


def _ranking(problem: MatchingProblem, priority: FloatArray) -> list[int]:
    """The cases in the order the greedy places them: highest ``priority`` first, ties by id."""
    return sorted(range(problem.n_cases), key=lambda c: (-priority[c], problem.case_ids[c]))


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
