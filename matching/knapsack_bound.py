"""A Lagrangian bound with the budgets kept whole: beds priced, budgets a knapsack (issue 11).

With budgets that bind on a round of few cases, the LP relaxation can be far under the
optimum for a reason no bed price repairs: a budget that pays for two placements and
a third of another lets the LP place that third. Unseen sweep seed 3533 (80 cases over
180 days, eight regions' budgets at 70 % of what the greedy spends, beds to spare): the
LP 360.6, the plan 884.5 and optimal; HiGHS's branch and cut on the whole round reached
869 after 120 s (51 s of it presolve), its cuts closing the gap round by round.

Here the beds' rows are priced instead (``lam[f, d] >= 0`` weighted days per bed and
day; keep-apart rows at 0) and what is left is kept whole: each case at most once and
every budget. Each (option, start day) pair then costs its saving plus its beds' price,
so an option is worth its cheapest start day, and the round falls apart into a small MIP
over options: at most one option a case, each budget's options within the budget (a
multiple-choice knapsack). For any prices

    L = constant - sum lam x free + min { sum_o value_o y_o : y whole, the rows kept }

is a proven lower bound on the round (weak duality), at least the Lagrangian over beds
and budgets (:mod:`matching.capacity_bound`) at the same bed prices and any budget
prices, which prices the budgets instead of keeping them; at column generation's duals
it starts at the LP bound. Where the clock cuts the MIP short its proven bound stands in.

Options that cost no budget are not variables: a case takes the cheapest of them (or
nothing, when none saves anything) unless an option paid by a budget saves more, and only
such options are the MIP's columns, valued against it. On 3533 at column generation's
prices: 411 columns, the bound 879.7-879.9 in 0.1-0.2 s (the plan 0.5 % above it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from matching.capacity_bound import Relaxation
from matching.formulation import Formulation
from matching.lpmodel import LinearModel
from matching.mip import new_highs, pass_model, run_guarded

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PRICE_TOL = 1e-9  # an option must save this much more than the case's free best to count
# taken off the MIP's proven bound, relative to it (HiGHS's feasibility tolerance)
SAFETY = 1e-6
# options paid by a budget at most: on the budget shapes of the benchmark family at S
# (4,600-5,200 such options, hundreds of cases a budget) HiGHS had not closed the MIP
# after 30 s, and the bound it proved was the LP's
MAX_COLUMNS = 3_000


@dataclass(frozen=True)
class KnapsackBound:
    """What keeping the budgets whole proved.

    Parameters
    ----------
    bound
        The proven lower bound on the round (``-inf`` when the MIP proved nothing).
    columns
        Options paid by a budget that could beat the case's free choice: the MIP's columns.
    optimal
        The MIP was solved to optimality.
    """

    bound: float
    columns: int
    optimal: bool


def knapsack_fits(form: Formulation) -> bool:
    """Whether a budget can bind and its options are few enough for the MIP (at any prices)."""
    streams = form.binding_streams
    if streams.size == 0:
        return False
    return int(np.isin(form.problem.opt_stream, streams).sum()) <= MAX_COLUMNS


def knapsack_bound(
    relax: Relaxation,
    lam: FloatArray,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 1,
) -> KnapsackBound:
    """The Lagrangian bound over beds at ``lam``, the cases' choices and budgets kept whole.

    Parameters
    ----------
    relax
        The round's (option, start day) pairs (every start day, so the bound is the
        round's even when the model solved is restricted).
    lam
        Prices per bed and day ``(n_facilities, horizon_days)``; negative values are
        taken as 0.
    deadline
        Wall-clock time (``time.perf_counter``) by which to stop; the MIP's proven bound
        then stands.
    seed, threads
        HiGHS settings.
    """
    if relax.streams.size == 0 or relax.option.size == 0:
        return KnapsackBound(-math.inf, 0, False)
    lam = np.maximum(np.asarray(lam, dtype=np.float64), 0.0)
    base, pairs, case, value = _columns(relax, lam)
    constant = relax.constant + float(base.sum()) - float((lam * relax.free).sum())
    if pairs.size == 0:  # no budget can change a case's choice: the relaxation is whole
        return KnapsackBound(constant, 0, True)
    if pairs.size > MAX_COLUMNS or time.perf_counter() >= deadline:
        return KnapsackBound(-math.inf, int(pairs.size), False)
    model = _model(relax, pairs, case, value)
    h = new_highs(
        seed=seed, threads=threads, time_limit=deadline - time.perf_counter(), relative_gap=1e-9
    )
    pass_model(h, model, integer=True)
    # aside, left behind if it does not answer: HiGHS's presolve looped for minutes on a
    # sub-MIP with budget rows (matching.highs_run)
    run = run_guarded(h, deadline, aside=True)
    if not math.isfinite(run.dual_bound):
        return KnapsackBound(-math.inf, int(pairs.size), False)
    proven = run.dual_bound - SAFETY * max(1.0, abs(run.dual_bound))
    return KnapsackBound(constant + proven, int(pairs.size), run.optimal)


def _columns(
    relax: Relaxation, lam: FloatArray
) -> tuple[FloatArray, IntArray, IntArray, FloatArray]:
    """Each case's free best (at most 0), and the budgets' options that beat it.

    Returns the free best per case, one pair per such option (its cheapest start day), the
    pair's case and how much it saves against the free best (negative).
    """
    n_pairs = relax.option.size
    value = relax.priced(lam, np.zeros(relax.streams.size))
    sizes = np.diff(np.append(relax.group_start, n_pairs))
    case = np.repeat(np.arange(relax.group_start.size), sizes)
    base = np.zeros(relax.group_start.size)
    free = relax.budget_row < 0
    np.minimum.at(base, case[free], value[free])
    better = np.flatnonzero(~free & (value < base[case] - PRICE_TOL))
    order = better[np.lexsort((value[better], relax.option[better]))]
    first = np.ones(order.size, dtype=bool)
    first[1:] = relax.option[order[1:]] != relax.option[order[:-1]]
    pairs = order[first].astype(np.int64)
    return base, pairs, case[pairs], value[pairs] - base[case[pairs]]


def _model(relax: Relaxation, pairs: IntArray, case: IntArray, value: FloatArray) -> LinearModel:
    """The MIP: at most one option a case, each budget's options within it (scaled)."""
    n = pairs.size
    _, case_row, counts = np.unique(case, return_inverse=True, return_counts=True)
    several = counts[case_row] > 1
    row_of_case = np.cumsum(counts > 1) - 1
    n_case_rows = int((counts > 1).sum())
    budget = relax.budget_row[pairs].astype(np.int64)
    scale = relax.budget_scale  # euros per placement, for HiGHS's numerics
    n_rows = n_case_rows + relax.streams.size
    matrix = csr_matrix(
        (
            np.concatenate([np.ones(int(several.sum())), relax.cost[pairs] / scale[budget]]),
            (
                np.concatenate([row_of_case[case_row[several]], n_case_rows + budget]),
                np.concatenate([np.flatnonzero(several), np.arange(n)]),
            ),
        ),
        shape=(n_rows, n),
    )
    return LinearModel(
        cost=value.astype(np.float64),
        offset=0.0,
        col_lower=np.zeros(n),
        col_upper=np.ones(n),
        integer=np.ones(n, dtype=bool),
        matrix=matrix,
        row_lower=np.full(n_rows, -np.inf),
        row_upper=np.concatenate([np.ones(n_case_rows), relax.budget / scale]),
        n_x=n,
    )
