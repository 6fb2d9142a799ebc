"""A better plan from the LP on the priced columns: RINS at M and L (issue 11).

At M with short stays the formulation has 2.4-2.6 million columns: column generation does
not complete in its share of 30 s, and the plans of the Lagrangian prices
(:mod:`matching.priced_plans`) stay 2-7 % above the bound. What is left of the gap is
mostly the plan (the bound is within 0.03-0.5 % of the LP on the columns below). So:

1. the **priced columns**: at the Lagrangian's best prices, each (option, start day) of
   the round gets its reduced cost (:meth:`Relaxation.priced`); per case the formulation's
   columns within ``PRICED_REACH`` weighted days of that case's cheapest (or of 0 when
   nothing saves), and the plan's: 6-9 a case, 17,800-28,200 of 2.5 million at M;
2. the **LP** on them, with the capacity chain (2.7-4.9 s at M);
3. **RINS** (relaxation-induced neighbourhood search): every case the LP places whole where
   the plan places it is kept, and every case both leave unplaced; the others (about 1,400
   of 3,000 at M) are solved again as a MIP, with what the kept placements leave of the
   beds and budgets (:func:`matching.budget_repair.sub_mip`), from the plan; the greedy
   completes it. The MIPs widen while time is left: first only the columns the LP uses
   (3,300 at M, about a second), then those within 1 and 3 weighted days of their case's
   cheapest, each from the best plan so far (the MIP on 11,700 columns found its first
   better plan after 13.5 s: HiGHS's root cuts come first).

Every plan it returns keeps every rule (the kept placements' beds and euros are taken out
of the sub-MIP's problem, and keep-apart partners of kept cases lose their columns at the
kept facility), and it is never worse than the plan it starts from.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matching.budget_repair import completed, kept_apart, sub_mip
from matching.capacity_bound import CapacityBound
from matching.formulation import Formulation, pair_keys, plan_columns
from matching.greedy import solve_greedy
from matching.heuristics import WHOLE, best_plan
from matching.lpmodel import assemble
from matching.mip import Plan, new_highs, pass_model, run_guarded

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
# per case, the columns within this many weighted days of its cheapest at the prices are
# the LP's (issue 11: 6-9 columns a case at M; the sub-MIP on them found plans 1.1-2.9 %
# better)
PRICED_REACH = 1.0
# the sub-MIPs one after another, while time is left: the free cases' columns the LP uses
# (above LP_USES), and those within each of these of their case's cheapest (see :func:`rins`)
RINS_REACHES = (0.0, PRICED_REACH, 3.0)
LP_USES = 1e-6
STEP_MIN_SECONDS = 2.0  # a sub-MIP is not started with less time than this left


def priced_columns(
    form: Formulation, found: CapacityBound, plan: Plan, reach: float = PRICED_REACH
) -> tuple[IntArray, FloatArray]:
    """The formulation's columns within ``reach`` of their case's cheapest, and the plan's.

    Sorted column indices of ``form``, and each one's reduced cost at the prices above its
    case's cheapest (``inf`` for a plan's column the prices do not reach). Only the plan's
    columns when ``found`` has no relaxation.
    """
    relax = found.relaxation
    mine = plan_columns(form, plan)
    if relax is None or relax.option.size == 0:
        return mine, np.full(mine.size, np.inf)
    lam, mu = found.trail[-1] if found.trail else (found.bed_prices, found.budget_prices)
    value = relax.priced(lam, mu)
    cheapest = np.minimum(np.minimum.reduceat(value, relax.group_start), 0.0)
    sizes = np.diff(np.append(relax.group_start, value.size))
    excess = value - np.repeat(cheapest, sizes)
    near = np.flatnonzero(excess <= reach)
    wanted = pair_keys(form, relax.option[near], relax.start[near] % (relax.h + 1))
    order = np.argsort(wanted)
    wanted, near = wanted[order], near[order]
    keys = pair_keys(form, form.var_option, form.var_day)
    at = np.minimum(np.searchsorted(wanted, keys), max(wanted.size - 1, 0))
    hit = wanted[at] == keys if wanted.size else np.zeros(keys.size, dtype=bool)
    columns = np.union1d(np.flatnonzero(hit), mine).astype(np.int64)
    above = np.full(form.n_vars, np.inf)
    above[hit] = excess[near[at[hit]]]
    return columns, above[columns]


def lp_values(
    form: Formulation, columns: IntArray, *, deadline: float, seed: int, threads: int
) -> FloatArray | None:
    """The LP optimum on ``columns`` (with the capacity chain), per column; None if not solved."""
    model = assemble(form.restrict(columns), chain=True)
    h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=1e-6)
    pass_model(h, model, integer=False)
    run = run_guarded(h, deadline, lp=True)
    if not run.optimal or run.col_value is None:
        return None
    values: FloatArray = run.col_value[: columns.size]
    return values


def rins(
    form: Formulation,
    found: CapacityBound,
    plan: Plan,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    on_plan: Callable[[Plan], None] | None = None,
) -> Plan:
    """The best of ``plan`` and the RINS plans on the priced columns by ``deadline``.

    The sub-MIPs widen: first the free cases' columns the LP uses (a MIP of a few thousand
    columns, solved in about a second at M), then those within each of ``RINS_REACHES`` of
    their case's cheapest at the prices, each from the best plan so far (issue 11: on
    ``issue-11`` M the first better plan of the sub-MIP on all 11,700 priced columns came
    after 13.5 s, of one on 3,300 after 1.2 s).

    Parameters
    ----------
    form
        The round's formulation (its columns are the candidates; restricted is fine: the
        plan found keeps every rule of the round either way).
    found
        The Lagrangian bound over beds and budgets, whose prices pick the columns.
    plan
        The best plan so far.
    deadline
        Wall-clock time by which to return.
    seed, threads
        HiGHS settings.
    on_plan
        Told of each better plan as the sub-MIPs find it (completed by the greedy).
    """
    columns, reach = priced_columns(form, found, plan, max(RINS_REACHES))
    in_lp = (reach <= PRICED_REACH) | ~np.isfinite(reach)  # the plan's columns too
    lp = lp_values(form, columns[in_lp], deadline=deadline, seed=seed, threads=threads)
    if lp is None:
        return plan
    x = np.zeros(form.n_vars)  # per column of the formulation: 0 outside the LP
    x[columns[in_lp]] = lp
    placed: FloatArray = np.bincount(form.var_case, x, minlength=form.problem.n_cases).astype(
        np.float64
    )
    for step in RINS_REACHES:
        if deadline - time.perf_counter() < STEP_MIN_SECONDS:
            break  # a wider MIP's presolve and root alone take longer (issue-11 M: 1.3 s late)
        use = columns[(x[columns] > LP_USES) | (reach <= step)]
        plan = _rins_step(form, x, placed, use, plan, deadline, seed, threads, on_plan)
    return plan


def _rins_step(
    form: Formulation,
    x: FloatArray,
    placed: FloatArray,
    use: IntArray,
    plan: Plan,
    deadline: float,
    seed: int,
    threads: int,
    on_plan: Callable[[Plan], None] | None,
) -> Plan:
    """Keep the cases the LP settles as ``plan`` does; re-solve the others on ``use``.

    Settled: placed on a column the LP takes whole, or unplaced where the LP places
    nothing of them (``x`` per column of ``form``, ``placed`` per case). The others may
    take their columns in ``use`` and their plan's.
    """
    p = form.problem
    mine = plan_columns(form, plan)
    busy = np.zeros(p.n_cases, dtype=bool)
    busy[form.var_case[mine[x[mine] >= 1 - WHOLE]]] = True
    unplaced = np.ones(p.n_cases, dtype=bool)
    unplaced[p.opt_case[[k for k, _ in plan]]] = False
    busy |= unplaced & (placed <= WHOLE)
    kept = [(k, d) for k, d in plan if busy[p.opt_case[k]]]
    start = [(k, d) for k, d in plan if not busy[p.opt_case[k]]]
    free = np.union1d(use, mine)
    free = free[~busy[form.var_case[free]]]
    free = free[~kept_apart(form, kept)[free]]
    tell = None if on_plan is None else completed(form, kept, on_plan)
    rest = sub_mip(form, kept, start, free, deadline, seed, threads, tell)
    if rest is None:
        return plan
    return best_plan(form, plan, solve_greedy(p, form, start=kept + rest).plan)
