"""The exact method for one part of a national round: bound first, then plans, then proof.

1. Build the time-indexed formulation with the arc-flow rows (:mod:`matching.arcflow`).
2. The greedy plans (priority and per-bed order): a first incumbent.
3. The LP relaxation: a proven bound (recomputed from the duals, :mod:`matching.lpmodel`).
   With many arc-flow rows, the LP without them first, and the one with them in a share
   of the time left (kept when it ends in it); on models of up to ``SMALL_COLUMNS``
   columns the MIP of step 6 then runs on the model without them.
   Before it, on models above ``SMALL_COLUMNS`` columns, one flow of the Lagrangian bound
   over budgets (with or without budgets: a real bound should the LP not end); with
   binding budgets, when the LP does not fit the time (70 % of it, then), more steps of it
   and the plan from its flow (:mod:`matching.budget_bound`).
4. An LP-based plan (a dive, :mod:`matching.heuristics`): 0.01 to 2.8 % above the optimum
   in about half a second on the S benchmarks. With budgets that the LP spends to their
   limit the dive rounds badly (6 % above the bound on ``budget-region`` at S):
   fix-and-optimise and a search over the budgets' areas instead
   (:mod:`matching.budget_repair`, 0.6 %). Budgets with room at the LP optimum
   (``budget-loose``) get the dive, as rounds without budgets do.
5. Polishing MIPs on the columns with reduced cost up to 0.5, then 1.5 weighted days,
   started from the best plan: on S seeds 1-5 the first takes 0.4-1.4 s and ends within
   0.16 % of the optimum, the second reaches the optimum in 0.5-6 s.
6. The full MIP, started from the best plan, with every column whose reduced cost exceeds
   the gap fixed to 0 (reduced-cost fixing: no better plan can use it), until proven
   optimal or the deadline. HiGHS's primal heuristics are off there (stages 4 and 5 have
   sought the plans), except on models of up to ``SMALL_COLUMNS`` columns, which skip
   stages 4 and 5 and whose plans are the MIP's to find, and while the best plan is more
   than ``PROOF_FULL_SEARCH_GAP`` above the LP bound.

The MIPs of stages 5 and 6 on models of ``mip_process.WORKER_COLUMNS`` columns run in a
worker process killed at the deadline (:mod:`matching.mip_process`).

Every stage returns within the deadline; the best plan and the best bound are kept.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from matching.arcflow import (
    MAX_ARCS_PER_FACILITY,
    MAX_ARCS_PER_VARIABLE,
    ArcFlow,
    build_arcflow,
)
from matching.budget_bound import budget_bound, budget_stage, greedy_seconds
from matching.budget_repair import budgets_bind, fix_and_optimise, neighbourhood_search
from matching.evaluation import plan_objective, plan_violations
from matching.formulation import Formulation, build_formulation
from matching.greedy import greedy_plans, solve_greedy
from matching.heuristics import best_plan, lp_plan
from matching.lpmodel import LinearModel, assemble, lagrangian_bound, reduced_costs
from matching.mip import (
    Plan,
    Run,
    new_highs,
    pass_model,
    plan_of,
    run_guarded,
    values_of,
)
from matching.mip_process import MipTask, Option, run_mip, warm_for
from matching.outcome import Outcome, Tracker, ignore
from matching.problem import MatchingProblem

FloatArray = npt.NDArray[np.float64]
# Polishing MIPs keep the columns with reduced cost up to these (weighted days), one after
# the other. HiGHS solves them at the root and finds its better plan only at the end, so
# each must be small enough to finish: on S about 1,200 and 2,100 of 12,000 columns, 1-6 s.
POLISH_REDUCED_COSTS = (0.5, 1.5)
POLISH_NODES = 300  # branch-and-bound nodes at most (a work limit, so runs repeat)
POLISH_SHARE = 0.6  # of the time left, at most, for each (a safety net: nodes limit them)
ARCFLOW_SHARE = 0.2  # of the time left, at most, for arc-flow graphs
# models this small go from the LP straight to the MIP: the dive's and polish's many small
# runs cost more than they save (scenario rounds of 90-200 cases, issue 11)
SMALL_COLUMNS = 5_000
LP_SHARE = 0.7  # of the time left, at most, for the LP when budgets bind (issue 11)
DIVE_SHARE = 0.6  # of the time left, at most, for the dive
# with binding budgets, of the time left for fix-and-optimise instead of the dive (issue 11)
FIX_SHARE = 0.5
SEARCH_SHARE = 0.5  # of the time left after it, at most, for the neighbourhood search
# the proof MIP starts from the best plan; its work is the bound, and HiGHS's primal
# heuristics there cost it the proof: families S seed 1 proven in 3.2-3.8 s without them,
# not in 7 s with them (bound 32,121.9 of 32,127.3); heuristic effort 0 alone is not enough,
# the heuristics that run at the root must be off too
PROOF_HEURISTICS_OFF = (
    "mip_heuristic_run_feasibility_jump",
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_root_reduced_cost",
)
# but RINS stays on when the best plan is still this far above the LP bound (a share of the
# plan): the proof MIP is then the last search for a plan too. Unseen sweep seed 2696 (80
# cases over 120 days, 6,447 columns, T = 10 s): the plan stages' plan 3.1 % above the
# optimum, the proof MIP's 2.9 % with every heuristic off, 0.7 % with RINS on
PROOF_SEARCH_GAP = 0.01
PROOF_SEARCH_HEURISTIC = "mip_heuristic_run_rins"
# and every heuristic stays on (as on the small models, ``search``) when the plan is still
# this far above it: unseen sweep seed 3095 (80 cases, 20,873 columns, keep-apart pairs and
# a national budget, T = 10 s): the plan stages' plan 11 % above the LP bound and 7.2 %
# above the optimum, the proof MIP with RINS alone found nothing better in 8.5 s; with every
# heuristic on, 1,438.3 (optimum 1,438.1). Paired on the 127 unseen sweep rounds of
# 2601-3200 with 5,000-60,000 columns (benchmarks/README.md): better 11, worse 9 (all
# worse by at most 0.25 % where a rerun repeated it), geometric mean 0.997
PROOF_FULL_SEARCH_GAP = 0.05
# the proof MIP is not started with less time left than this many times the LP took: HiGHS
# must presolve and solve the root first, and parts of that do not answer a cancel (a
# robustness-sweep round, 800 cases over 90 days at T = 10 s: started with 0.46 s left
# after an LP of 1.8 s, its presolve took 3.9 s and its set-up another 7.7 s, one run in
# five: the answer came at 16-21 s). With an incumbent (the start, or one HiGHS finds at
# the root) a round of its root's cuts answers neither its limit nor a cancel either:
# unseen sweep seeds 880 and 981 (T = 5 s) answered 0.97 and 1.07 s late, the proof started
# with 2.6 and 5.4 LPs' time left (alone, 981's proof MIP returned at 2.5-3.2 s given 1.5 s).
# For a MIP run in this process only: a worker's is killed at the deadline (mip_process).
# With less, it runs on a runner thread that is left behind past the deadline
# (matching.highs_run): before, it did not run at all, and small rounds answered at a third
# of their limit, their plans 3-4 % above the bound (unseen sweep seeds 3538 and 3546,
# 300 and 800 cases at T = 1 s: the LP took 0.1 s and 0.47 s was left)
PROOF_LP_FACTOR = 6.0
PROOF_MIN_SECONDS = 0.2  # nor with less than this
# columns the LP model is assembled from per second (400,000 measured on issue-11 S, halved
# for a busy machine): the LP stages are skipped when the model cannot be built in time
ASSEMBLE_COLUMNS_PER_SECOND = 200_000
# with more arc-flow arcs than this per variable, the LP without them goes first, and the
# one with them gets STRONG_LP_SHARE of the LP's time left: unseen sweep seeds 1005, 1098
# and 1178 (0.4 arcs per variable after arcflow.MAX_ARCS_PER_VARIABLE) take 2.2-4.5 times
# as long with them, and at T = 1-2 s no LP ended, leaving the greedy plan (up to 61 %
# above the optimum). The family shapes at S have at most 0.24 and fewer than 4,000 arcs.
PLAIN_FIRST_ARCS_PER_VARIABLE = 0.3
# On a model of up to SMALL_COLUMNS columns the same share of arcs sends the MIP to the
# model without them (the LP with them still proves its bound): HiGHS's own cuts at the
# root raise the plain model's bound past the arcs' LP, and each node is cheaper. Unseen
# sweep seed 3090 (80 cases over 14 days, 923 variables, 3,664 arcs, T = 2 s): the arcs'
# LP 1,476.8 against 1,463.7 plain, but the MIP's plan 1,596.4 with the arcs and 1,529.2
# without (optimum 1,521.8). Paired on the 81 unseen sweep rounds of 2601-3200 with up to
# SMALL_COLUMNS columns and more than that share of arcs: better 4 (2.2-8.2 %), worse 3
# (at most 0.16 %), proven 69 and 71 (none lost); benchmarks/README.md
STRONG_LP_SHARE = 0.5
# and it starts only when that share holds this many plain LPs: with the arcs the LP took
# 1.3-4.5 times as long on those rounds, and one cut short loses its time (seed 1005 at T
# = 5 s: 0.5 x 2.4 s for an LP of 2.2 s after a plain one of 0.84 s)
STRONG_LP_FACTOR = 3.0
# on a large round's kept columns (improve) a plan is in hand before the LP, and the one with
# the arcs prices the stages after it better: budget-region M at 30 s had 5.0 s for an LP of
# 3.9 s after a plain one of 2.3 s (2.2 plain LPs); from the plain LP the plan ended 0.81 %
# above the bound, with the arcs 0.31-0.39 %. In a whole round (unseen sweep seed 3610, 300
# cases, T = 5 s, 2.96 plain LPs) the LP with the arcs left no time for the proof MIP and
# the plan was 1.5 % worse in two runs of two, so the factor stays 3 there. (Since then
# kept columns whose budgets bind take the arcs' LP first, budget-region M among them; the
# factor stays for the others, not measured apart.)
KEPT_STRONG_LP_FACTOR = 2.0


@dataclass
class _State:
    """The best plan and bound of the run so far.

    On a restricted formulation (``proves`` false) the bound is that of the restricted
    model: it still stops the search once reached, but is not passed on as a proof.
    """

    form: Formulation
    tracker: Tracker
    plan: Plan
    objective: float
    proves: bool = True
    bound: float = -math.inf
    # the bound of the LP duals that priced the columns: reduced-cost fixing must measure
    # from it, not from a better bound found otherwise (the Lagrangian over budgets)
    lp_bound: float = -math.inf

    def offer(self, stage: str, plan: Plan) -> None:
        value = plan_objective(self.form.problem, plan)
        if value < self.objective - 1e-9:
            self.plan, self.objective = plan, value
        self.tracker.update(stage, objective=self.objective)

    def offer_checked(self, stage: str, plan: Plan) -> None:
        """Offer a plan seen inside a HiGHS run (its callback): only if it keeps every rule."""
        if not plan_violations(self.form.problem, plan):
            self.offer(stage, plan)

    def prove(self, stage: str, bound: float) -> None:
        self.bound = max(self.bound, min(bound, self.objective))
        if self.proves:
            self.tracker.update(stage, bound=self.bound)

    def closed(self, relative_gap: float) -> bool:
        return self.objective - self.bound <= relative_gap * max(abs(self.objective), 1e-9)


def solve_exact(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    relative_gap: float = 1e-6,
    tracker: Tracker | None = None,
    form: Formulation | None = None,
) -> Outcome:
    """Solve one part exactly: LP bound, LP-based plan, then the MIP until proven or time.

    Parameters
    ----------
    problem
        The (part of the) matching problem.
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    seed, threads, relative_gap
        HiGHS settings; the run stops once the gap is below ``relative_gap``.
    tracker
        Receives the best plan value and bound as they improve.
    form
        The formulation, when already built.

    Returns
    -------
    Outcome
        The best plan, the best proven bound and whether the plan is proven optimal.
    """
    t0 = time.perf_counter()
    tracker = tracker or Tracker(ignore, 0, 1, t0)
    form = build_formulation(problem) if form is None else form
    warm_for(form.n_vars)  # the MIP worker, started while the LP runs
    if form.n_vars == 0:
        return Outcome(
            plan=[],
            bound=form.constant,
            optimal=True,
            method="mip",
            build_seconds=time.perf_counter() - t0,
        )
    state = _State(form, tracker, [], form.constant)
    for plan in greedy_plans(problem, form, deadline):
        state.offer("greedy", plan)
    if form.n_vars > SMALL_COLUMNS:
        # one flow (10-50 ms): a real bound before the LP, whatever the load (issue 11). Also
        # without budgets: an LP cut short there left the single-case bound (families S seed
        # 1 at T = 1 s, load 6: 97.8 against the flow's 31,472, optimum 32,127.3)
        first = budget_bound(form, deadline=deadline, incumbent=state.objective, max_steps=1)
        state.prove("lagrangian", first.bound)
    now = time.perf_counter()
    if form.n_vars / ASSEMBLE_COLUMNS_PER_SECOND > deadline - now:
        notes = ("no time left to build the LP", *_budget_stage(state, deadline))
        return Outcome(
            plan=state.plan,
            bound=state.bound,
            optimal=False,
            method="mip",
            build_seconds=now - t0,
            solve_seconds=time.perf_counter() - now,
            notes=notes,
        )
    arcflow_until = now + ARCFLOW_SHARE * (deadline - now)
    arcs = build_arcflow(form, deadline=arcflow_until, per_variable=MAX_ARCS_PER_VARIABLE)
    model = assemble(form, arcs, chain=True, split=True)
    many = _many(arcs, form) or (form.n_vars <= SMALL_COLUMNS and _dense(arcs, form))
    plain = assemble(form, None, chain=True, split=True) if many else None
    build = time.perf_counter() - t0
    notes = _run_stages(state, model, deadline, seed, threads, relative_gap, plain=plain)
    optimal = state.closed(relative_gap)
    solve = time.perf_counter() - t0 - build
    return Outcome(
        plan=state.plan,
        bound=state.bound,
        optimal=optimal,
        method="mip",
        build_seconds=build,
        solve_seconds=solve,
        notes=notes,
    )


def _budget_stage(state: _State, deadline: float) -> tuple[str, ...]:
    """When the LP does not fit the time: the Lagrangian bound over budgets, and its plan.

    Without binding budgets it is one flow: the bound of the relaxation with families
    split, keep-apart pairs dropped and short stays taking no bed
    (:mod:`matching.budget_bound`); never a trivial bound because the LP ran out of time
    (issue 11: 21,890 in 0.3 s on the budget shapes at S, optimum 21,970).
    """
    until = deadline - greedy_seconds(state.form)
    found, plan = budget_stage(state.form, state.plan, deadline=until)
    state.offer("lagrangian", plan)
    state.prove("lagrangian", found.bound)
    if found.steps == 0:
        return ("greedy plan kept",)
    return (f"Lagrangian bound over budgets instead ({found.steps} flows)",)


def improve(
    form: Formulation,
    plan: Plan,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    tracker: Tracker | None = None,
    prove: bool = False,
    budgets_bind: bool = False,
) -> tuple[Plan, float]:
    """The LP, dive and polishing stages on a restricted formulation.

    With ``prove``, the MIP too. Returns a better plan, if one is found by the deadline, and
    the restricted model's bound (``-inf`` without a proof). The bound holds for the
    restricted columns only; the caller decides what it proves (see :mod:`matching.large`).
    ``budgets_bind``: the caller's LP priced a budget (column generation's); then the LP
    with the arc-flow rows goes first however many they are.
    """
    warm_for(form.n_vars)  # the MIP worker, started while the LP runs
    tracker = tracker or Tracker(ignore, 0, 1, time.perf_counter())
    if form.n_vars == 0:
        return plan, form.constant if prove else -math.inf
    state = _State(form, tracker, plan, plan_objective(form.problem, plan), proves=False)
    arcflow_until = time.perf_counter() + ARCFLOW_SHARE * (deadline - time.perf_counter())
    arcs = build_arcflow(form, deadline=arcflow_until)
    model = assemble(form, arcs, chain=True, split=True)
    # with many arcs the plain LP first, as for a whole round (unseen sweep seed 2462, 3,000
    # cases over 7 days, T = 5 s: 99,148 arcs on 50,522 kept columns, an LP not done in the
    # 3.4 s left, and nothing better than the LP-guided greedy's plan, 9 % above the best known)
    # but not when the budgets bind: fix-and-optimise then keeps what the LP makes whole, and
    # the LP with the arcs makes more so. budget-national L at 60 s (since that rule): the
    # plain LP 7.9 s, the one with the arcs (13.4 s) not started in its share, the plan 0.168 %
    # above the bound; with the arcs' LP first 0.016 % (as before the rule: 0.013 %);
    # budget-region M 0.385 -> 0.350 %, budget-stream M 0.257 -> 0.282 %, the other budget
    # shapes at M and L and sweep seeds 2456, 2470 and 2552 the same or better, one run each
    many = _many(arcs, form) and not budgets_bind
    plain = assemble(form, None, chain=True, split=True) if many else None
    _run_stages(
        state, model, deadline, seed, threads, 1e-6,
        prove=prove, plain=plain, strong_factor=KEPT_STRONG_LP_FACTOR,
    )  # fmt: skip
    return state.plan, state.bound if prove else -math.inf


def _many(arcs: ArcFlow, form: Formulation) -> bool:
    """Whether the arc-flow rows are many enough for the LP without them to go first."""
    return _dense(arcs, form) and arcs.n_arcs > MAX_ARCS_PER_FACILITY


def _dense(arcs: ArcFlow, form: Formulation) -> bool:
    """Whether there are more arcs than ``PLAIN_FIRST_ARCS_PER_VARIABLE`` per variable."""
    return arcs.n_arcs > PLAIN_FIRST_ARCS_PER_VARIABLE * form.n_vars


def _run_stages(
    state: _State,
    model: LinearModel,
    deadline: float,
    seed: int,
    threads: int,
    relative_gap: float,
    *,
    prove: bool = True,
    plain: LinearModel | None = None,
    strong_factor: float | None = None,
) -> tuple[str, ...]:
    """LP, LP-based plan, polishing and (if ``prove``) the proof; returns notes.

    ``plain``: ``model`` without its arc-flow rows, when they are many (its LP goes first;
    ``strong_factor``: see :func:`_relaxation`).
    """
    form = state.form
    # with budgets, time is kept back for their Lagrangian bound should the LP not finish
    budgets = prove and form.binding_streams.size > 0
    now = time.perf_counter()
    until = now + LP_SHARE * (deadline - now) if budgets else deadline
    h, model, lp, first = _relaxation(
        model, plain, until, seed, threads, relative_gap, strong_factor
    )
    if not lp.optimal or lp.row_dual is None or lp.col_value is None:
        # cut short, an LP without presolve still has values: not a feasible point (issue 11)
        note = f"LP relaxation not solved in time ({lp.status})"
        return (note, *_budget_stage(state, deadline)) if prove else (note,)
    y = lp.row_dual
    state.lp_bound = lagrangian_bound(model, y)
    state.prove("lp", state.lp_bound)
    if state.closed(relative_gap):
        return ()
    rc = reduced_costs(model, y)
    n_cases = form.problem.n_cases
    placed: FloatArray = np.bincount(
        form.var_case, lp.col_value[: form.n_vars], minlength=n_cases
    ).astype(np.float64)
    guided = solve_greedy(form.problem, form, guide=(placed, rc[: form.n_vars])).plan
    state.offer("lp-greedy", guided)
    if state.closed(relative_gap):
        return ()
    if prove and form.n_vars <= SMALL_COLUMNS:  # the MIP solves these fastest on its own
        if first is not None and first[1].row_dual is not None and model is not first[0]:
            # the MIP on the model without its arc-flow rows, priced by that model's duals
            model, y = first[0], first[1].row_dual
            rc, state.lp_bound = reduced_costs(model, y), lagrangian_bound(model, y)
        return _prove(
            state, model, rc, deadline, seed, threads, relative_gap, lp.seconds, search=True
        )
    # budgets split the LP: fix its whole part, MIP the rest. Budgets with room at the LP
    # optimum are rounded by the dive, as without budgets (budget-loose at S, issue 11); not
    # when only plans are sought (a large round's restricted model), where the dive took
    # 1.6 s on the 33,000 columns of issue-11 S seed 2 and found nothing better, and
    # fix-and-optimise 0.4 s
    if budgets_bind(form, lp.col_value) if prove else form.binding_streams.size:
        until = time.perf_counter() + FIX_SHARE * (deadline - time.perf_counter())
        found = fix_and_optimise(
            form,
            lp.col_value,
            rc,
            state.plan,
            deadline=until,
            seed=seed,
            on_plan=lambda plan: state.offer_checked("fix-and-optimise", plan),
        )
        state.offer("fix-and-optimise", found)
        until = time.perf_counter() + SEARCH_SHARE * (deadline - time.perf_counter())
        found = neighbourhood_search(form, rc, state.plan, deadline=until, seed=seed)
        state.offer("neighbourhood-search", found)
    else:
        dive_until = time.perf_counter() + DIVE_SHARE * (deadline - time.perf_counter())
        state.offer("lp-plan", lp_plan(h, form, lp.col_value, deadline=dive_until))
    if state.closed(relative_gap) or time.perf_counter() >= deadline:
        return _gap_note(state)
    for reach in POLISH_REDUCED_COSTS:
        if state.objective - state.lp_bound <= reach:  # the proof covers these columns anyway
            break
        until = time.perf_counter() + POLISH_SHARE * (deadline - time.perf_counter())
        state.offer("polish", _polish(form, model, rc, reach, state.plan, until, seed, threads))
        if state.closed(relative_gap) or time.perf_counter() >= deadline:
            return _gap_note(state)
    if not prove:  # a restricted model's proof proves nothing about the whole
        return ()
    return _prove(state, model, rc, deadline, seed, threads, relative_gap, lp.seconds)


def _relaxation(
    model: LinearModel,
    plain: LinearModel | None,
    deadline: float,
    seed: int,
    threads: int,
    relative_gap: float,
    strong_factor: float | None = None,
) -> tuple[highspy.Highs, LinearModel, Run, tuple[LinearModel, Run] | None]:
    """The LP relaxation by ``deadline``: the HiGHS instance, the model it holds, its run.

    With ``plain`` given, its LP first; then ``model``'s in ``STRONG_LP_SHARE`` of the
    time left, when that holds ``strong_factor`` (else ``STRONG_LP_FACTOR``) plain LPs, kept
    when it ends in it (else the plain one is, with its instance). Last, ``plain`` and its
    run when ``plain`` was given (``None`` otherwise).
    """
    factor = STRONG_LP_FACTOR if strong_factor is None else strong_factor

    def solved(m: LinearModel, until: float) -> tuple[highspy.Highs, LinearModel, Run]:
        h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=relative_gap)
        pass_model(h, m, integer=False)
        return h, m, run_guarded(h, until, lp=True)

    if plain is None:
        return (*solved(model, deadline), None)
    first = solved(plain, deadline)
    kept = first
    now = time.perf_counter()
    window = STRONG_LP_SHARE * (deadline - now)
    if first[2].optimal and window >= factor * first[2].seconds:
        strong = solved(model, now + window)
        kept = strong if strong[2].optimal else first
    return (*kept, (plain, first[2]))


def _polish(
    form: Formulation,
    model: LinearModel,
    rc: FloatArray,
    reach: float,
    plan: Plan,
    deadline: float,
    seed: int,
    threads: int,
) -> Plan:
    """A MIP on the columns with small reduced cost (and the plan's), started from the plan."""
    start = model.complete(values_of(form, plan, model.n_cols))
    upper = model.col_upper.copy()
    drop = (rc > reach) & (start < 0.5) & model.integer
    upper[drop] = 0.0
    restricted = model.with_bounds(model.col_lower, upper)

    options = (
        ("mip_max_nodes", POLISH_NODES),
        # the first without restart: after one, HiGHS's root cut loop ran 5 s and found
        # nothing on families seed 1 at S; without it, the optimum in 1.7 s (as in the proof
        # MIP below). The second, larger one gains from the restart's smaller model: 0.3-0.5
        # against 0.4-1.1 s of CPU on families and keep-apart seeds 1-5 at S.
        ("mip_allow_restart", reach > POLISH_REDUCED_COSTS[0]),
    )
    run = run_mip(MipTask(restricted, options, start, seed, threads, 1e-6), deadline)
    assert run is not None  # in-process when no worker is ready
    found = plan if run.col_value is None else plan_of(form, run.col_value)
    return best_plan(form, plan, solve_greedy(form.problem, form, start=found).plan)


def _prove(
    state: _State,
    model: LinearModel,
    rc: FloatArray,
    deadline: float,
    seed: int,
    threads: int,
    relative_gap: float,
    lp_seconds: float,
    *,
    search: bool = False,
) -> tuple[str, ...]:
    """The full MIP with reduced-cost fixing, from the best plan, until proven or the deadline.

    A plan better than the incumbent (value ``U``) cannot use a column whose reduced cost
    exceeds ``U`` less the bound of the duals that priced it; fixing those, the MIP's dual
    bound ``B`` proves ``min(U, B)``. In a worker process it is killed at the deadline
    (:mod:`matching.mip_process`) and starts with ``PROOF_MIN_SECONDS`` left; in this
    process as it is when the time left can hold its presolve and root (``PROOF_LP_FACTOR``
    times the LP's ``lp_seconds``), else aside (left behind, should HiGHS not answer its
    cancel in time: :func:`matching.highs_run.run_until`). A note when it does not start.

    ``search``: the MIP must find the plans as well (a small model straight from the LP,
    no plan stage before it), so HiGHS's primal heuristics stay on. Off, on unseen sweep
    rounds of 20-80 cases the plans ended 7-20 % above the optimum, the MIP's only better
    plan 1-5 % below the LP-guided greedy's, at its end (seeds 2211, 2296, 2378:
    ``benchmarks/README.md``). Without ``search`` the proof MIP keeps RINS while the plan
    is more than ``PROOF_SEARCH_GAP`` above the LP bound, and searches as with it while the
    plan is more than ``PROOF_FULL_SEARCH_GAP`` above.
    """
    left = deadline - time.perf_counter()
    if left < PROOF_MIN_SECONDS:
        return ("no time left for the proof MIP", *_gap_note(state))
    roomy = left >= PROOF_LP_FACTOR * lp_seconds
    form = state.form
    incumbent = state.objective
    slack = incumbent - state.lp_bound + 1e-6 * max(1.0, abs(incumbent))
    lower, upper = model.col_lower.copy(), model.col_upper.copy()
    upper[model.integer & (rc > slack)] = 0.0
    lower[model.integer & (rc < -slack)] = 1.0
    fixed = model.with_bounds(lower, upper)

    options: tuple[tuple[str, Option], ...] = (
        # the fixing above is what HiGHS's restarts would do; without them it proves S seeds
        # 1-5 in about half the simplex iterations (19,000 against 35,000 on seed 2)
        ("mip_allow_restart", False),
    )
    search = search or incumbent - state.lp_bound > PROOF_FULL_SEARCH_GAP * abs(incumbent)
    if not search:
        far = incumbent - state.lp_bound > PROOF_SEARCH_GAP * abs(incumbent)
        off = (o for o in PROOF_HEURISTICS_OFF if not (far and o == PROOF_SEARCH_HEURISTIC))
        options = (*options, ("mip_heuristic_effort", 0.0), *((option, False) for option in off))
    start = model.complete(values_of(form, state.plan, model.n_cols))
    task = MipTask(fixed, options, start, seed, threads, relative_gap)
    run = run_mip(task, deadline, aside=not roomy)
    if run.col_value is not None:
        state.offer(
            "mip", solve_greedy(form.problem, form, start=plan_of(form, run.col_value)).plan
        )
    if math.isfinite(run.dual_bound):
        state.prove("mip", min(incumbent, run.dual_bound))
    notes = [] if run.optimal else [f"HiGHS stopped: {run.status}"]
    return (*notes, *_gap_note(state))


def _gap_note(state: _State) -> tuple[str, ...]:
    gap = (state.objective - state.bound) / max(abs(state.objective), 1e-9)
    return () if gap <= 0 else (f"gap to the proven bound {100 * gap:.3f} %",)
