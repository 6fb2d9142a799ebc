"""A Lagrangian bound by facility: each facility's beds over time kept whole (issue 11).

On the rounds with short stays and families the LP relaxation itself is 0.85-0.94 % under
the optimum at S: a family of three can be a third placed in two facilities at once, and
no LP-strength bound proves those rounds. Here the rows that tie facilities together are
priced instead, and each facility's beds kept. With prices ``lam[f, d] >= 0`` per bed and
day and ``mu[s] >= 0`` per euro of each stream, each case's price ``y_c`` is its cheapest
priced (option, start day) pair's value, ``min(0, saving + beds x lam over the stay + cost x
mu)``; "each case at most once" is priced at ``y_c``, the budgets at ``mu``, keep-apart
pairs at 0. What is left falls apart by facility: which of its pairs to take, with its
beds on every day and each case at most once *there*, the pairs whole. For any prices

    L = constant + sum_c y_c - sum_s mu_s budget_s
        + sum_f min { sum_j (saving_j + cost_j mu - y_c(j)) x_j : x feasible at f, whole }

is a proven lower bound on the round (weak duality; keeping "at most once" within a
facility is allowed, every plan obeys it). Pricing the beds too gives each facility's
minimum at least ``-lam_f x free_f``, and with those values ``L`` is the Lagrangian bound
over beds and budgets (:mod:`matching.capacity_bound`) at the same prices exactly; solving
a facility's problem whole (a small MIP) can only raise it. Where the clock cuts a MIP
short, its proven bound stands in, or ``-lam_f x free_f`` if higher.

The prices used are column generation's duals when it completed (:func:`bed_prices`: the
LP optimum, so ``L`` starts at the LP bound). At the LP optimum a facility where the LP's
solution is whole gains nothing (that solution is optimal for its problem too), so the
facilities where the LP splits a placement go first, most split first
(:func:`split_facilities`).

Issue 11, ``issue-11`` S seed 1 (LP 5,429.1; the independent reference's bound after 60 s
of HiGHS branch and cut 5,480.3): 53 facilities split, 5,476.1 after solving them (5.4 s;
5,454.1 in 2 s); ``short-stays`` S 4,852.5 to 4,883.6 in 1.8 s (reference 4,894.1).
HiGHS's presolve is off for these problems: its probing took 0.1-3 s on problems of
200-560 columns that the root's cuts then solve in 0.07-1.3 s. At M, from the Lagrangian
over beds and budgets (no column generation there), a facility's problem took 2-3 s:
not used there.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.capacity_bound import Relaxation
from matching.colgen import MasterLP
from matching.formulation import Formulation
from matching.lpmodel import LinearModel
from matching.mip import new_highs, pass_model, run_guarded

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PRICE_TOL = 1e-9  # a column priced under minus this can lower its facility's minimum
# taken off each facility's MIP bound, relative to it (HiGHS's tolerances: the bound is
# proven for the problem as HiGHS sees it, up to its feasibility tolerance of 1e-6)
SAFETY = 1e-6
MAX_COLUMNS = 4_000  # a facility's problem with more columns is not tried
FRACTION_TOL = 1e-6  # a value further than this from a whole number is split


@dataclass(frozen=True)
class FacilityBound:
    """What solving facilities whole proved.

    Parameters
    ----------
    bound
        The proven lower bound on the round.
    lp_bound
        The same sum with no facility solved whole (column generation's bound at these
        duals).
    solved, tried
        Facilities whose problem was solved to optimality; facilities a MIP ran on.
    pairs
        The relaxation's pairs in the best whole schedules found (a pool for plans; a case
        may be in several facilities' schedules).
    """

    bound: float
    lp_bound: float
    solved: int = 0
    tried: int = 0
    pairs: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def placements(self, relax: Relaxation) -> list[tuple[int, int]]:
        """The pool as (option, start day) placements."""
        day = relax.start[self.pairs] % (relax.h + 1)
        return list(zip(relax.option[self.pairs].tolist(), day.tolist(), strict=True))


def split_facilities(form: Formulation, columns: IntArray, x: FloatArray) -> IntArray:
    """Facilities where the LP's solution splits a placement, the most split first.

    Parameters
    ----------
    form
        The formulation.
    columns, x
        The LP's columns (formulation variables) and their values.
    """
    values = np.asarray(x[: columns.size], dtype=np.float64)
    split = np.abs(values - np.round(values)) > FRACTION_TOL
    if not split.any():
        return np.zeros(0, dtype=np.int64)
    fac = form.var_facility[columns[split]].astype(np.int64)
    spread = values[split] * (1 - values[split])
    mass = np.bincount(fac, spread, minlength=form.problem.n_facilities)
    found = np.unique(fac)
    order: IntArray = found[np.argsort(-mass[found], kind="stable")].astype(np.int64)
    return order


def bed_prices(form: Formulation, master: MasterLP) -> tuple[FloatArray, FloatArray]:
    """Column generation's duals as prices per bed and day and per euro of each stream.

    A capacity row is a facility's check day; its dual, on that day, prices every stay that
    covers it as the master did (a stay covers the check days from its start to its end).
    The budgets' prices are the master's own (:attr:`MasterLP.prices`, from the same
    duals). Returns ``(n_facilities, horizon_days)`` and per-stream prices (``>= 0``).
    """
    p = form.problem
    nc = p.n_cases
    slots = form.capacity_slots.astype(np.int64)
    y = np.minimum(np.asarray(master.duals, dtype=np.float64), 0.0)
    lam = np.zeros(p.free_beds.shape)
    if slots.size:
        facility = np.searchsorted(form.check_offset, slots, side="right") - 1
        day = np.concatenate(form.check_days).astype(np.int64)[slots]
        lam[facility, day] = -y[nc : nc + slots.size]
    mu = np.zeros(len(p.stream_ids))
    if form.binding_streams.size and master.prices.size:
        mu[form.binding_streams] = master.prices
    return lam, mu


def facility_bound(
    relax: Relaxation,
    lam: FloatArray,
    mu: FloatArray,
    *,
    deadline: float,
    facilities: Iterable[int],
    seed: int = 0,
    threads: int = 2,
) -> FacilityBound:
    """The Lagrangian bound by facility at these prices, solving ``facilities`` whole.

    Parameters
    ----------
    relax
        The round's (option, start day) pairs (:class:`matching.capacity_bound.Relaxation`:
        every start day of the round, so the bound is the round's even when the model
        solved is restricted).
    lam, mu
        Prices per bed and day ``(n_facilities, horizon_days)`` and per euro of each
        stream (negative values are taken as 0): with them each case's price is its
        cheapest priced pair's value, and each facility's LP-strength value ``-lam x
        free``; keep-apart rows are priced at 0.
    deadline
        Wall-clock time (``time.perf_counter``) by which to stop; the facility in hand is
        cut short and its proven part kept.
    facilities
        Which facilities to solve whole, in this order; the others keep their
        LP-strength value.
    seed, threads
        HiGHS settings.
    """
    lam = np.maximum(np.asarray(lam, dtype=np.float64), 0.0)
    mu = np.maximum(np.asarray(mu, dtype=np.float64), 0.0)[relax.streams]
    n_pairs = relax.option.size
    sizes = np.diff(np.append(relax.group_start, n_pairs))
    case_price = np.zeros(relax.group_start.size)
    free_priced = relax.priced(np.zeros_like(lam), mu)  # the beds left in the facilities
    if n_pairs:
        case_price = np.minimum(np.minimum.reduceat(relax.priced(lam, mu), relax.group_start), 0)
    priced = free_priced - np.repeat(case_price, sizes)
    value = -(lam * relax.free).sum(axis=1)
    base = relax.constant + float(case_price.sum()) - float(mu @ relax.budget)
    lp_bound = base + float(value.sum())
    h1 = relax.h + 1
    useful = np.flatnonzero(priced < -PRICE_TOL)
    facility = (relax.start[useful] // h1).astype(np.int64)
    order = np.argsort(facility, kind="stable")
    useful, facility = useful[order], facility[order]
    bounds = np.searchsorted(facility, np.arange(relax.free.shape[0] + 1))
    solved = tried = 0
    pool: list[IntArray] = []
    for f in facilities:
        if time.perf_counter() >= deadline:
            break
        pairs = useful[bounds[f] : bounds[f + 1]]
        if pairs.size == 0 or pairs.size > MAX_COLUMNS:
            continue
        found, whole, chosen = _solve_facility(
            relax, int(f), pairs, priced[pairs], deadline, seed, threads
        )
        tried += 1
        solved += whole
        if math.isfinite(found):
            value[f] = max(value[f], found - SAFETY * max(1.0, abs(found)))
        pool.append(chosen)
    chosen_pairs = np.concatenate(pool) if pool else np.zeros(0, dtype=np.int64)
    return FacilityBound(base + float(value.sum()), lp_bound, solved, tried, chosen_pairs)


def _solve_facility(
    relax: Relaxation,
    f: int,
    pairs: IntArray,
    cost: FloatArray,
    deadline: float,
    seed: int,
    threads: int,
) -> tuple[float, bool, IntArray]:
    """One facility's problem as a MIP: its proven bound, whether optimal, its best pairs.

    Rows: the beds on each day where the pairs could need more than are free, and "at
    most once" for each case with more than one pair here.
    """
    n = pairs.size
    h1 = relax.h + 1
    first = (relax.start[pairs] - f * h1).astype(np.int64)
    span = (relax.end[pairs] - relax.start[pairs]).astype(np.int64)
    cols = np.repeat(np.arange(n), span)
    days = np.repeat(first - np.cumsum(span) + span, span) + np.arange(int(span.sum()))
    beds = relax.beds[pairs].astype(np.float64)
    load = np.bincount(days, beds[cols], minlength=relax.h)
    tight = load > relax.free[f] + 0.5
    keep = tight[days]
    used, rows = np.unique(days[keep], return_inverse=True)
    cols, entries = cols[keep], beds[cols[keep]]
    case = relax.problem.opt_case[relax.option[pairs]]
    _, case_index, counts = np.unique(case, return_inverse=True, return_counts=True)
    several = counts[case_index] > 1
    row_of_case = np.cumsum(counts > 1) - 1
    n_rows = used.size + int((counts > 1).sum())
    matrix = csr_matrix(
        (
            np.concatenate([entries, np.ones(int(several.sum()))]),
            (
                np.concatenate([rows, used.size + row_of_case[case_index[several]]]),
                np.concatenate([cols, np.flatnonzero(several)]),
            ),
        ),
        shape=(n_rows, n),
    )
    model = LinearModel(
        cost=cost.astype(np.float64),
        offset=0.0,
        col_lower=np.zeros(n),
        col_upper=np.ones(n),
        integer=np.ones(n, dtype=bool),
        matrix=matrix,
        row_lower=np.full(n_rows, -np.inf),
        row_upper=np.concatenate([relax.free[f, used], np.ones(n_rows - used.size)]),
        n_x=n,
    )
    h = new_highs(
        seed=seed, threads=threads, time_limit=deadline - time.perf_counter(), relative_gap=1e-9
    )
    h.setOptionValue("presolve", "off")
    pass_model(h, model, integer=True)
    run = run_guarded(h, deadline)
    chosen = (
        pairs[run.col_value > 0.5].astype(np.int64)
        if run.col_value is not None
        else np.zeros(0, dtype=np.int64)
    )
    return run.dual_bound, run.optimal, chosen
