"""Large rounds (thousands of cases): a quick plan, a bound, then a better plan.

The bound comes from column generation (and, with budgets, a Lagrangian bound over them),
the better plan from the columns that matter.

1. Build the formulation from arrays (millions of columns at L).
2. The per-bed greedy: a feasible plan within seconds (issue 3: L within 10 s).
3. Column generation (:mod:`matching.colgen`) until the LP relaxation is complete or time
   is up; every round proves a Lagrangian bound. The bound comes first: at L the per-bed
   greedy is already within 0.2 % of the LP optimum, and the bound is what is missing.
   Then one greedy pass guided by the master's LP solution (where every stay is short the
   greedy orders can be three times the optimum: on the sweep's seed 1536 this pass
   halves their plan's value in 4 ms).
4. When budgets bind and column generation did not complete, the Lagrangian bound over
   budgets (:mod:`matching.budget_bound`), started from column generation's budget
   prices, and the plan its flow gives (issue 11: within 2 % of the bound on the budget
   shapes at M, where the greedy is 15 % above it).
5. When column generation did not complete and the bound is still more than 1 % off,
   the Lagrangian bound over beds and budgets (:mod:`matching.capacity_bound`): every
   start day of the round priced implicitly (issue 11: column generation's bound on
   ``short-stays`` M was negative in its share of 30 s). When the formulation is
   restricted to each option's first start days, its columns prove nothing for the
   round, and this bound, which does, runs first, right after the greedy. In the last
   part of its time, when a pass over the cases fits there, its prices give plans
   (:mod:`matching.priced_plans`: list schedules over every start day and a left shift;
   issue 11: ``short-stays`` M 89,283 to 83,439 in 30 s); on a restricted model, when no
   pass fits there (L), right after it (``short-stays`` L 837,451 to 824,734 at T = 60).
   With budgets that bind on a round of few paid options, the last part of its time
   keeps the budgets whole at its bed prices (:mod:`matching.knapsack_bound`), as after a
   complete column generation at its duals (step 7).
6. Rounds with many start days (short stays: millions of columns, five or more an option;
   :func:`many_start_days`) and at least ``RINS_MIN_SECONDS`` after the greedy skip steps
   3-5: column generation's bound there stayed below the Lagrangian over beds and
   budgets, and the budget Lagrangian's plan was not kept. The Lagrangian over beds and
   budgets and its prices' plans take ``RINS_BOUND_SHARE`` of the time, and RINS on the
   columns its prices favour the rest (:mod:`matching.priced_rins`; issue 11: ``issue-11``
   M from 5.2-6.9 % above the bound to 3.8-5.5 % in 30 s, ``short-stays`` from 1.8-2.3 %
   to 0.6-1.2 %; seeds 1-5).
7. After a complete column generation, while the plan is more than 1 % above the bound:
   on such budget rounds the budgets kept whole at its duals (issue 11: an 80-case round
   with a budget per region, 360.6 to 879.7 against a plan of 884.5), and on rounds of
   short stays plans at its prices and the facilities the LP splits solved whole
   (:mod:`matching.facility_bound`).
8. If time is left (the facilities' stage, when it runs, leaves this step the time it
   needs), the exact machinery on the columns that can still matter, started
   from the best plan. Column generation's duals price every column: a plan that uses a
   column costs at least the bound plus the column's reduced cost, so a column whose
   reduced cost exceeds the gap can be left out of any better plan (reduced-cost fixing).
   When the columns left are few enough, the MIP on them (:func:`matching.exact.improve`
   with its proof) proves a bound for the whole round: ``min(incumbent, its bound)``.
   Otherwise it runs on the kept master columns, for plans only (issue 11: the short-stay
   shape of 300 cases has 220,000 columns, where the simplex takes 50 s and column
   generation 3 s).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matching.budget_bound import budget_stage, greedy_seconds
from matching.budget_repair import SEARCH_MIN_STREAMS, fix_and_optimise, neighbourhood_search
from matching.capacity_bound import (
    CapacityBound,
    Relaxation,
    bound_seconds,
    capacity_bound,
    checkpoint_seconds,
    no_bound,
    open_pairs,
)
from matching.colgen import MasterLP, column_generation
from matching.evaluation import plan_objective
from matching.exact import improve
from matching.facility_bound import bed_prices, facility_bound, split_facilities
from matching.formulation import Formulation, build_formulation, plan_columns
from matching.greedy import greedy_outcome, greedy_plans, solve_greedy
from matching.heuristics import best_plan
from matching.knapsack_bound import knapsack_bound, knapsack_fits
from matching.mip import Plan
from matching.mip_process import warm_for
from matching.outcome import Outcome, Tracker, ignore
from matching.priced_plans import plans_from_prices
from matching.priced_rins import rins
from matching.problem import MatchingProblem

IntArray = npt.NDArray[np.int64]
IMPROVE_MIN_SECONDS = 0.3  # the restricted MIP is not started with less time than this
IMPROVE_LP_FACTOR = 2.0  # nor with less than this many times the longest master solve
BOUND_SHARE = 0.5  # of the time left after the greedy, at most, for column generation
BUDGET_SHARE = 0.4  # of the time left after it, at most, for the Lagrangian over budgets
# of the time left after those, for the Lagrangian over capacity and budgets when column
# generation did not complete (issue 11: on short-stays M it proved no more than the
# single-case bound in 30 s; the Lagrangian levels off within 10 s there)
CAPACITY_SHARE = 0.5
# with a restricted model (no bound of the round from its columns), of the time left after
# the greedy: it runs first (issue 11: short-stays L, the improvement never started)
RESTRICTED_CAPACITY_SHARE = 0.6
# estimated steps its window holds at least, when the time left allows (the estimate of a
# step is about 4 times what a step takes at L on a quiet machine)
RESTRICTED_MIN_STEPS = 10
RESTRICTED_MIN_SECONDS = 0.1  # and at least this (small rounds: Python's own time)
# of what that leaves, at most, for the plans from its prices when they did not fit in it
# (short-stays L at T = 60: 0.5 left 10 s, and a pass is estimated at 10 s)
RESTRICTED_PLAN_SHARE = 0.6
# when that bound did not go first, the plans' stages end early enough to leave it the
# set-up of this many checkpoint days (and a margin for the stages' overrun), at most this
# share of the time left (issue 11, the sweep's seed 243 at T = 2 s, 6,000 cases: the
# stages left it 0.07 s and the answer the single-case bound, 99.7 % under the plan; with
# 0.25 s its bound was 301,000 against a plan of 480,297)
RESERVE_CHECKPOINTS = 2
RESERVE_MARGIN = 1.25
RESERVE_SHARE = 0.3
# and only while the bound so far is further than this from the plan (the budget shapes'
# flow bound is within it at M, and their plans need the time: issue 11)
CAPACITY_GAP = 0.01
# of the time given to the Lagrangian over beds and budgets, the last part for the plans
# from its prices (issue 11: short-stays M, 1.2-1.3 s a plan, 3 % above the bound where the
# greedy is 11 % above it; the bound levels off within 10 s there)
PRICED_PLAN_SHARE = 0.3
# a pass of the list schedule or the left shift over the cases, on a busy machine (0.2 ms a
# case at short-stays M, load 3-4): the left shift of the incumbent is one, a list
# schedule and its left shift two
PASS_SECONDS_PER_CASE = 0.0005
PRICED_PLAN_PASSES = 8  # passes' time at most for the plans
GREEDY_ROOM = 1.5  # times greedy_seconds kept for the greedy that ends the budget stage
# with binding budgets, of the time left after the bound, at most, for fix-and-optimise,
# then of what is left for the search over the budgets' areas (issue 11). With as many
# binding budgets as the search needs (one per region) and at least
# MANY_BUDGETS_MIN_SECONDS left, MANY_BUDGETS_PLAN_SHARE: there the MIP on the kept columns
# after them gains the most a second (budget-region M seeds 1-3 at 30 s, 23 s left: gaps
# 0.917 / 1.099 / 0.357 % -> 0.277 / 0.255 / 0.187 %). With less time that MIP does not
# pay for it (unseen sweep rounds with a budget per region at T = 1-10 s: plans 0.01-4.5 %
# worse on 10 of 13 re-run three times), nor with fewer budgets (sweep seeds 21 and 178,
# national and 8 streams: 14 and 8 % worse)
BUDGET_PLAN_SHARE = 0.5
MANY_BUDGETS_PLAN_SHARE = 0.25
MANY_BUDGETS_MIN_SECONDS = 15.0
# rounds with at least this many columns, and this many an option (short stays: a column per
# start day), skip column generation and the budget Lagrangian for the Lagrangian over beds
# and budgets, its plans and RINS (:mod:`matching.priced_rins`); the bound and its plans
# get this share of the time after the greedy, RINS the rest (issue 11)
RINS_MIN_COLUMNS = 1_000_000
RINS_COLUMNS_PER_OPTION = 5.0
RINS_BOUND_SHARE = 0.3
RINS_MIN_SECONDS = 20.0  # after the greedy; with less, the stages as before
# of greedy_seconds kept for RINS's last greedy completion, which starts from nearly every
# placement (0.12 s at M where greedy_seconds says 6 s)
RINS_GREEDY_SHARE = 0.125
RINS_MORE_BOUND_SECONDS = 1.0  # time left after RINS for more steps of the bound
# after a complete column generation, of the time left before the improvement's greedy, at
# most, for solving the split facilities whole (:mod:`matching.facility_bound`; issue 11:
# issue-11 S from the LP's 5,429.1 to 5,476.1 in 5.4 s, 5,454.1 in 2 s)
FACILITY_SHARE = 0.6
# and only while the plan is further than this from the bound: at M the LP is within 0.1-
# 0.5 % of the plans, the facilities' problems are larger (2-3 s each), and the stage cost
# the plans of eligibility-30, budget-stream and budget-national 0.2-0.3 % for bounds 0.01-
# 0.08 % higher (under load 6-7); at S issue-11 and short-stays the gap is 1.4-2.6 %
FACILITY_GAP = 0.01
# and only on rounds with this many start days an option (short stays, where the LP's gap
# was measured): at M the budget shapes (about one an option) still passed the 1 % rule
# before their improvement, and budget-stream's plan came out 0.5 % above the bound
# instead of 0.3 % for a bound 0.03 % higher (load 6)
FACILITY_COLUMNS_PER_OPTION = 5.0
# with budgets that bind on a round of few paid options, of the time left before the
# improvement (after a complete column generation) or of the Lagrangian's window, at most,
# for the bound with the budgets kept whole (:mod:`matching.knapsack_bound`; unseen sweep
# seed 3533, 80 cases: 360.6 -> 879.9 in 0.18 s, the plan 884.5 and optimal)
KNAPSACK_SHARE = 0.25
# and seconds at most: the MIP over few options closes in 0.1-0.3 s where it gains most; on
# sweep seeds 3821 and 3823 (850-1,300 columns) it took 2.6-6.7 s for 0.1-0.3 % more
KNAPSACK_SECONDS = 1.0
PROOF_COLUMNS = 60_000  # reduced-cost fixing must leave at most this many columns to prove
# column generation's set-up (pricing arrays, rows, the first master) is not cut short by
# the clock: it starts only with twice the time this speed gives it (issue 11: a 2-million
# column restricted model at L under load ran 15 s past the limit)
SETUP_VARS_PER_SECOND = 1_000_000


def solve_large(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    relative_gap: float = 1e-6,
    tracker: Tracker | None = None,
    form: Formulation | None = None,
    plans: Sequence[Plan] = (),
) -> Outcome:
    """A plan and a proven bound for a round too large for the full MIP.

    Parameters
    ----------
    problem
        The (part of the) matching problem.
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    seed, threads
        HiGHS settings.
    relative_gap
        Stop once the plan is this close to the bound.
    tracker
        Receives the best plan value and bound as they improve.
    form
        The formulation, when already built (its build time is then not counted here).
        When it is ``restricted`` (some start days left out), its LP and MIP bounds are
        not bounds of the round: the outcome's bound is then the Lagrangian bound over
        beds and budgets (:mod:`matching.capacity_bound`, every start day priced), or
        ``-inf`` when there was no time for it.
    plans
        Feasible plans found already (the greedy plans, when the caller ran them); the
        greedy is not run again.

    Returns
    -------
    Outcome
        The best plan, the column generation bound and the notes on what ran.
    """
    t0 = time.perf_counter()
    tracker = tracker or Tracker(ignore, 0, 1, t0)
    form = build_formulation(problem) if form is None else form
    build = time.perf_counter() - t0
    if form.n_vars == 0:
        return Outcome(
            plan=[], bound=form.constant, optimal=True, method="colgen", build_seconds=build
        )
    plan = best_plan(form, *(plans or greedy_plans(problem, form, deadline)))
    objective = plan_objective(problem, plan)
    tracker.update("greedy", objective=objective)
    proven = not form.restricted  # a restricted model's bounds are not the round's
    prices = None
    if not proven:
        prices, plan = _restricted_bound(form, plan, deadline, tracker)
        objective = plan_objective(problem, plan)
        if not math.isfinite(prices.bound):
            # skipped by its estimate: tried again after column generation, with what time
            # is left then (a sweep round, seed 17: 0.7 s unused, the single-case bound)
            prices = None
    if deadline - time.perf_counter() < 2 * form.n_vars / SETUP_VARS_PER_SECOND:
        return _without_colgen(form, plan, deadline, tracker, prices, build, t0)
    warm_for(form.n_vars)  # the worker for the sub-MIPs below, ready by the time they run
    # the plans' stages end by ``stages``; a restricted model with no bound yet keeps the
    # bound's set-up back (see RESERVE_CHECKPOINTS)
    stages = deadline
    if not proven and prices is None:
        stages -= _bound_reserve(form, deadline)
    if proven and many_start_days(form) and deadline - time.perf_counter() >= RINS_MIN_SECONDS:
        out = _priced_rins(form, plan, deadline, seed, threads, tracker, relative_gap)
        return dataclasses.replace(
            out, build_seconds=build, solve_seconds=time.perf_counter() - t0 - build
        )
    master = column_generation(
        form,
        deadline=time.perf_counter() + BOUND_SHARE * (stages - time.perf_counter()),
        start=plan_columns(form, plan),
        seed=seed,
        threads=threads,
        on_bound=(lambda bound: tracker.update("colgen", bound=min(bound, objective)))
        if proven
        else None,
    )
    notes = [f"column generation: {master.rounds} rounds, {master.columns.size} columns kept"]
    notes += [] if master.complete else ["column generation stopped before the LP was complete"]
    plan = _guided_plan(form, master, plan, stages - greedy_seconds(form), tracker)
    objective = plan_objective(problem, plan)
    bound = master.bound if proven else -math.inf
    # the plans' stages leave the Lagrangian over beds and budgets after them its time
    plans_end = stages - _capacity_reserve(form, master, objective, bound, stages, prices)
    plan, budgets = _budget_stages(
        form, master, plan, plans_end, seed, threads, tracker, proven, notes
    )
    objective = plan_objective(problem, plan)
    # after the plans' stages, which it would otherwise cut short (issue-11 M: a plan 0.4 %
    # worse when fix-and-optimise came after it)
    weak = objective - max(bound, budgets) > CAPACITY_GAP * abs(objective)
    if not master.complete or not proven:  # a restricted master proves nothing, complete or not
        prices, plan = _capacity_after(form, master, plan, deadline, tracker, prices, weak)
        objective = plan_objective(problem, plan)
    lagrangian = prices.bound if prices else -math.inf
    if prices and lagrangian > max(bound, budgets):
        notes.append(prices.note)
    budgets = max(budgets, lagrangian)
    plan, bound = _finish(
        form,
        master,
        plan,
        (bound, budgets),
        deadline,
        seed,
        threads,
        tracker,
        proven,
        notes,
        relative_gap,
    )
    objective = plan_objective(problem, plan)
    bound = min(max(bound, budgets), objective)
    optimal = objective - bound <= relative_gap * max(abs(objective), 1e-9)
    solve = time.perf_counter() - t0 - build
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=optimal,
        method="colgen",
        build_seconds=build,
        solve_seconds=solve,
        notes=tuple(notes),
    )


def _finish(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    bounds: tuple[float, float],
    deadline: float,
    seed: int,
    threads: int,
    tracker: Tracker,
    proven: bool,
    notes: list[str],
    relative_gap: float,
) -> tuple[Plan, float]:
    """After column generation and the budgets' stages: stronger bounds, then improvement.

    After a complete column generation: on budget rounds of few paid options the budgets
    kept whole at its prices; on short stays plans at its prices and the facilities solved
    whole (each skipped when the pairs' set-up would not end in their time); then the
    improvement.

    ``bounds``: column generation's bound (``-inf`` when not ``proven``) and the budget
    or capacity Lagrangian's. Returns the plan and the first bound, raised.
    """
    bound, budgets = bounds
    objective = plan_objective(form.problem, plan)
    # the greedy that ends the improvement must fit too, and an LP on the kept columns (with
    # the capacity chain and arc-flow rows) takes longer than column generation's longest
    # master: with less room it is only cancelled, late (budget-national at L: 3-5 s past
    # the limit under load, issue 11)
    until = deadline - greedy_seconds(form)
    pool = np.zeros(0, dtype=np.int64)
    weak = objective - max(bound, budgets) > FACILITY_GAP * abs(objective)
    short = form.n_vars >= FACILITY_COLUMNS_PER_OPTION * max(form.problem.n_options, 1)
    needs = max(IMPROVE_MIN_SECONDS, IMPROVE_LP_FACTOR * master.lp_seconds)  # to improve
    knapsack = knapsack_fits(form)
    if proven and master.complete and master.duals.size and weak and (short or knapsack):
        # it leaves the improvement the time it needs, when that fits (sweep seed 1536, 80
        # cases at T = 1 s: it took the 0.3 s left, and the answer was the greedy's plan,
        # 3.1 times the optimum; 839-869 with the improvement, optimum 690.1)
        stop = until - needs if until - time.perf_counter() > needs else until
        relax = Relaxation.within(form.problem, stop)  # None: its set-up would not end
        if relax is not None and knapsack:
            kept = _knapsack_stage(form, relax, master, objective, stop, seed, tracker)
            if kept > bound:
                notes.append("bound with the budgets kept whole at column generation's prices")
            bound = max(bound, kept)
        if relax is not None and short:
            plan = _colgen_price_plans(form, master, relax, plan, stop, tracker)
            objective = plan_objective(form.problem, plan)
            whole, pool = _facility_stage(
                form, master, relax, objective, stop, seed, threads, tracker
            )
            if whole > bound:
                notes.append("bound by facilities solved whole at column generation's prices")
            bound = max(bound, whole)
    closed = objective - max(bound, budgets) <= relative_gap * abs(objective)
    if not closed and until - time.perf_counter() > needs:
        return _improve(form, master, plan, bound, until, seed, threads, tracker, proven, pool)
    if not closed:
        notes.append("no time left to improve on the kept columns")
    return plan, bound


def _guided_plan(
    form: Formulation, master: MasterLP, plan: Plan, until: float, tracker: Tracker
) -> Plan:
    """The better of ``plan`` and the greedy guided by the master's LP solution.

    Cases the LP places most go first, each at its option and day of least reduced cost
    (as the exact pipeline's ``lp-greedy``). One greedy pass, stopped at ``until``: on the
    sweep's seed 1536 (80 cases, every stay short, T = 1 s) 1,116 against the greedy
    orders' 2,133 in 4 ms (optimum 690.1).
    """
    if master.reduced.size == 0 or time.perf_counter() >= until:
        return plan
    x = np.zeros(form.n_vars)
    x[master.columns] = master.x[: master.columns.size]
    placed = np.bincount(form.var_case, x, minlength=form.problem.n_cases).astype(np.float64)
    guided = solve_greedy(form.problem, form, guide=(placed, master.reduced), deadline=until)
    better = best_plan(form, plan, guided.plan)
    if better is not plan:
        tracker.update("lp-greedy", objective=plan_objective(form.problem, better))
    return better


def many_start_days(form: Formulation) -> bool:
    """Whether the round has so many start days that column generation is not worth its time.

    Issue 11: on ``issue-11`` and ``short-stays`` at M (2.4-2.5 million columns, 27 an
    option) column generation's bound stayed below the Lagrangian over beds and budgets
    and the budget Lagrangian's plan was not kept; those 15 s go to RINS instead.
    """
    p = form.problem
    return form.n_vars >= RINS_MIN_COLUMNS and form.n_vars >= RINS_COLUMNS_PER_OPTION * max(
        p.n_options, 1
    )


def _priced_rins(
    form: Formulation,
    plan: Plan,
    deadline: float,
    seed: int,
    threads: int,
    tracker: Tracker,
    relative_gap: float,
) -> Outcome:
    """The Lagrangian bound over beds and budgets, its prices' plans, then RINS on them.

    See :mod:`matching.priced_rins`. The caller sets the times.
    """
    now = time.perf_counter()
    prices, plan = _capacity_stage(
        form, plan, now + RINS_BOUND_SHARE * (deadline - now), tracker, None
    )
    notes = ["many start days: no column generation", prices.note]
    if prices.relaxation is not None:
        notes.append("plans from those prices: list schedules and a left shift")
    until = deadline - RINS_GREEDY_SHARE * greedy_seconds(form)
    if math.isfinite(prices.bound) and until > time.perf_counter():

        def tell(found: Plan) -> None:
            tracker.update("rins", objective=plan_objective(form.problem, found))

        plan = rins(form, prices, plan, deadline=until, seed=seed, threads=threads, on_plan=tell)
        tracker.update("rins", objective=plan_objective(form.problem, plan))
        notes.append("RINS on the columns the prices favour")
    objective = plan_objective(form.problem, plan)
    if math.isfinite(prices.bound) and deadline - time.perf_counter() > RINS_MORE_BOUND_SECONDS:
        # RINS proved its neighbourhoods early (short-stays M: at 19 s of 30): the time
        # left goes on raising the bound from its best prices
        more = capacity_bound(
            form.problem,
            deadline=deadline,
            incumbent=objective,
            bed_prices=prices.bed_prices,
            budget_prices=prices.budget_prices,
            relaxation=prices.relaxation,
        )
        if more.bound > prices.bound:
            prices = more
            tracker.update("lagrangian-beds", bound=min(more.bound, objective))
    bound = min(prices.bound, objective)
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=objective - bound <= relative_gap * max(abs(objective), 1e-9),
        method="colgen",  # the large rounds' engine, as documented; the notes say what ran
        notes=tuple(notes),
    )


def _without_colgen(
    form: Formulation,
    plan: Plan,
    deadline: float,
    tracker: Tracker,
    prices: CapacityBound | None,
    build: float,
    t0: float,
) -> Outcome:
    """The time column generation cannot use goes to the bound and its prices' plans.

    Issue 11: short-stays M at T = 5 returned the single-case bound after 1.1 s.
    """
    prices, plan = _capacity_stage(form, plan, deadline, tracker, prices)
    notes = ["no time left for column generation: the best greedy plan"]
    if math.isfinite(prices.bound):
        notes.append(prices.note)
    if prices.relaxation is not None:
        notes.append("plans from those prices: list schedules and a left shift")
    out = greedy_outcome(
        plan,
        build_seconds=build,
        solve_seconds=time.perf_counter() - t0 - build,
        notes=tuple(notes),
    )
    return dataclasses.replace(out, bound=min(prices.bound, plan_objective(form.problem, plan)))


def _bound_reserve(form: Formulation, deadline: float) -> float:
    """Seconds kept back for the Lagrangian over beds and budgets on checkpoint days.

    Its set-up on ``RESERVE_CHECKPOINTS`` days (one when two do not fit), with a margin,
    when that fits ``RESERVE_SHARE`` of the time left; else 0.
    """
    most = RESERVE_SHARE * (deadline - time.perf_counter())
    for count in (RESERVE_CHECKPOINTS, 1):
        need = RESERVE_MARGIN * checkpoint_seconds(form.problem, count)
        if need <= most:
            return need
    return 0.0


def _budget_stages(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    until: float,
    seed: int,
    threads: int,
    tracker: Tracker,
    proven: bool,
    notes: list[str],
) -> tuple[Plan, float]:
    """With binding budgets, by ``until``: their Lagrangian bound, and their plans.

    The bound only after an incomplete column generation; ``-inf`` when none, or when not
    ``proven`` (a restricted model's bound is not the round's).
    """
    budgets = -math.inf
    if not form.binding_streams.size:
        return plan, budgets
    if not master.complete:
        plan, budgets = _budget_stage(form, master, plan, until, tracker, proven)
        if math.isfinite(budgets):
            notes.append("budgets bound by Lagrangian prices (column generation incomplete)")
    if master.reduced.size:  # plans only: fine when restricted
        plan = _budget_plans(form, master, plan, until, seed, threads, tracker)
    return plan, budgets


def _budget_stage(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    deadline: float,
    tracker: Tracker,
    proven: bool,
) -> tuple[Plan, float]:
    """The Lagrangian bound over budgets from column generation's prices, and its plan.

    Column generation's bound stays weak while its master is far from the whole LP (issue
    11: 177,721 against a plan of 452,366 on ``budget-stream`` at M); pricing only the
    budgets and solving the rest as a flow gives a bound within a few per cent of the plan.
    """
    now = time.perf_counter()
    # the greedy from the flow comes after the steps (issue 11: issue-11 M ended 1-5 s
    # past a 30-s limit when only the steps were given a deadline)
    stop = min(now + BUDGET_SHARE * (deadline - now), deadline - GREEDY_ROOM * greedy_seconds(form))
    if stop <= now:
        return plan, -math.inf
    found, better = budget_stage(
        form, plan, deadline=stop, prices=master.prices if master.prices.size else None
    )
    objective = plan_objective(form.problem, better)
    bound = found.bound if proven else -math.inf  # a restricted model's bound is not the round's
    tracker.update("lagrangian", objective=objective, bound=min(bound, objective))
    return better, bound


def _capacity_reserve(
    form: Formulation,
    master: MasterLP,
    objective: float,
    bound: float,
    until: float,
    prices: CapacityBound | None,
) -> float:
    """Seconds the plans' stages keep back for the Lagrangian over beds and budgets.

    When column generation stopped before its LP was complete, with its bound more than
    ``CAPACITY_GAP`` under the plan: the Lagrangian's set-up and ``RESTRICTED_MIN_STEPS``
    steps (at least ``RESTRICTED_MIN_SECONDS``), at most ``CAPACITY_SHARE`` of the time
    left before ``until``. Not when the Lagrangian ran already, nor on a restricted model
    (``bound`` ``-inf``: :func:`_bound_reserve` keeps its time). When the budgets' bound
    makes the gap small after all, the Lagrangian does not run and the time goes to the
    improvement.

    Unseen sweep seeds 1620, 1732 and 1768 (3,000-6,000 cases, stays of any length, a
    budget per region, T = 1-5 s): two rounds of column generation, then fix-and-optimise
    and the neighbourhood search took the rest, and the answers carried the single-case
    bound (1,288-2,439) where the Lagrangian proves 33,600-40,200 in 0.3 s (1732: 34,900
    in 1 s) against plans of 39,000-107,000.
    """
    if master.complete or prices is not None or not math.isfinite(bound):
        return 0.0
    if not form.binding_streams.size:  # no budgets' stages to hold back (nor pairs to count)
        return 0.0
    if objective - bound <= CAPACITY_GAP * abs(objective):
        return 0.0
    left = until - time.perf_counter()
    return max(0.0, min(CAPACITY_SHARE * left, _bound_need(form)))


def _bound_need(form: Formulation, pairs: int | None = None) -> float:
    """The Lagrangian's set-up and ``RESTRICTED_MIN_STEPS`` steps, on a busy machine.

    At least ``RESTRICTED_MIN_SECONDS`` (small rounds: Python's own time). ``pairs``:
    :func:`matching.capacity_bound.open_pairs`, when counted already.
    """
    return max(RESTRICTED_MIN_SECONDS, bound_seconds(form.problem, RESTRICTED_MIN_STEPS, pairs))


def _capacity_stop(form: Formulation, master: MasterLP, deadline: float) -> float:
    """When the Lagrangian over beds and budgets ends, after column generation.

    In its share of the time left; when the improvement after it could not start in what
    that share leaves, no greedy follows either and it gets all of the time.
    """
    now = time.perf_counter()
    left = deadline - GREEDY_ROOM * greedy_seconds(form) - now
    improves = (1 - CAPACITY_SHARE) * left > max(
        IMPROVE_MIN_SECONDS, IMPROVE_LP_FACTOR * master.lp_seconds
    )
    return now + CAPACITY_SHARE * left if improves else deadline


def _restricted_bound(
    form: Formulation, plan: Plan, deadline: float, tracker: Tracker
) -> tuple[CapacityBound, Plan]:
    """A restricted model's columns prove nothing for the round: its bound comes first.

    Issue 11: at L with short stays nothing else proved more than the single-case bound.
    Its prices' plans use every start day, not only the restricted model's.
    """
    now = time.perf_counter()
    left = deadline - now
    # when its share is too short for the set-up and a few steps, as much of the time
    # left as they need: without it the answer carries the single-case bound (issue 11:
    # issue-11 L at T = 10, gap 99.4 %, while column generation on the restricted model
    # and the plans after it took the time and gained 0.002 %)
    pairs = open_pairs(form.problem)  # counted once: 4-36 ms a count
    need = _bound_need(form, pairs)
    stop = now + max(RESTRICTED_CAPACITY_SHARE * left, min(need, left))
    if now + bound_seconds(form.problem, pairs=pairs) >= stop:
        # it goes first only when its set-up and a step fit at a busy machine's pace;
        # otherwise the plans' stages go first and it gets the time they leave (issue 11,
        # sweep rounds of 6-38 million open pairs at T = 2-10 s: first whatever the
        # estimate, the bound took the time in which the budget stages had found plans
        # 4-19 % better, and they had left 0.5-3.5 s unused)
        return no_bound(form.problem), plan
    one = _pass_seconds(form)
    found, plan = _capacity_stage(form, plan, stop, tracker, None)
    if one <= PRICED_PLAN_SHARE * (stop - now):
        return found, plan  # the plans ran in the bound's window
    # at L a pass over the cases does not fit in the last part of that window: the plans
    # then come after it, in a share of what is left, when one pass fits there (issue 11:
    # short-stays L, 1 % better plans in 2-5 s each where column generation on the
    # restricted model found none)
    now = time.perf_counter()
    window = RESTRICTED_PLAN_SHARE * (deadline - now)
    if one > window:
        return found, plan
    return found, _priced(form, found, plan, now + min(window, PRICED_PLAN_PASSES * one), tracker)


def _capacity_after(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    deadline: float,
    tracker: Tracker,
    prices: CapacityBound | None,
    weak: bool,
) -> tuple[CapacityBound | None, Plan]:
    """After an incomplete column generation, the Lagrangian over beds and budgets.

    When the bound so far is ``weak``, or for more steps when it ran first and the
    improvement will not start.
    """
    stop = _capacity_stop(form, master, deadline)
    rest = stop >= deadline and prices is not None
    if (prices is None and weak) or rest:
        return _capacity_stage(form, plan, stop, tracker, prices)
    return prices, plan


def _pass_seconds(form: Formulation) -> float:
    """About how long one pass of the prices' plans over the cases takes, on a busy machine."""
    return PASS_SECONDS_PER_CASE * form.problem.n_cases


def _capacity_stage(
    form: Formulation,
    plan: Plan,
    stop: float,
    tracker: Tracker,
    start: CapacityBound | None,
) -> tuple[CapacityBound, Plan]:
    """The Lagrangian bound over beds and budgets by ``stop``, and its prices' plans.

    The bound is :mod:`matching.capacity_bound`'s, the plans :mod:`matching.priced_plans`'.

    It prices every start day of the round (not only the formulation's), so it holds for
    the round even when ``form`` is restricted. It goes on from the prices of ``start``, or
    from 0, not from column generation's duals: from 0 it levelled off higher in the same
    time. The better of ``start`` and what it finds, and the best of ``plan`` and the plans
    from the prices (in the last ``PRICED_PLAN_SHARE`` of the time, when they fit in it, or
    in what the bound leaves when it levels off early and a pass fits there).
    """
    objective = plan_objective(form.problem, plan)
    now = time.perf_counter()
    # the plans only when a pass over the cases fits in their share, and no more time than
    # a few passes (issue 11: short-stays L, 20,000 cases, gave its bound 30 % less time
    # for a plan no better than the greedy's: 679,590 against 718,016)
    window = stop - now
    one = _pass_seconds(form)
    plans = (
        0.0
        if one > PRICED_PLAN_SHARE * window
        else min(PRICED_PLAN_SHARE * window, PRICED_PLAN_PASSES * one)
    )
    # with budgets that may bind on few options, the last part for keeping them whole
    knapsack = knapsack_fits(form)
    kept_back = min(KNAPSACK_SHARE * max(stop - plans - now, 0.0), KNAPSACK_SECONDS)
    kept_back = kept_back if knapsack else 0.0
    found = capacity_bound(
        form.problem,
        deadline=stop - plans - kept_back,
        incumbent=objective,
        bed_prices=None if start is None else start.bed_prices,
        budget_prices=None if start is None else start.budget_prices,
        relaxation=None if start is None else start.relaxation,
    )
    if knapsack and found.relaxation is not None:
        kept = knapsack_bound(found.relaxation, found.bed_prices, deadline=stop - plans)
        if kept.bound > found.bound:
            found = dataclasses.replace(found, bound=kept.bound, budgets_whole=True)
    # and when the bound levelled off early (its steps too short to gain), the time it
    # left, if a pass fits there (sweep seed 1537, 3,000 cases at T = 5 s: no share for
    # the plans, 1.7 s unused)
    fits = plans or one <= stop - time.perf_counter()
    better = _priced(form, found, plan, stop, tracker) if fits else plan
    if start is not None and start.bound >= found.bound:
        return start, better
    tracker.update("lagrangian-beds", bound=min(found.bound, objective))
    return found, better


def _colgen_price_plans(
    form: Formulation,
    master: MasterLP,
    relax: Relaxation,
    plan: Plan,
    until: float,
    tracker: Tracker,
) -> Plan:
    """The prices' plans (:mod:`matching.priced_plans`) at column generation's duals.

    After it completed, on rounds of short stays: list schedules over every start day in
    both orders of cases, and the plan's left shift, while ``PRICED_PLAN_SHARE`` of the
    time to ``until`` lasts (issue 11, ``issue-11`` S: 5,574.9 -> 5,558.9 in 0.08 s, the
    answer 5,530.8 where it was 5,559.8; sweep seed 1549, T = 60 s: 593,075 -> 558,707).
    """
    lam, mu = bed_prices(form, master)
    found = CapacityBound(master.bound, lam, mu, 0, relax, ((lam, mu[relax.streams]),))
    now = time.perf_counter()
    return _priced(form, found, plan, now + PRICED_PLAN_SHARE * (until - now), tracker)


def _priced(
    form: Formulation, found: CapacityBound, plan: Plan, until: float, tracker: Tracker
) -> Plan:
    """:func:`matching.priced_plans.plans_from_prices` by ``until``, a better plan told."""
    better = plans_from_prices(found, plan, deadline=until)
    if better is not plan:
        tracker.update("priced-plans", objective=plan_objective(form.problem, better))
    return better


def _facility_stage(
    form: Formulation,
    master: MasterLP,
    relax: Relaxation,
    objective: float,
    until: float,
    seed: int,
    threads: int,
    tracker: Tracker,
) -> tuple[float, IntArray]:
    """After a complete column generation, the facilities the LP splits solved whole.

    In ``FACILITY_SHARE`` of the time left before ``until``, at the master's duals; see
    :mod:`matching.facility_bound`. Returns the bound and the whole schedules' columns.
    """
    now = time.perf_counter()
    lam, mu = bed_prices(form, master)
    found = facility_bound(
        relax,
        lam,
        mu,
        deadline=now + FACILITY_SHARE * max(until - now, 0.0),
        facilities=split_facilities(form, master.columns, master.x),
        seed=seed,
        threads=threads,
    )
    if found.bound > master.bound:
        tracker.update("facilities-whole", bound=min(found.bound, objective))
    return found.bound, plan_columns(form, found.placements(relax))


def _knapsack_stage(
    form: Formulation,
    relax: Relaxation,
    master: MasterLP,
    objective: float,
    until: float,
    seed: int,
    tracker: Tracker,
) -> float:
    """After a complete column generation, the budgets kept whole at the master's bed prices.

    In ``KNAPSACK_SHARE`` of the time left before ``until``; see
    :mod:`matching.knapsack_bound`. Returns the bound (``-inf`` when it proved nothing).
    """
    now = time.perf_counter()
    found = knapsack_bound(
        relax,
        bed_prices(form, master)[0],
        deadline=now + min(KNAPSACK_SHARE * max(until - now, 0.0), KNAPSACK_SECONDS),
        seed=seed,
    )
    if found.bound > master.bound:
        tracker.update("budgets-whole", bound=min(found.bound, objective))
    return found.bound


def _budget_plans(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    deadline: float,
    seed: int,
    threads: int,
    tracker: Tracker,
) -> Plan:
    """With binding budgets: fix-and-optimise from the master's LP, then the area search.

    Straight from column generation's solution and reduced costs, without the LP on the
    kept columns that :func:`_improve` solves first (issue 11: 13 s of 30 on
    ``budget-stream`` at M under load, and at times not done in time, leaving the greedy
    plan 14 % above the bound). See :mod:`matching.budget_repair`.
    """
    x = np.zeros(form.n_vars)
    x[master.columns] = master.x[: master.columns.size]
    now = time.perf_counter()
    many = form.binding_streams.size >= SEARCH_MIN_STREAMS
    long = deadline - now >= MANY_BUDGETS_MIN_SECONDS
    share = MANY_BUDGETS_PLAN_SHARE if many and long else BUDGET_PLAN_SHARE
    until = now + share * (deadline - now)
    plan = fix_and_optimise(
        form, x, master.reduced, plan, deadline=until, seed=seed, threads=threads
    )
    tracker.update("fix-and-optimise", objective=plan_objective(form.problem, plan))
    until = time.perf_counter() + share * (deadline - time.perf_counter())
    plan = neighbourhood_search(
        form, master.reduced, plan, deadline=until, seed=seed, threads=threads
    )
    tracker.update("neighbourhood-search", objective=plan_objective(form.problem, plan))
    return plan


def _improve(
    form: Formulation,
    master: MasterLP,
    plan: Plan,
    bound: float,
    deadline: float,
    seed: int,
    threads: int,
    tracker: Tracker,
    proven: bool,
    pool: IntArray,
) -> tuple[Plan, float]:
    """A better plan and, where reduced-cost fixing leaves few columns, a better bound.

    Without a ``proven`` column generation bound (a restricted formulation), plans only.
    ``pool``: more columns for the plans (the facilities' whole schedules).
    """
    incumbent = plan_objective(form.problem, plan)
    slack = incumbent - master.bound + 1e-6 * max(1.0, abs(incumbent))
    useful = np.flatnonzero(master.reduced <= slack)
    proves = proven and master.reduced.size > 0 and useful.size <= PROOF_COLUMNS
    columns = np.union1d(useful if proves else master.columns, plan_columns(form, plan))
    if not proves:
        columns = np.union1d(columns, pool)
    kept = form.restrict(columns)
    better, restricted = improve(
        kept,
        plan,
        deadline=deadline,
        seed=seed,
        threads=threads,
        tracker=tracker,
        prove=proves,
        budgets_bind=bool((master.prices > 0).any()),
    )
    better = best_plan(form, plan, solve_greedy(form.problem, form, start=better).plan)
    tracker.update("restricted-mip", objective=plan_objective(form.problem, better))
    if proves:  # no better plan uses a column left out, so the restricted bound holds
        bound = max(bound, min(incumbent, restricted))
        tracker.update("proof", bound=min(bound, plan_objective(form.problem, better)))
    return better, bound
