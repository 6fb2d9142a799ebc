"""Column generation for the LP relaxation of large rounds (M: 3,000 cases, L: 20,000).

The whole LP has millions of (option, start day) columns; most never matter. The restricted
master holds a few per case (the cheapest, and the greedy plan's). Each round solves it,
prices *every* column in numpy from the duals (capacity duals summed over a stay with
prefix sums over the check slots), and adds the columns with the most negative reduced
cost, a few per case.

Every round also gives a proven lower bound, whether or not the master is optimal: the
Lagrangian bound with the capacity, budget and keep-apart rows priced by the duals and
"each case at most once" kept, which per case is ``min(0, cheapest priced column)`` (the
Farley bound). When no column prices out, it equals the LP optimum.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt

from matching.formulation import Formulation, Index
from matching.groups import Groups
from matching.lpmodel import assemble, budget_scale
from matching.mip import new_highs, pass_model, run_guarded

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
START_PER_CASE = 2  # cheapest columns per case in the first master
ADD_PER_SLOT = 2  # new columns per start slot and round, most negative first
PRICE_TOL = 1e-6  # reduced cost below which a column is worth adding
# adding columns to the master writes a capacity entry per check day of each stay and cannot
# be stopped: new columns are cut to what this speed fits into ADD_SHARE of the time left
# (a robustness sweep's round, 6,000 cases over 180 days at T = 5 s: 234,816 columns of
# stays up to 180 days added after the last solve took 4.4 s; 2.5-10 million entries a
# second measured on such rounds under load 2-3)
ADD_ENTRIES_PER_SECOND = 1_500_000
ADD_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class MasterLP:
    """Where column generation ended.

    Parameters
    ----------
    columns
        The formulation's variables in the master, in column order.
    highs
        HiGHS holding the solved master (for diving).
    x
        The master's LP solution.
    bound
        The best proven lower bound seen.
    lp_value
        The master's LP optimum (the LP bound itself when ``complete``).
    complete
        No column priced out: the master's LP is the whole LP.
    rounds
        Master solves.
    reduced
        Per variable, what placing it would add to ``bound`` at the duals that proved it
        (its priced value less its case's cheapest, or less 0): a plan using variable
        ``j`` costs at least ``bound + reduced[j]`` (empty before the first round).
    prices
        Per binding stream, the weighted days per euro its budget row was priced at by
        those duals (a start for :func:`matching.budget_bound.budget_bound`; empty before
        the first round).
    lp_seconds
        The longest master solve (what an LP on the kept columns may take).
    duals
        The row duals that proved ``bound`` (empty before the first round): prices for
        :func:`matching.facility_bound.facility_bound`.
    """

    columns: IntArray
    highs: highspy.Highs
    x: FloatArray
    bound: float
    lp_value: float
    complete: bool
    rounds: int
    reduced: FloatArray = field(default_factory=lambda: np.zeros(0))
    prices: FloatArray = field(default_factory=lambda: np.zeros(0))
    lp_seconds: float = 0.0
    duals: FloatArray = field(default_factory=lambda: np.zeros(0))


class Pricer:
    """Reduced costs of every column of a formulation, from the master's duals."""

    def __init__(self, form: Formulation, groups: Groups) -> None:
        self.form = form
        self.groups = groups
        self.by_slot = Groups(form.var_slots[0], int(form.check_offset[-1]))
        p = form.problem
        self.first, self.last = (s.astype(np.int64) for s in form.var_slots)
        self.beds = form.var_beds.astype(np.float64)
        self.n_cases = p.n_cases
        self.cap_slot = form.capacity_slots.astype(np.int64)
        self.n_cap = int(self.cap_slot.size)
        self.n_slots = int(form.check_offset[-1])
        self.n_budget = int(form.binding_streams.size)
        row_of_stream = np.full(len(p.stream_ids) + 1, -1, dtype=np.int64)  # NO_STREAM: last
        row_of_stream[form.binding_streams] = np.arange(self.n_budget)
        self.budget_row = row_of_stream[p.opt_stream[form.var_option]]
        self.budget_scale = budget_scale(form)
        self.cost = p.opt_cost[form.var_option]
        self.apart_rows, self.apart_cols = (a.astype(np.int64) for a in form.keep_apart_rows())
        model = assemble(form, columns=np.zeros(0, dtype=np.int64))  # the rows only
        self.rhs = model.row_upper

    def priced(self, y: FloatArray) -> FloatArray:
        """``saving - (capacity, budget and keep-apart rows)' y`` per column (case row left out)."""
        nc, ncap, nb = self.n_cases, self.n_cap, self.n_budget
        slot_dual = np.zeros(self.n_slots + 1)
        slot_dual[self.cap_slot] = y[nc : nc + ncap]
        prefix = np.concatenate([[0.0], np.cumsum(slot_dual)])
        stays = prefix[self.last] - prefix[self.first]  # capacity duals over each stay
        out: FloatArray = self.form.var_saving - self.beds * stays
        if nb:
            budget_dual = np.append(y[nc + ncap : nc + ncap + nb] / self.budget_scale, 0.0)
            out -= self.cost * budget_dual[self.budget_row]
        if self.apart_rows.size:
            np.subtract.at(out, self.apart_cols, y[nc + ncap + nb + self.apart_rows])
        return out

    def budget_prices(self, y: FloatArray) -> FloatArray:
        """Per budget row, its dual as weighted days per euro (``>= 0``)."""
        nc, ncap, nb = self.n_cases, self.n_cap, self.n_budget
        prices: FloatArray = np.maximum(-y[nc + ncap : nc + ncap + nb] / self.budget_scale, 0.0)
        return prices

    def bound(self, y: FloatArray, priced: FloatArray, offset: float) -> float:
        """The Lagrangian (Farley) bound for these duals (``y`` must be <= 0 off the case rows)."""
        nc = self.n_cases
        best = np.minimum(self.groups.minimum(priced), 0.0)
        return float(offset + y[nc:] @ self.rhs[nc:] + best.sum())


def _valid_duals(y: FloatArray) -> FloatArray:
    """Row duals with the sign every ``<=`` row allows (HiGHS may return tiny positives)."""
    return np.minimum(y, 0.0)


def initial_columns(form: Formulation, groups: Groups, extra: IntArray) -> IntArray:
    """The first master's columns: each case's ``START_PER_CASE`` cheapest, plus ``extra``.

    ``extra`` are the greedy plans' columns, which make the first master's LP nearly as good
    as they are.
    """
    saving = form.var_saving.copy()
    chosen = [extra.astype(np.int64)]
    for _ in range(START_PER_CASE):
        best = groups.argmin(saving)
        best = best[np.isfinite(saving[best])]
        chosen.append(best)
        saving[best] = np.inf
    return np.unique(np.concatenate(chosen)).astype(np.int64)


def _most_negative(
    by_case: Groups, by_slot: Groups, rc: FloatArray, inside: npt.NDArray[np.bool_]
) -> IntArray:
    """New columns with negative reduced cost, per case and per start slot.

    Per case its most negative one, and per start slot its ``ADD_PER_SLOT`` most negative
    ones (so the master soon holds the cases that compete for each bed, and the capacity
    duals settle in fewer rounds).
    """
    masked = np.where(inside | (rc >= -PRICE_TOL), np.inf, rc)
    chosen = [by_case.argmin(masked)]
    for _ in range(ADD_PER_SLOT):
        best = by_slot.argmin(masked)
        best = best[np.isfinite(masked[best])]
        chosen.append(best)
        masked[best] = np.inf
    new = np.unique(np.concatenate(chosen))
    return new[rc[new] < -PRICE_TOL].astype(np.int64)


def _affordable(form: Formulation, new: IntArray, rc: FloatArray, seconds: float) -> IntArray:
    """The most negative of ``new`` whose entries can be added in ``seconds``.

    A column's entries are about the check slots its stay covers.
    """
    first, last = form.var_slots
    entries = 1 + last[new] - first[new]
    if entries.sum() <= ADD_ENTRIES_PER_SECOND * seconds:
        return new
    order = np.argsort(rc[new], kind="stable")
    fits = np.cumsum(entries[order]) <= ADD_ENTRIES_PER_SECOND * seconds
    return np.sort(new[order[fits]])


def _add_columns(h: highspy.Highs, form: Formulation, new: Index) -> None:
    """Append columns to the master in HiGHS."""
    block = assemble(form, columns=new)
    csc = block.matrix.tocsc()
    h.addCols(
        new.size,
        block.cost,
        block.col_lower,
        block.col_upper,
        int(csc.nnz),
        csc.indptr[:-1].astype(np.int32),
        csc.indices.astype(np.int32),
        csc.data,
    )


@dataclass
class _Search:
    """The state of a column generation run."""

    columns: IntArray
    inside: npt.NDArray[np.bool_]
    bound: float = -math.inf
    lp_value: float = math.inf
    complete: bool = False
    rounds: int = 0
    reduced: FloatArray = field(default_factory=lambda: np.zeros(0))
    prices: FloatArray = field(default_factory=lambda: np.zeros(0))
    lp_seconds: float = 0.0
    duals: FloatArray = field(default_factory=lambda: np.zeros(0))


def _price(
    search: _Search, form: Formulation, pricer: Pricer, y: FloatArray
) -> tuple[IntArray, FloatArray]:
    """Price every column at the master's duals: the columns to add and the reduced costs.

    The bound is kept if it is the best so far. No columns to add: the master's LP is the
    whole LP.
    """
    priced = pricer.priced(y)
    bound = pricer.bound(y, priced, form.constant)
    if bound > search.bound:
        search.bound = bound
        cheapest = np.minimum(pricer.groups.minimum(priced), 0.0)
        search.reduced = priced - cheapest[form.var_case]
        search.prices = pricer.budget_prices(y)
        search.duals = y
    rc = priced - np.minimum(y[: form.problem.n_cases], 0.0)[form.var_case]
    return _most_negative(pricer.groups, pricer.by_slot, rc, search.inside), rc


def column_generation(
    form: Formulation,
    *,
    deadline: float,
    start: IntArray,
    seed: int = 0,
    threads: int = 2,
    max_rounds: int = 60,
    on_bound: Callable[[float], None] | None = None,
) -> MasterLP:
    """Solve the LP relaxation by column generation until it is complete or time is up.

    Parameters
    ----------
    form
        The whole formulation (columns are priced over all its variables).
    deadline
        Wall-clock time by which to stop (the last master solve is guarded by it).
    start
        Columns to include from the start (for example the greedy plans').
    seed, threads
        HiGHS settings.
    max_rounds
        Master solves at most.
    on_bound
        Called with the best bound after every round.

    Returns
    -------
    MasterLP
        The master, its solution and the best proven bound.
    """
    groups = Groups(form.var_case, form.problem.n_cases)
    columns = initial_columns(form, groups, start)
    pricer = Pricer(form, groups)
    h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=1e-6)
    pass_model(h, assemble(form, columns=columns), integer=False)
    search = _Search(columns, np.zeros(form.n_vars, dtype=bool))
    search.inside[columns] = True
    x = np.zeros(columns.size)
    if form.n_vars == 0:  # nobody can be placed: the LP is its constant
        search.bound, search.lp_value, search.complete = form.constant, form.constant, True
    while not search.complete and search.rounds < max_rounds and time.perf_counter() < deadline:
        run = run_guarded(h, deadline, lp=True)
        search.rounds += 1
        search.lp_seconds = max(search.lp_seconds, run.seconds)
        if not run.optimal or run.col_value is None or run.row_dual is None:
            break
        x, search.lp_value = run.col_value, run.objective
        y = run.row_dual.copy()
        y[form.problem.n_cases :] = _valid_duals(y[form.problem.n_cases :])
        new, rc = _price(search, form, pricer, y)
        if on_bound is not None:
            on_bound(search.bound)
        if new.size == 0:
            search.complete = True
            break
        left = deadline - time.perf_counter()
        new = _affordable(form, new, rc, ADD_SHARE * left) if left > 0 else new[:0]
        if new.size == 0:  # no master solve could see them before the deadline
            break
        _add_columns(h, form, new)
        search.inside[new] = True
        search.columns = np.concatenate([search.columns, new])
    columns = search.columns
    x = np.concatenate([x, np.zeros(columns.size - x.size)])  # columns added after the last solve
    return MasterLP(
        columns,
        h,
        x,
        search.bound,
        search.lp_value,
        search.complete,
        search.rounds,
        search.reduced,
        search.prices,
        search.lp_seconds,
        search.duals,
    )
