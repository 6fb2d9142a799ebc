"""``optimised``: the matching engine every round, on the national pool.

Each round builds a :class:`matching.MatchingProblem` from the simulated state and the
eligibility cached per case (not with ``build_problem``, which would re-apply the rulebook
to every pair each round) through the same assembler as ``build_problem``
(:func:`matching.assemble_problem`, which rounds weights, penalties and costs), solves it,
and carries out only the placements that start today; the rest of the plan is made again
at the next round with what is known then.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from capacity import PlacementType
from matching import MatchingProblem, Method, OptionColumns, SolveParams, assemble_problem, solve
from scenarios.policies.base import IDLE, Decision
from scenarios.spec import OptimiserSpec
from scenarios.state import CaseRecord, FloatArray, IntArray, SimState


@dataclass(frozen=True, slots=True)
class Round:
    """A round's problem and how its indices map back to the run."""

    problem: MatchingProblem
    cases: list[int]
    facilities: IntArray


def planned_free_beds(
    state: SimState, now: float, horizon: int, *, actual_stays: bool = False
) -> IntArray:
    """Free beds per facility per day of the planning horizon, as a planner sees them.

    Day 0 is now: beds minus occupied. A placement frees its beds on the first round at
    or after its *expected* end (the planner does not know actual stays); one already past
    its expected end is assumed to stay, as in :func:`capacity.build_snapshot`. With
    ``actual_stays`` (the study oracle ``optimiser.oracle_stays``, issue 13) it frees them
    at its actual end instead, as the hindsight plan knows it. Planned bed changes are not
    foreseen. Values are clipped to ``0 .. beds``.
    """
    n = state.capacity.size
    release = np.zeros((n, horizon), dtype=np.int64)
    for stay in state.stays.values():
        end = stay.end if actual_stays else stay.expected_end
        if end > now:
            day = math.ceil(end - now - 1e-9)
            if day < horizon:
                release[stay.facility, day] += stay.beds
    free = (state.capacity - state.occupied)[:, None] + np.cumsum(release, axis=1)
    out: IntArray = np.clip(free, 0, state.capacity[:, None])
    return out


def build_round(
    state: SimState,
    now: float,
    horizon: int,
    *,
    ageing: bool = True,
    actual_stays: bool = False,
    end_price: float = 0.0,
    class_factors: Mapping[str, float] | None = None,
) -> Round | None:
    """The round's matching problem, or ``None`` when nobody can be placed today.

    Cases with no option that ever has a free bed within the horizon and fits the budget
    left are left out (they are unplaced in every plan), and so are facilities no case
    can use; when no remaining option has a bed free today, no plan can place anyone today
    and no problem is built. ``ageing=False``: a waiting day weighs the case's static weight
    (class weight x urgency), as in the evaluation objective (issue 13). ``actual_stays``:
    the study oracle (``optimiser.oracle_stays``): beds come free and placements hold them
    for the actual stays, not the expected ones; costs stay expected, as the engine's
    budget check and the hindsight plan count them. ``end_price``
    (``optimiser.end_of_plan_price``): weighted days charged per bed-day an option's stay
    runs past the horizon, as if it started today (the round sees no other use of a bed
    beyond its last day; 0: none), at most the case's weight x the horizon, half of what
    leaving it unplaced costs, so a long stay or a large family is never priced out.
    ``class_factors`` (``optimiser.class_weight_factors``): a factor on the weight of the
    cases of each named complexity class, in this round only.
    """
    free = planned_free_beds(state, now, horizon, actual_stays=actual_stays)
    reach = free.max(axis=1)
    left = state.budget_left()
    usable = [
        (r, _usable(state, r, reach, left, actual_stays=actual_stays))
        for r in state.waiting.values()
    ]
    usable = [(r, u) for r, u in usable if u[0].size]
    if not any((free[u[0], 0] >= r.case.beds).any() for r, u in usable):
        return None
    today = state.date_of(now)
    rows: list[tuple[int, int, float, float, float]] = []  # case, facility, penalty, stay, cost
    cases: list[int] = []
    weights: list[float] = []
    beds: list[int] = []
    for ci, (record, (facs, penalty, stay, cost)) in enumerate(usable):
        cases.append(record.index)
        weight = state.rulebook.priority(record.case, today).weight if ageing else record.weight
        if class_factors:
            weight *= class_factors.get(record.complexity, 1.0)
        weights.append(weight)
        beds.append(record.case.beds)
        if end_price:
            past = end_price * record.case.beds * np.maximum(0.0, stay - horizon)
            penalty = penalty + np.minimum(past, weight * horizon)
        rows += zip(
            [ci] * facs.size,
            facs.tolist(),
            penalty.tolist(),
            stay.tolist(),
            cost.tolist(),
            strict=True,
        )
    rows, cases, weights, beds = _today_parts(state, free, left, rows, cases, weights, beds)
    return _assemble(state, free, left, horizon, rows, cases, weights, beds)


def _today_parts(
    state: SimState,
    free: IntArray,
    left: FloatArray,
    rows: list[tuple[int, int, float, float, float]],
    cases: list[int],
    weights: list[float],
    beds: list[int],
) -> tuple[list[tuple[int, int, float, float, float]], list[int], list[float], list[int]]:
    """Keep only the independent parts of the round that can place someone today.

    Parts share no facility and no capped budget, so each is planned on its own; a part
    with no bed free today places nobody today whatever its plan, and only today's
    placements are carried out. Dropping it changes nothing but the time spent.
    """
    n_c, n_f = len(cases), free.shape[0]
    capped = np.isfinite(left)
    c = np.array([r[0] for r in rows])
    f = np.array([r[1] for r in rows])
    s = state.stream_of[f]
    links = [(c, n_c + f)]
    links.append((n_c + f[capped[s]], n_c + n_f + s[capped[s]]))
    a = np.concatenate([x for x, _ in links])
    b = np.concatenate([y for _, y in links])
    n = n_c + n_f + left.size
    graph = sparse.coo_matrix((np.ones(a.size), (a, b)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    today = free[f, 0] >= np.array(beds)[c]
    keep_label = np.unique(label[c[today]])
    keep_case = np.flatnonzero(np.isin(label[:n_c], keep_label))
    if keep_case.size == n_c:
        return rows, cases, weights, beds
    new_index = {int(old): new for new, old in enumerate(keep_case.tolist())}
    kept_rows = [(new_index[r[0]], *r[1:]) for r in rows if r[0] in new_index]
    pick = keep_case.tolist()
    return (
        kept_rows,
        [cases[i] for i in pick],
        [weights[i] for i in pick],
        [beds[i] for i in pick],
    )


def _usable(
    state: SimState,
    record: CaseRecord,
    reach: IntArray,
    left: FloatArray,
    *,
    actual_stays: bool = False,
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Options with a free bed somewhere in the horizon that fit the budget left:
    facilities, penalties, stays (expected, or actual with ``actual_stays``) and expected
    costs."""
    opts = state.options(record)
    expected = option_stays(state, record)
    stays = option_stays(state, record, actual=True) if actual_stays else expected
    ok = reach[opts.facility] >= record.case.beds
    facs = opts.facility[ok]
    cost = state.cost_per_bed_day[facs] * record.case.beds * expected[ok]
    limit = left[state.stream_of[facs]]
    ok2 = np.isinf(limit) | (cost <= limit * (1 + 1e-12))
    return facs[ok2], opts.penalty[ok][ok2], stays[ok][ok2], cost[ok2]


def option_stays(state: SimState, record: CaseRecord, *, actual: bool = False) -> FloatArray:
    """The case's expected stay at each of its options, or with ``actual`` its actual stay
    (the study oracle, issue 13); cached on the record."""
    if actual:
        if record.option_actual_stays is None:
            record.option_actual_stays = _per_option(state, record, record.stays)
        return record.option_actual_stays
    if record.option_stays is None:
        record.option_stays = _per_option(state, record, record.expected)
    return record.option_stays


def _per_option(
    state: SimState, record: CaseRecord, days: Mapping[PlacementType, float]
) -> FloatArray:
    opts = state.options(record)
    return np.array([days[state.type_of[f]] for f in opts.facility.tolist()], dtype=np.float64)


def _assemble(
    state: SimState,
    free: IntArray,
    left: FloatArray,
    horizon: int,
    rows: list[tuple[int, int, float, float, float]],
    cases: list[int],
    weights: list[float],
    beds: list[int],
) -> Round:
    cols = np.array(rows, dtype=np.float64)
    used_f = np.unique(cols[:, 1].astype(np.int64))
    f_at = np.full(state.capacity.size, -1, dtype=np.int64)
    f_at[used_f] = np.arange(used_f.size)
    streams = state.stream_of[cols[:, 1].astype(np.int64)]
    used_s = np.unique(streams)
    s_at = {int(s): i for i, s in enumerate(used_s.tolist())}
    problem = assemble_problem(
        horizon_days=horizon,
        unplaced_penalty_days=float(horizon),
        facility_ids=tuple(state.supply.facilities[f].id for f in used_f.tolist()),
        free_beds=free[used_f].astype(np.int32),
        case_ids=tuple(state.waiting[c].case.id for c in cases),
        case_beds=np.array(beds, dtype=np.int32),
        case_weight=weights,
        options=OptionColumns(
            case=cols[:, 0].astype(np.int32),
            facility=f_at[cols[:, 1].astype(np.int64)].astype(np.int32),
            penalty=cols[:, 2],
            stay=np.maximum(1, np.rint(cols[:, 3])).astype(np.int32),
            cost=cols[:, 4],
            stream=np.array([s_at[int(s)] for s in streams.tolist()], dtype=np.int32),
        ),
        stream_ids=tuple(state.supply.streams[s].id for s in used_s.tolist()),
        budget=left[used_s],
    )
    return Round(problem, cases, used_f)


class OptimisedPolicy:
    """Solve the national round with :func:`matching.solve`; carry out today's part.

    Parameters
    ----------
    spec
        Planning horizon, time limit and method of each round.
    seed
        Solver seed (the same for every round: rounds are deterministic given the state).
    """

    def __init__(self, spec: OptimiserSpec, seed: int = 0) -> None:
        self.horizon = spec.planning_horizon_days
        self.ageing = spec.ageing
        self.actual_stays = spec.oracle_stays  # study only: what knowing stays is worth
        self.end_price = spec.end_of_plan_price
        self.class_factors = dict(spec.class_weight_factors)
        self.params = SolveParams(
            time_limit=spec.time_limit_seconds, seed=seed, method=Method(spec.method), threads=1
        )

    def build(self, state: SimState, now: float) -> Round | None:
        """This round's problem with the policy's settings (:func:`build_round`)."""
        return build_round(
            state,
            now,
            self.horizon,
            ageing=self.ageing,
            actual_stays=self.actual_stays,
            end_price=self.end_price,
            class_factors=self.class_factors,
        )

    def decide(self, state: SimState, now: float) -> Decision:
        if not state.waiting:
            return Decision([], IDLE)
        built = self.build(state, now)
        if built is None:
            return Decision([], IDLE)
        result = solve(built.problem, self.params)
        case_at = {state.waiting[c].case.id: c for c in built.cases}
        fac_at = {state.supply.facilities[f].id: f for f in built.facilities.tolist()}
        today = [
            (case_at[a.case], fac_at[a.facility]) for a in result.assignments if a.start_day == 0
        ]
        today.sort(key=lambda p: (-state.waiting[p[0]].weight, p[0]))
        return Decision(today, result.status)
