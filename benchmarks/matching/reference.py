"""An independent reference for the benchmark family: the plain time-indexed MIP in HiGHS.

Written from the problem format only, sharing no code with :mod:`matching`'s models: one
variable per option and start day ``0 .. H-1`` whose stay fits the free beds, and beds in
use kept as an occupancy chain per facility (``use[f, t] = use[f, t-1] + beds starting on
t - beds ending on t``, ``0 <= use[f, t] <= free[f, t]``), which is the capacity row of
every day of every facility in a sparse form. Cases at most once, budgets, keep-apart
pairs per shared facility. Run long, it gives an optimum (or a bound and a plan) to hold
the engine's answers against.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.sparse import csr_matrix

from matching import MatchingProblem
from matching.problem import NO_STAY

# HiGHS does not answer its time limit, nor a cancel, everywhere: on unseen sweep seed 2872
# (3,000 cases over 7 days, 42,000 columns) its root heuristics nested sub-MIPs five deep,
# whose presolve (strengthening inequalities) ran on for more than 10 minutes of a 30-s
# limit. A reference run in a child process is killed this long after its limit (the
# child's start-up and model build included)
KILL_GRACE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ReferenceAnswer:
    """What the reference found: best plan's objective, dual bound, status, seconds."""

    objective: float
    bound: float
    optimal: bool
    build_seconds: float
    solve_seconds: float
    columns: int
    rows: int


def _fits(p: MatchingProblem, stay: np.ndarray) -> np.ndarray:
    """``(n_options, H)``: whether the option's beds fit on every day of a stay from day d."""
    h = p.horizon_days
    big = np.iinfo(np.int32).max
    out = np.zeros((p.n_options, h), dtype=bool)
    need = p.case_beds[p.opt_case]
    for s in np.unique(stay).tolist():
        padded = np.concatenate([p.free_beds, np.full((p.n_facilities, s - 1), big)], axis=1)
        low = sliding_window_view(padded, s, axis=1).min(axis=2)[:, :h]  # (n_f, h)
        ks = np.flatnonzero(stay == s)
        out[ks] = low[p.opt_facility[ks]] >= need[ks, None]
    return out


def reference_solve(  # noqa: PLR0915 (the independent model, written out plainly on purpose)
    problem: MatchingProblem, time_limit: float, threads: int = 1
) -> ReferenceAnswer:
    """Build and solve the plain model for ``time_limit`` seconds (build not counted)."""
    t0 = time.perf_counter()
    p = problem
    h, n_f = p.horizon_days, p.n_facilities
    stay = np.where(p.opt_stay == NO_STAY, h, np.minimum(p.opt_stay, h)).astype(np.int64)
    unplaced = p.case_weight * (h + p.unplaced_penalty_days)
    k, d = np.nonzero(_fits(p, stay))
    c = p.opt_case[k]
    cost = p.case_weight[c] * d + p.opt_penalty[k] - unplaced[c]
    keep = cost < 0
    k, d, c, cost = k[keep], d[keep], c[keep], cost[keep]
    n_x, n_use = k.size, n_f * h
    f = p.opt_facility[k].astype(np.int64)
    beds = p.case_beds[c].astype(np.float64)
    ends = d + stay[k]
    # occupancy rows (f, t): use[f,t] - use[f,t-1] - starts(t) + ends(t) = 0
    use = n_x + np.arange(n_use)
    prev = np.arange(n_use) % h > 0
    r_occ = [np.arange(n_use), np.flatnonzero(prev), f * h + d]
    c_occ = [use, use[np.flatnonzero(prev) - 1], np.arange(n_x)]
    v_occ = [np.ones(n_use), -np.ones(int(prev.sum())), -beds]
    inside = ends < h
    r_occ.append(f[inside] * h + ends[inside])
    c_occ.append(np.flatnonzero(inside))
    v_occ.append(beds[inside])
    rows = [np.concatenate(r_occ)]
    cols = [np.concatenate(c_occ)]
    vals = [np.concatenate(v_occ)]
    lower = [np.zeros(n_use)]
    upper = [np.zeros(n_use)]
    base = n_use
    rows.append(base + c)  # each case at most once
    cols.append(np.arange(n_x))
    vals.append(np.ones(n_x))
    lower.append(np.full(p.n_cases, -np.inf))
    upper.append(np.ones(p.n_cases))
    base += p.n_cases
    limited = np.flatnonzero(np.isfinite(p.budget))
    if limited.size:
        row_of = np.full(len(p.stream_ids) + 1, -1)
        row_of[limited] = np.arange(limited.size)
        r = row_of[p.opt_stream[k]]
        paid = r >= 0
        scale = max(float(p.opt_cost.max()), 1.0)
        rows.append(base + r[paid])
        cols.append(np.flatnonzero(paid))
        vals.append(p.opt_cost[k[paid]] / scale)
        lower.append(np.full(limited.size, -np.inf))
        upper.append(p.budget[limited] / scale)
        base += limited.size
    n_apart = 0
    for a, b in p.keep_apart.tolist():
        for fac in np.intersect1d(f[c == a], f[c == b]).tolist():
            both = np.flatnonzero(((c == a) | (c == b)) & (f == fac))
            rows.append(np.full(both.size, base + n_apart))
            cols.append(both)
            vals.append(np.ones(both.size))
            n_apart += 1
    lower.append(np.full(n_apart, -np.inf))
    upper.append(np.ones(n_apart))
    n_rows = base + n_apart
    matrix = csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_x + n_use),
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_x + n_use, n_rows
    lp.col_cost_ = np.concatenate([cost, np.zeros(n_use)])
    lp.offset_ = float(unplaced.sum())
    lp.col_lower_ = np.zeros(n_x + n_use)
    lp.col_upper_ = np.concatenate([np.ones(n_x), p.free_beds.ravel().astype(np.float64)])
    lp.row_lower_, lp.row_upper_ = np.concatenate(lower), np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_x + n_use, n_rows
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [
        highspy.HighsVarType.kContinuous
    ] * n_use
    # HiGHS sizes one thread pool per process; a pool sized by an earlier run refuses this one
    highspy.Highs.resetThreadScheduler(False)
    hs = highspy.Highs()  # type: ignore[no-untyped-call]
    hs.setOptionValue("output_flag", False)
    hs.setOptionValue("threads", threads)
    hs.setOptionValue("time_limit", float(time_limit))
    hs.setOptionValue("mip_rel_gap", 1e-6)
    hs.passModel(lp)
    build = time.perf_counter() - t0
    t1 = time.perf_counter()
    if n_x:
        hs.run()
        info = hs.getInfo()
        status = hs.getModelStatus()
        optimal = status == highspy.HighsModelStatus.kOptimal
        objective = (
            float(info.objective_function_value) if info.primal_solution_status else math.inf
        )
        bound = float(info.mip_dual_bound)
    else:
        optimal, objective, bound = True, float(unplaced.sum()), float(unplaced.sum())
    return ReferenceAnswer(
        objective, bound, optimal, build, time.perf_counter() - t1, n_x + n_use, n_rows
    )


def reference_guarded(
    problem: MatchingProblem, time_limit: float, threads: int = 1
) -> ReferenceAnswer | None:
    """:func:`reference_solve` in a child process, killed ``KILL_GRACE_SECONDS`` past its
    limit; ``None`` when it was (or died without an answer)."""
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(problem, time_limit, threads, send))
    child.start()
    send.close()
    answer = None
    if receive.poll(time_limit + KILL_GRACE_SECONDS):
        try:
            answer = receive.recv()
        except EOFError:  # the child died before it answered
            answer = None
    child.kill()
    child.join()
    receive.close()
    return answer


def _child(problem: MatchingProblem, time_limit: float, threads: int, send: Any) -> None:
    send.send(reference_solve(problem, time_limit, threads))
    send.close()
