"""The time-indexed model in OR-Tools CP-SAT (boolean per option and start day).

CP-SAT's model is built in Python, term by term; a model that cannot be built within the
time limit is refused before it is started (:class:`TooLargeError`, issue 11: the
short-stay shape at S took 200 s to build where the limit was 1 s).
"""

from __future__ import annotations

import itertools
import math
import threading
import time

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matching.cpsat_limits import TooLargeError, check_buildable
from matching.formulation import Formulation, build_formulation
from matching.outcome import Outcome
from matching.problem import MatchingProblem

OBJ_SCALE = 1000  # integer objective units per weighted waiting day
COST_SCALES = (1, 10, 100, 1000, 10_000, 100_000, 1_000_000)  # integer units per euro tried
MAX_SCALED = 2.0**53  # scaled costs of all budget rows together stay exact and far from int64


def _variables(model: cp_model.CpModel, form: Formulation) -> list[cp_model.IntVar]:
    p = form.problem
    return [
        model.new_bool_var(f"place[{p.case_ids[c]}, {p.facility_ids[f]}, day {d}]")
        for c, f, d in zip(
            form.var_case.tolist(), form.var_facility.tolist(), form.var_day.tolist(), strict=True
        )
    ]


def add_each_case_at_most_once(
    model: cp_model.CpModel, form: Formulation, x: list[cp_model.IntVar]
) -> None:
    """A case is placed at most once: one facility, one start day."""
    rows, cols = form.case_rows()
    order = np.argsort(rows, kind="stable")
    terms = cols[order].tolist()
    for a, b in _row_groups(rows[order], form.problem.n_cases):
        if b > a:
            model.add_at_most_one(x[i] for i in terms[a:b])


def _row_groups(rows: npt.NDArray[np.int32], n_rows: int) -> list[tuple[int, int]]:
    """Start and end of each row's entries (``rows`` sorted)."""
    bounds = np.searchsorted(rows, np.arange(n_rows + 1)).tolist()
    return list(itertools.pairwise(bounds))


def add_capacity(
    model: cp_model.CpModel, form: Formulation, x: list[cp_model.IntVar], deadline: float
) -> None:
    """On every check day, the beds of new stays at a facility fit in its free beds."""
    rows, cols, vals, rhs = form.capacity_rows()
    terms, coefs = cols.tolist(), vals.astype(np.int64).tolist()
    for r, (a, b) in enumerate(_row_groups(rows, rhs.size)):
        if time.perf_counter() > deadline:
            raise TooLargeError(form.n_vars)
        expr = cp_model.LinearExpr.weighted_sum([x[i] for i in terms[a:b]], coefs[a:b])
        model.add(expr <= int(rhs[r]))


def _whole(scaled: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Which scaled amounts are whole numbers (up to the rounding of decimal fractions)."""
    whole: npt.NDArray[np.bool_] = np.abs(scaled - np.rint(scaled)) <= 1e-9 + 1e-12 * np.abs(scaled)
    return whole


def budget_scale(vals: npt.NDArray[np.float64], rhs: npt.NDArray[np.float64]) -> tuple[int, bool]:
    """The integer units per euro for the budget rows, and whether they are exact there.

    Exact: the smallest of :data:`COST_SCALES` at which every cost and budget is a whole
    number, so the integer rows are the budget rows themselves. Otherwise the finest scale
    that keeps the numbers small, at which costs are rounded up and budgets down: every
    plan stays within the true budgets, but plans the true budgets allow may be cut off.
    """
    amounts = np.concatenate([np.asarray(vals, np.float64), np.asarray(rhs, np.float64)])
    total = float(np.abs(amounts).sum())
    fitting = [s for s in COST_SCALES if total * s <= MAX_SCALED] or [COST_SCALES[0]]
    for s in fitting:
        if bool(_whole(amounts * s).all()):
            return s, True
    return fitting[-1], False


def add_budgets(model: cp_model.CpModel, form: Formulation, x: list[cp_model.IntVar]) -> bool:
    """New placements paid by a stream cost no more than its budget.

    Returns whether the integer rows are exact (see :func:`budget_scale`); when they are not,
    costs are rounded up and budgets down, and the model is tighter than the problem.
    """
    rows, cols, vals, rhs = form.budget_rows()
    scale, exact = budget_scale(vals, rhs)
    costs, budgets = vals * scale, rhs * scale
    units = np.where(_whole(costs), np.rint(costs), np.ceil(costs)).astype(np.int64)
    limits = np.where(_whole(budgets), np.rint(budgets), np.floor(budgets)).astype(np.int64)
    terms, coefs = cols.tolist(), units.tolist()
    for r, (a, b) in enumerate(_row_groups(rows, rhs.size)):
        expr = cp_model.LinearExpr.weighted_sum([x[i] for i in terms[a:b]], coefs[a:b])
        model.add(expr <= int(limits[r]))
    return exact


def add_keep_apart(model: cp_model.CpModel, form: Formulation, x: list[cp_model.IntVar]) -> None:
    """Cases kept apart are never both at the same facility."""
    rows, cols = form.keep_apart_rows()
    for r in np.unique(rows).tolist():
        model.add_at_most_one(x[i] for i in cols[rows == r].tolist())


def solve_cpsat(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    hint: list[tuple[int, int]] | None = None,
    form: Formulation | None = None,
) -> Outcome:
    """Solve with CP-SAT until optimal or until the wall-clock ``deadline``.

    Raises
    ------
    TooLargeError
        When the model cannot be built by the deadline.
    """
    t0 = time.perf_counter()
    form = build_formulation(problem) if form is None else form
    check_buildable(form, deadline)
    model = cp_model.CpModel()
    x = _variables(model, form)
    add_each_case_at_most_once(model, form, x)
    add_capacity(model, form, x, deadline)
    exact = add_budgets(model, form, x)
    add_keep_apart(model, form, x)
    scaled = np.rint(form.var_saving * OBJ_SCALE).astype(np.int64).tolist()
    model.minimize(sum(v * xi for v, xi in zip(scaled, x, strict=True)))
    if hint:
        chosen = set(hint)
        for i, (o, d) in enumerate(
            zip(form.var_option.tolist(), form.var_day.tolist(), strict=True)
        ):
            model.add_hint(x[i], (o, d) in chosen)
    build = time.perf_counter() - t0
    solver = cp_model.CpSolver()
    remaining = max(0.01, deadline - time.perf_counter())
    solver.parameters.max_time_in_seconds = remaining
    solver.parameters.num_workers = threads
    solver.parameters.random_seed = seed
    guard = threading.Timer(remaining + 0.5, solver.stop_search)
    guard.start()
    t1 = time.perf_counter()
    try:
        status = solver.solve(model)
    finally:
        guard.cancel()
    solve = time.perf_counter() - t1
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Outcome(
            plan=[],
            bound=-math.inf,
            optimal=False,
            method="cpsat",
            build_seconds=build,
            solve_seconds=solve,
            notes=(f"CP-SAT: {solver.status_name(status)}",),
        )
    plan = [
        (int(form.var_option[i]), int(form.var_day[i]))
        for i, xi in enumerate(x)
        if solver.value(xi)
    ]
    if not exact:  # the model is tighter than the problem: neither its optimum nor its bound hold
        note = (
            "CP-SAT: costs or budgets are not whole at any scale down to a millionth of a euro;"
            " solved with costs rounded up and budgets down, as a heuristic without a bound"
        )
        return Outcome(
            plan=plan,
            bound=-math.inf,
            optimal=False,
            method="cpsat",
            build_seconds=build,
            solve_seconds=solve,
            notes=(note,),
        )
    # rounding of the objective moves it by at most half a unit per case
    slack = 0.5 * problem.n_cases / OBJ_SCALE
    bound = form.constant + solver.best_objective_bound / OBJ_SCALE - slack
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=status == cp_model.OPTIMAL,
        method="cpsat",
        build_seconds=build,
        solve_seconds=solve,
    )
