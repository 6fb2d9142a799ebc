"""A Lagrangian bound over budgets, for rounds whose LP does not fit the time (issue 11).

The budget rows are moved into the objective, each binding stream's euros priced at
``price >= 0`` weighted days per euro. What is left is relaxed into a transportation
problem that min-cost flow solves exactly and fast at any size:

- a family of ``b`` beds becomes ``b`` units that may go their own ways, each with
  ``1/b`` of its waiting, penalty, cost and unplaced cost;
- keep-apart pairs are dropped;
- a stay that ends inside the horizon takes no bed: it costs its cheapest start day on
  which it fits, other placements aside;
- a stay to the end of the horizon takes a bed unit from its start day on. Such stays
  only ever add beds in use, so a facility's free beds can be read as their minimum from
  each day on (exactly), and its bed units are released on the days that minimum rises;
  a unit released on day ``r`` costs a case the waiting of ``max(r, first day its beds
  fit)``.

Every plan maps to a flow of at most its cost, so for any prices ``p`` the flow's optimum
minus ``p . budget`` is a proven lower bound (weak duality), whether or not ``p`` is
optimal. The prices follow projected subgradient steps with Polyak's step length
towards the best plan's value; every step's bound is valid and the best is kept.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matching.evaluation import plan_objective
from matching.formulation import Formulation
from matching.greedy import solve_greedy
from matching.heuristics import best_plan
from matching.problem import NO_STREAM

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Plan = list[tuple[int, int]]
COST_SCALE = 1_000_000  # integer flow cost units per weighted day
MAX_STEPS = 100  # subgradient steps at most
PATIENCE = 4  # steps without a better bound before the step length is halved
FIRST_STEP = 1.0  # Polyak's factor at the start (halved down to MIN_STEP)
MIN_STEP = 1e-3
NO_OPTION = -1
# arcs a flow is built and solved for per second (about 1.5 million measured at S and M,
# quartered for a busy machine): no step is started that cannot end by the deadline
ARCS_PER_SECOND = 400_000
GREEDY_VARS_PER_SECOND = 400_000  # the greedy's speed, likewise (800,000 at M)


@dataclass(frozen=True, eq=False)
class BudgetBound:
    """The best Lagrangian bound found and where.

    Parameters
    ----------
    bound
        Proven lower bound on the optimum (``-inf`` when no step ran).
    prices
        Per stream of the problem, the weighted days per euro that gave it (0 for streams
        that cannot bind).
    placed
        Per case, the share of its beds the flow placed at those prices.
    plan
        A plan that keeps every rule: the best of the flows' placements at the prices
        tried (a start for the greedy).
    steps
        Flows solved.
    """

    bound: float
    prices: FloatArray
    placed: FloatArray
    plan: Plan
    steps: int


@dataclass(frozen=True, eq=False)
class _Network:
    """The transportation problem, with costs before pricing.

    Arc ``a`` carries units of case ``case[a]`` (each ``1/beds`` of the case) to bed unit
    node ``head[a]`` (``-1``: straight to the sink, for unplaced and for stays inside the
    horizon) at ``cost[a]`` weighted days per unit plus ``spend[a]`` euros of ``stream[a]``.
    """

    case: IntArray
    option: IntArray  # NO_OPTION on the unplaced arcs
    day: IntArray  # start day of a stay to the horizon; NO_OPTION on the other arcs
    head: IntArray
    cost: FloatArray
    spend: FloatArray
    stream: IntArray  # NO_STREAM or a budget row
    ceiling: FloatArray  # per arc, its case's unplaced cost per unit
    unit_beds: IntArray  # beds released per bed unit node
    beds: IntArray  # per case

    @property
    def n_arcs(self) -> int:
        return int(self.case.size) + int(self.unit_beds.size)


def _network(form: Formulation) -> _Network:
    """The relaxed problem as arcs (see the module docstring)."""
    p = form.problem
    h = p.horizon_days
    beds = p.case_beds.astype(np.int64)
    free = np.minimum.accumulate(p.free_beds[:, ::-1], axis=1)[:, ::-1].astype(np.int64)
    rise = np.diff(free, axis=1, prepend=0)
    unit_f, unit_day = np.nonzero(rise > 0)
    per_fac = np.bincount(unit_f, minlength=p.n_facilities)
    first_unit = np.concatenate([[0], np.cumsum(per_fac)])
    row = {s: i for i, s in enumerate(form.binding_streams.tolist())}
    stream_row = np.array([row.get(s, NO_STREAM) for s in range(len(p.stream_ids))] + [NO_STREAM])
    opt_row = stream_row[p.opt_stream]  # NO_STREAM reads the last entry
    weight = p.case_weight[p.opt_case]
    # stays to the horizon: one arc per option and bed unit of its facility
    long = np.flatnonzero(p.stay_to >= h)
    fits = free[p.opt_facility[long], h - 1] >= beds[p.opt_case[long]]
    long = long[fits]
    first_fit = np.argmax(free[p.opt_facility[long]] >= beds[p.opt_case[long], None], axis=1)
    count = per_fac[p.opt_facility[long]]
    opt = np.repeat(long, count)
    unit = np.repeat(first_unit[p.opt_facility[long]], count) + (
        np.arange(opt.size) - np.repeat(np.cumsum(count) - count, count)
    )
    day = np.maximum(unit_day[unit], np.repeat(first_fit, count))
    long_cost = weight[opt] * day + p.opt_penalty[opt]
    # stays inside the horizon: the cheapest start day the formulation keeps, no bed taken
    short_cost = np.full(p.n_options, np.inf)
    saving = form.var_saving + p.unplaced_cost[form.var_case]
    np.minimum.at(short_cost, form.var_option, saving)
    short = np.flatnonzero((p.stay_to < h) & np.isfinite(short_cost))
    case = np.concatenate([p.opt_case[opt], p.opt_case[short], np.arange(p.n_cases)])
    arc_opt = np.concatenate([opt, short])
    cost = np.concatenate([long_cost, short_cost[short], p.unplaced_cost])
    per_unit = beds[case]
    return _Network(
        case=case.astype(np.int64),
        option=np.concatenate([arc_opt, np.full(p.n_cases, NO_OPTION)]).astype(np.int64),
        day=np.concatenate([day, np.full(short.size + p.n_cases, NO_OPTION)]).astype(np.int64),
        head=np.concatenate([unit, np.full(short.size + p.n_cases, -1)]).astype(np.int64),
        cost=cost / per_unit,
        spend=np.concatenate([p.opt_cost[arc_opt], np.zeros(p.n_cases)]) / per_unit,
        stream=np.concatenate([opt_row[arc_opt], np.full(p.n_cases, NO_STREAM)]),
        ceiling=p.unplaced_cost[case] / per_unit,
        unit_beds=rise[unit_f, unit_day],
        beds=beds,
    )


def _flow(net: _Network, prices: FloatArray) -> tuple[float, FloatArray]:
    """The relaxed problem's optimum at these prices (budgets not subtracted), and the flow.

    An arc dearer than leaving its case's unit unplaced is never used, so costs are capped
    there (keeping integer costs small). The rounding of costs to integers moves the
    optimum by at most half a cost unit per bed unit, which is subtracted.
    """
    n_c, n_u = net.beds.size, net.unit_beds.size
    sink = 1 + n_c + n_u
    priced = net.cost + np.append(prices, 0.0)[net.stream] * net.spend  # NO_STREAM: last
    priced = np.minimum(priced, net.ceiling)
    heads = np.where(net.head >= 0, 1 + n_c + net.head, sink)
    smcf = min_cost_flow.SimpleMinCostFlow()
    tails = np.concatenate([np.zeros(n_c, np.int64), 1 + net.case, 1 + n_c + np.arange(n_u)])
    smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        np.concatenate([1 + np.arange(n_c), heads, np.full(n_u, sink)]).astype(np.int32),
        np.concatenate([net.beds, net.beds[net.case], net.unit_beds]).astype(np.int64),
        np.concatenate([np.zeros(n_c), np.rint(priced * COST_SCALE), np.zeros(n_u)]).astype(
            np.int64
        ),
    )
    total = int(net.beds.sum())
    smcf.set_node_supply(0, total)
    smcf.set_node_supply(sink, -total)
    if smcf.solve() != smcf.OPTIMAL:  # cannot happen: every unit may stay unplaced
        raise RuntimeError("the budget relaxation's flow was not solved")
    flows = smcf.flows(np.arange(n_c, n_c + net.case.size)).astype(np.float64)
    value = smcf.optimal_cost() / COST_SCALE - 0.5 * total / COST_SCALE
    return value, flows


def budget_bound(
    form: Formulation,
    *,
    deadline: float,
    incumbent: float,
    prices: FloatArray | None = None,
    max_steps: int = MAX_STEPS,
) -> BudgetBound:
    """The best Lagrangian bound over the budget rows reached by the deadline.

    Parameters
    ----------
    form
        The formulation (its binding streams are the rows relaxed).
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    incumbent
        The best plan's value (the target of the step lengths).
    prices
        Weighted days per euro of each binding stream to start from (an LP's budget
        duals); 0 by default.
    max_steps
        Flows to solve at most.

    Returns
    -------
    BudgetBound
    """
    started = time.perf_counter()
    net = _network(form)
    budget = form.problem.budget[form.binding_streams].astype(np.float64)
    rows = np.where(net.stream == NO_STREAM, budget.size, net.stream)
    price = np.zeros(budget.size) if prices is None else np.maximum(prices, 0.0)
    best: tuple[float, FloatArray, FloatArray] | None = None
    best_plan_found: Plan = []
    plan_value = math.inf
    step, stale, steps = FIRST_STEP, 0, 0
    per_step = net.n_arcs / ARCS_PER_SECOND + (time.perf_counter() - started)
    while steps < max_steps and time.perf_counter() + per_step < deadline:
        t0 = time.perf_counter()
        value, flows = _flow(net, price)
        steps += 1
        spent = np.bincount(rows, flows * net.spend, minlength=budget.size + 1)[: budget.size]
        bound = value - float(price @ budget)
        per_step = time.perf_counter() - t0
        if best is None or bound > best[0] + 1e-9 * max(1.0, abs(bound)):
            best, stale = (bound, price, flows), 0
        else:
            stale += 1
        # the prices of the best bound seldom give the best plan: every step's is tried
        plan, value = _flow_plan(form, net, flows)
        if value < plan_value:
            best_plan_found, plan_value = plan, value
        if stale >= PATIENCE:  # overshot: shorter steps, from the best prices so far
            step, stale = step / 2, 0
            price, bound, flows = best[1], best[0], best[2]
            spent = np.bincount(rows, flows * net.spend, minlength=budget.size + 1)[: budget.size]
        slope = spent - budget
        slope[(price <= 0) & (slope < 0)] = 0.0  # the projection: prices stay at 0 there
        norm = float(slope @ slope)
        gap = incumbent - bound
        if norm <= 0 or gap <= 1e-9 * max(1.0, abs(incumbent)) or step < MIN_STEP:
            break  # the flow keeps every budget at these prices, or the bound is reached
        price = np.maximum(price + step * gap / norm * slope, 0.0)
    return _result(form, net, best, best_plan_found, steps)


def budget_stage(
    form: Formulation, plan: Plan, *, deadline: float, prices: FloatArray | None = None
) -> tuple[BudgetBound, Plan]:
    """The Lagrangian bound, and the better of ``plan`` and the greedy started from its flow.

    Parameters
    ----------
    form
        The formulation.
    plan
        The best plan so far.
    deadline
        Wall-clock time by which the Lagrangian steps end; the greedy after them takes
        :func:`greedy_seconds` more.
    prices
        Budget prices to start from (see :func:`budget_bound`).

    Returns
    -------
    tuple
        The bound found and the better plan.
    """
    incumbent = plan_objective(form.problem, plan)
    found = budget_bound(form, deadline=deadline, incumbent=incumbent, prices=prices)
    from_flow = solve_greedy(form.problem, form, start=found.plan).plan
    return found, best_plan(form, plan, from_flow)


def greedy_seconds(form: Formulation) -> float:
    """About how long the greedy takes on this formulation, on a busy machine."""
    return form.n_vars / GREEDY_VARS_PER_SECOND


def _result(
    form: Formulation,
    net: _Network,
    best: tuple[float, FloatArray, FloatArray] | None,
    plan: Plan,
    steps: int,
) -> BudgetBound:
    p = form.problem
    if best is None:
        return BudgetBound(-math.inf, np.zeros(len(p.stream_ids)), np.zeros(p.n_cases), [], 0)
    bound, price, flows = best
    prices = np.zeros(len(p.stream_ids))
    prices[form.binding_streams] = price
    placing = net.option != NO_OPTION
    placed = np.bincount(net.case[placing], flows[placing], minlength=p.n_cases)
    return BudgetBound(bound, prices, placed / net.beds, plan, steps)


def _flow_plan(form: Formulation, net: _Network, flows: FloatArray) -> tuple[Plan, float]:
    """The flow's placements that keep every rule (a start for the greedy), and their value.

    A case whose every bed unit takes one arc of a stay to the horizon starts on that
    arc's day. These placements fit in the beds on every day, and so does any subset: each
    bed unit sits on a bed released by its start day. Cases in a keep-apart pair are left
    to the greedy; within the budgets, the placements saving most waiting per euro first.
    """
    p = form.problem
    apart = np.zeros(p.n_cases, dtype=bool)
    apart[p.keep_apart.ravel()] = True
    whole = np.flatnonzero(
        (net.day != NO_OPTION) & (flows >= net.beds[net.case] - 0.5) & ~apart[net.case]
    )
    opt, day, case = net.option[whole], net.day[whole], net.case[whole]
    saving = p.unplaced_cost[case] - p.case_weight[case] * day - p.opt_penalty[opt]
    cost = p.opt_cost[opt]
    stream = np.where(p.opt_stream[opt] == NO_STREAM, len(p.stream_ids), p.opt_stream[opt])
    left = np.append(p.budget, np.inf)
    plan: Plan = []
    value = float(p.unplaced_cost.sum())
    for i in np.argsort(-saving / (cost + 1.0), kind="stable").tolist():
        if cost[i] <= left[stream[i]]:
            left[stream[i]] -= cost[i]
            plan.append((int(opt[i]), int(day[i])))
            value -= float(saving[i])
    return plan, value
