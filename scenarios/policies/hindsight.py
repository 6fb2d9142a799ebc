"""``hindsight``: the offline plan with all arrivals and stays known, and a proven bound.

Before the clock starts, the policy solves the whole run (``scenarios.policies.offline``):

1. the **relaxed** model as an LP in HiGHS; its optimum plus the constant is a proven lower
   bound on the priority-weighted waiting of *any* policy on this replication — every case
   of the run, weights ``class weight x urgency`` of the run's rulebook (no ageing), waiting
   counted up to the placement or, for cases still waiting, to the end of the run, beds and
   budgets as the simulation enforces them, on the daily round grid;
2. the **restricted** model as an LP, rounded to a feasible plan
   (``scenarios.policies.rounding``) and, apart, list-scheduled in the LP's order of
   expected start days; both are left-shifted to daily starts, which the restricted
   model's weekly buckets do not have (``scenarios.policies.leftshift``), and the better
   is kept; then, if it is not within the gap, the MIP starts from the rounded plan for
   what is left of the scenario's time limit, its plan shifted in turn and kept if better.
   The plan is what the simulation carries out, day by day, so hindsight gets every KPI
   like the other policies.

Both LPs run to optimality whatever the time limit (the bound must be proven); the time
limit bounds the search for a better plan.

Both results travel with the trace as policy notes (bound, plan objective, gap, seconds).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from scenarios.errors import ScenarioRunError
from scenarios.policies.base import Decision, RoundKind
from scenarios.policies.leftshift import Placements, left_shift, list_schedule, lp_order
from scenarios.policies.offline import Columns, available_beds, build_columns, build_rows
from scenarios.policies.rounding import round_plan
from scenarios.state import CaseRecord, FloatArray, IntArray, SimState, initial_state

if TYPE_CHECKING:
    from scenarios.loading import Scenario

PLAN = RoundKind.PLAN  # status of a round that carries out the offline plan
MIN_MIP_SECONDS = 5.0  # seconds: below this, the rounded LP plan is kept without a MIP


@dataclass(frozen=True, slots=True)
class Solved:
    """A solved offline model: values of the start variables, objective, bound, status."""

    values: FloatArray
    objective: float
    bound: float
    status: str
    seconds: float


def solve_offline(
    cols: Columns,
    state: SimState,
    avail: np.ndarray,
    horizon: int,
    *,
    relaxed: bool,
    integer: bool,
    time_limit: float,
    relative_gap: float,
    start: IntArray | None = None,
) -> Solved:
    """Build the model and solve it with HiGHS (objective without the constant).

    ``start``: start variables of a feasible plan to begin the MIP from.
    """
    t0 = time.perf_counter()
    rows, occ_upper = build_rows(state, cols, avail, horizon, relaxed=relaxed)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    h.setOptionValue("random_seed", 0)
    n = cols.n + occ_upper.size
    h.addVars(n, np.zeros(n), np.concatenate([np.ones(cols.n), occ_upper]))
    h.changeColsCost(
        n, np.arange(n, dtype=np.int32), np.concatenate([cols.saving, np.zeros(occ_upper.size)])
    )
    n_rows = rows.lower.size
    h.addRows(
        n_rows, rows.lower, rows.upper, rows.index.size, rows.starts[:-1], rows.index, rows.value
    )
    if integer and cols.n:
        kinds = np.full(cols.n, highspy.HighsVarType.kInteger)
        h.changeColsIntegrality(cols.n, np.arange(cols.n, dtype=np.int32), kinds)
    if start is not None:
        solution = highspy.HighsSolution()
        solution.col_value = _full_solution(cols, start, occ_upper.size, horizon).tolist()
        h.setSolution(solution)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if info.primal_solution_status != 2:  # no feasible solution
        raise ScenarioRunError(f"hindsight model found no solution ({status})")
    values = np.array(h.getSolution().col_value[: cols.n])
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if integer else objective
    return Solved(values, objective, bound, status, time.perf_counter() - t0)


def _full_solution(cols: Columns, chosen: IntArray, n_occ: int, horizon: int) -> FloatArray:
    """Start variables of a plan and the occupancy columns they imply."""
    x = np.zeros(cols.n + n_occ)
    x[chosen] = 1.0
    occ = np.zeros(n_occ)
    for j in chosen.tolist():
        f, s = int(cols.facility[j]), int(cols.start[j])
        end = min(s + int(cols.length[j]), horizon)
        occ[f * horizon + s : f * horizon + end] += cols.beds[j]
    x[cols.n :] = occ
    return x


def plan_objective(cols: Columns, chosen: IntArray) -> float:
    """Objective of a plan (without the constant)."""
    return float(cols.saving[chosen].sum())


@dataclass(frozen=True, slots=True)
class OfflineModel:
    """The offline model's fixed inputs and how long it may take."""

    state: SimState
    avail: IntArray
    horizon: int
    time_limit: float
    gap: float

    def solve(self, cols: Columns, *, relaxed: bool, integer: bool = False, **kw: Any) -> Solved:
        return solve_offline(
            cols,
            self.state,
            self.avail,
            self.horizon,
            relaxed=relaxed,
            integer=integer,
            time_limit=kw.pop("time_limit", math.inf),  # LPs run to the end: they are the proof
            relative_gap=self.gap,
            **kw,
        )

    def plan(
        self, cols: Columns, records: list[CaseRecord], bound: Solved, constant: float
    ) -> tuple[Placements, PlanInfo]:
        """The plan's placements, and where it came from.

        The restricted LP is rounded to a plan; that plan and a list schedule in the LP's
        order (``scenarios.policies.leftshift``) are left-shifted to daily starts and the
        better is kept. When time is left and it is not within the gap of the bound, the
        MIP starts from the rounded plan and its plan, shifted in turn, is kept if better.
        """
        t0 = time.perf_counter()
        lp = self.solve(cols, relaxed=False)
        weights = np.array([r.weight for r in records])
        chosen = round_plan(cols, self.state, self.avail, self.horizon, lp.values, weights)
        rounded = plan_objective(cols, chosen)
        t1 = time.perf_counter()
        best = self._daily(cols, lp.values, Placements.of(cols, chosen), records, weights)
        shift_seconds = time.perf_counter() - t1
        objective = best.objective(weights, self.horizon)
        info = PlanInfo(rounded + constant, from_mip=False, seconds=0.0)
        left = self.time_limit - (time.perf_counter() - t0) - shift_seconds
        gap = _gap(objective + constant, bound.objective + constant)
        if left > MIN_MIP_SECONDS and gap > self.gap:
            mip = self.solve(cols, relaxed=False, integer=True, time_limit=left, start=chosen)
            better = np.flatnonzero(mip.values > 0.5)
            if plan_objective(cols, better) < rounded - 1e-6:
                shifted = self._shift(Placements.of(cols, better), records)
                if shifted.objective(weights, self.horizon) < objective - 1e-6:
                    best, info = shifted, PlanInfo(info.rounded, from_mip=True, seconds=0.0)
        return best, PlanInfo(info.rounded, info.from_mip, time.perf_counter() - t0)

    def _daily(
        self,
        cols: Columns,
        values: FloatArray,
        rounded: Placements,
        records: list[CaseRecord],
        weights: FloatArray,
    ) -> Placements:
        """The better of the rounded plan and the LP-ordered list schedule, left-shifted."""
        order, prefer = lp_order(cols, values, records, self.horizon)
        listed = list_schedule(order, self.state, records, self.avail, self.horizon, prefer=prefer)
        candidates = [self._shift(rounded, records), self._shift(listed, records)]
        return min(candidates, key=lambda p: p.objective(weights, self.horizon))

    def _shift(self, plan: Placements, records: list[CaseRecord]) -> Placements:
        return left_shift(plan, self.state, records, self.avail, self.horizon)


@dataclass(frozen=True, slots=True)
class PlanInfo:
    """Where a plan came from: the rounded LP plan's objective (with the constant),
    whether the MIP made the plan, and the seconds spent on it."""

    rounded: float
    from_mip: bool
    seconds: float


class HindsightPolicy:
    """Carry out the offline plan made with all of the run's arrivals and stays.

    Parameters
    ----------
    scenario
        The scenario (supply, rulebook, horizon, time limit and gap).
    records
        Every case of the replication, with its actual stays.
    """

    def __init__(self, scenario: Scenario, records: list[CaseRecord]) -> None:
        spec = scenario.spec
        model = OfflineModel(
            state=initial_state(scenario.supply, scenario.rulebook),
            avail=available_beds(scenario.supply, spec.horizon_days),
            horizon=spec.horizon_days,
            time_limit=spec.hindsight.time_limit_seconds,
            gap=spec.hindsight.relative_gap,
        )
        constant = float(sum(r.weight * (spec.horizon_days - r.arrival) for r in records))
        bound = model.solve(
            build_columns(model.state, records, model.avail, model.horizon, relaxed=True),
            relaxed=True,
        )
        if bound.status != "Optimal":
            raise ScenarioRunError(f"hindsight bound LP not solved to optimality ({bound.status})")
        cols = build_columns(model.state, records, model.avail, model.horizon, relaxed=False)
        weights = np.array([r.weight for r in records])
        plan, info = model.plan(cols, records, bound, constant)
        self.plan: dict[int, list[tuple[int, int]]] = plan.by_day()
        objective = plan.objective(weights, model.horizon) + constant
        self.notes = {
            "lower_bound": bound.objective + constant,
            "plan_objective": objective,
            "plan_gap": _gap(objective, bound.objective + constant),
            "plan_from_mip": 1.0 if info.from_mip else 0.0,
            "rounded_objective": info.rounded,
            "bound_seconds": bound.seconds,
            "plan_seconds": info.seconds,
            "variables": float(cols.n),
        }

    def decide(self, state: SimState, now: float) -> Decision:
        del state  # the plan was made before the run
        return Decision(list(self.plan.get(round(now), [])), PLAN)


def _gap(objective: float, bound: float) -> float:
    """Relative gap of the plan to the proven lower bound."""
    if objective <= 0:
        return 0.0
    return max(0.0, objective - bound) / objective
