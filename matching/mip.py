"""The time-indexed model as a MIP in HiGHS (through highspy)."""

from __future__ import annotations

import math
import threading
import time

import highspy
import numpy as np

from matching.formulation import Formulation, build_formulation
from matching.outcome import Outcome
from matching.problem import MatchingProblem


def _csr(rows: np.ndarray, n_rows: int) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))]).astype(np.int32)


def _add_rows(
    h: highspy.Highs, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, upper: np.ndarray
) -> None:
    """Rows ``sum(vals x) <= upper``; ``rows`` must be sorted (they are built in row order)."""
    n = int(upper.shape[0])
    if n == 0:
        return
    lower = np.full(n, -highspy.kHighsInf)
    h.addRows(
        n,
        lower,
        upper.astype(np.float64),
        int(cols.size),
        _csr(rows, n),
        cols.astype(np.int32),
        vals.astype(np.float64),
    )


def new_highs(*, seed: int, threads: int, time_limit: float, relative_gap: float) -> highspy.Highs:
    """A quiet HiGHS instance with the run's limits."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(seed))
    # HiGHS runs one thread pool per process whose size cannot change once set: setting
    # "threads" per instance makes a later instance with another value fail ("Not Set").
    del threads
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.HandleUserInterrupt = True
    return h


def load_model(h: highspy.Highs, form: Formulation, *, integer: bool) -> None:
    """Variables, objective and the four constraint families."""
    n = form.n_vars
    h.addVars(n, np.zeros(n), np.ones(n))
    idx = np.arange(n, dtype=np.int32)
    h.changeColsCost(n, idx, form.var_saving.astype(np.float64))
    h.changeObjectiveOffset(form.constant)
    if integer and n:
        h.changeColsIntegrality(n, idx, np.ones(n, dtype=np.uint8))
    rows, cols = form.case_rows()
    order = np.argsort(rows, kind="stable")
    _add_rows(h, rows[order], cols[order], np.ones(n), np.ones(form.problem.n_cases))
    r, c, v, rhs = form.capacity_rows()
    _add_rows(h, r, c, v, rhs)
    r, c, v, rhs = form.budget_rows()
    _add_rows(h, r, c, v, rhs)
    r, c = form.keep_apart_rows()
    if r.size:
        _add_rows(h, r, c, np.ones(c.size), np.ones(int(r.max()) + 1))


def solve_mip(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    relative_gap: float = 1e-6,
    hint: list[tuple[int, int]] | None = None,
) -> Outcome:
    """Solve the time-indexed MIP until optimal or until the wall-clock ``deadline``."""
    t0 = time.perf_counter()
    form = build_formulation(problem)
    h = new_highs(
        seed=seed,
        threads=threads,
        time_limit=deadline - time.perf_counter(),
        relative_gap=relative_gap,
    )
    load_model(h, form, integer=True)
    if hint:
        _set_hint(h, form, hint)
    build = time.perf_counter() - t0
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        return Outcome([], -math.inf, False, "mip", build, 0.0, ("no time left to solve the MIP",))
    h.setOptionValue("time_limit", float(remaining))
    guard = threading.Timer(remaining + 0.5, h.cancelSolve)
    guard.start()
    t1 = time.perf_counter()
    try:
        h.run()
    finally:
        guard.cancel()
    solve = time.perf_counter() - t1
    return _read(h, form, build, solve)


def _set_hint(h: highspy.Highs, form: Formulation, hint: list[tuple[int, int]]) -> None:
    key = {
        (int(o), int(d)): i
        for i, (o, d) in enumerate(zip(form.var_option, form.var_day, strict=True))
    }
    chosen = [key[(o, d)] for o, d in hint if (o, d) in key]
    values = np.zeros(form.n_vars)
    values[chosen] = 1.0
    h.setSolution(form.n_vars, np.arange(form.n_vars, dtype=np.int32), values)


def _read(h: highspy.Highs, form: Formulation, build: float, solve: float) -> Outcome:
    status = h.getModelStatus()
    info = h.getInfo()
    bound = float(info.mip_dual_bound) if form.n_vars else form.constant
    optimal = status == highspy.HighsModelStatus.kOptimal
    notes: list[str] = []
    if not optimal:
        notes.append(f"HiGHS stopped: {h.modelStatusToString(status)}")
    if form.n_vars == 0:
        return Outcome([], form.constant, True, "mip", build, solve, ())
    if not math.isfinite(bound):
        bound = -math.inf
    sol = np.asarray(h.getSolution().col_value)
    if sol.size != form.n_vars or info.primal_solution_status == 0:
        return Outcome([], bound, False, "mip", build, solve, (*notes, "no MIP solution"))
    chosen = np.flatnonzero(sol > 0.5)
    plan = [(int(form.var_option[i]), int(form.var_day[i])) for i in chosen]
    return Outcome(plan, bound, optimal, "mip", build, solve, tuple(notes))
