"""The time-indexed model as a MIP in HiGHS (through highspy).

The exact method for national rounds (issue 3): the formulation, strengthened by the arc-flow
rows of :mod:`matching.arcflow`, solved by HiGHS from a near-optimal start (the LP-based
plan of :mod:`matching.heuristics`, else the greedy plan). Every run is held to its own
wall-clock deadline (:mod:`matching.highs_run`): HiGHS's time limit is not hard.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from matching.arcflow import build_arcflow
from matching.formulation import Formulation, build_formulation
from matching.highs_run import abandoned, run_until, use_pool
from matching.lpmodel import LinearModel, assemble
from matching.outcome import Outcome
from matching.problem import MatchingProblem

FloatArray = npt.NDArray[np.float64]
Plan = list[tuple[int, int]]
LEFT_BEHIND = "left behind: HiGHS did not answer its cancel"  # a run's status (highs_run)

# Instances made inside a ``highs_scope`` of this thread, innermost scope last.
_scopes = threading.local()


@contextmanager
def highs_scope() -> Iterator[None]:
    """Let every HiGHS instance made here be freed as soon as it is dropped, on leaving.

    ``HandleUserInterrupt`` (how the watchdog cancels a run) subscribes the instance's own
    methods to its callbacks, a reference cycle: a finished instance, its model and its
    solver were freed only when Python's cycle collector ran, which C++ memory does not
    prompt. A scenario's 365-day rounds grew by about 200 MB a round and one was killed at
    24 GB (issue 13's horizon runs). Each entry point (a round's ``solve``, the look-ahead
    LP, the bed values) unsubscribes the instances it made when it is done, so they go with
    their last reference.
    """
    stack: list[list[highspy.Highs]] = _scopes.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield
    finally:
        for h in stack.pop():
            if not abandoned(h):  # one left running keeps its callbacks
                h.HandleUserInterrupt = False  # unsubscribes: no cycle left


def new_highs(*, seed: int, threads: int, time_limit: float, relative_gap: float) -> highspy.Highs:
    """A quiet HiGHS instance with the run's limits.

    HiGHS 1.16 sizes one thread pool per calling thread; asking for another number of
    threads than that thread's last run resets it (:func:`matching.highs_run.use_pool`, here
    for callers that run the instance themselves, and again on the thread that runs it), so
    mixing (say) one-thread LPs and two-thread MIPs works.
    """
    use_pool(threads)
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    h.setOptionValue("mip_abs_gap", 1e-7)
    h.HandleUserInterrupt = True
    stack = _scopes.__dict__.get("stack")
    if stack:
        stack[-1].append(h)
    return h


def pass_model(h: highspy.Highs, model: LinearModel, *, integer: bool) -> None:
    """Hand the whole model to HiGHS in one call.

    An LP with split budget rows runs without presolve, which would join the blocks into
    one long row again (:func:`matching.lpmodel.assemble`).
    """
    if not integer and model.n_blocks:
        h.setOptionValue("presolve", "off")
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = model.n_cols, model.n_rows
    lp.col_cost_ = model.cost
    lp.offset_ = model.offset
    lp.col_lower_, lp.col_upper_ = model.col_lower, model.col_upper
    lp.row_lower_, lp.row_upper_ = model.row_lower, model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = model.n_cols, model.n_rows
    lp.a_matrix_.start_ = model.matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = model.matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = model.matrix.data
    h.passModel(lp)
    whole = np.flatnonzero(model.integer).astype(np.int32)
    if integer and whole.size:
        h.changeColsIntegrality(whole.size, whole, np.ones(whole.size, dtype=np.uint8))


def load_model(h: highspy.Highs, form: Formulation, *, integer: bool) -> None:
    """Load the variables, objective and the four constraint families into ``h``.

    Rows: cases, capacity, budgets, keep-apart, in that order.
    """
    pass_model(h, assemble(form), integer=integer)


@dataclass(frozen=True, slots=True)
class Run:
    """What one guarded HiGHS run gave: status, values, duals and times."""

    optimal: bool
    status: str
    col_value: FloatArray | None  # None when HiGHS has no primal solution
    row_dual: FloatArray | None
    objective: float
    dual_bound: float
    seconds: float


def run_guarded(h: highspy.Highs, deadline: float, *, lp: bool = False, aside: bool = False) -> Run:
    """Run HiGHS until done or the wall-clock ``deadline``, and read what it found.

    ``aside``: on a runner thread, left behind if it does not answer its cancel
    (:mod:`matching.highs_run`); its answer then has no values and says so.
    """
    t0 = time.perf_counter()
    if not run_until(h, deadline, aside=aside):
        return Run(
            optimal=False,
            status=LEFT_BEHIND,
            col_value=None,
            row_dual=None,
            objective=math.inf,
            dual_bound=-math.inf,
            seconds=time.perf_counter() - t0,
        )
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    sol = h.getSolution()
    has_primal = info.primal_solution_status != 0 and sol.value_valid
    return Run(
        optimal=status == highspy.HighsModelStatus.kOptimal,
        status=h.modelStatusToString(status),
        col_value=np.asarray(sol.col_value) if has_primal else None,
        row_dual=np.asarray(sol.row_dual) if lp and sol.dual_valid else None,
        objective=float(info.objective_function_value) if has_primal else math.inf,
        dual_bound=-math.inf if lp else float(info.mip_dual_bound),
        seconds=seconds,
    )


def model_value(model: LinearModel, values: FloatArray) -> float:
    """The objective of column values, recomputed from the model (not as HiGHS reports it)."""
    return model.offset + float(model.cost @ values)


def stale(model: LinearModel, run: Run) -> bool:
    """Whether the values HiGHS returned are worse than the objective it reported."""
    if run.col_value is None or not math.isfinite(run.objective):
        return False
    value = model_value(model, run.col_value)
    return value > run.objective + 1e-6 * max(1.0, abs(run.objective))


def run_checked(
    make: Callable[[], highspy.Highs],
    model: LinearModel,
    deadline: float,
    start: FloatArray | None = None,
    *,
    aside: bool = False,
) -> Run:
    """Run a MIP, and believe HiGHS's answer only when its values add up to its objective.

    HiGHS 1.16 can report a better optimum yet hand back the start's values (seen when
    presolve solves the MIP outright; issue 11). Then the MIP is solved again without the
    start. If the answer still does not add up, the values are kept with the objective
    recomputed from them, and neither optimality nor HiGHS's bound is claimed.

    Parameters
    ----------
    make
        A new HiGHS instance holding the model, with the run's options set.
    model
        The model it holds (for recomputing the objective).
    deadline
        Wall-clock time by which to return.
    start
        Column values to start from.
    aside
        Run it on a runner thread that is left behind if HiGHS does not answer its cancel
        (:func:`run_guarded`).

    Returns
    -------
    Run
        A run whose objective is that of its values.
    """
    h = make()
    if start is not None:
        h.setSolution(model.n_cols, np.arange(model.n_cols, dtype=np.int32), start)
    run = run_guarded(h, deadline, aside=aside)
    if not stale(model, run):
        return run
    doubted = _doubted(model, run)
    if start is None or time.perf_counter() >= deadline:
        return doubted
    again = run_guarded(make(), deadline, aside=aside)
    if stale(model, again):
        return doubted
    if again.col_value is None or model_value(model, again.col_value) > doubted.objective:
        # the first run's values are still the better plan; the second run's bound holds
        return dataclasses.replace(
            again, optimal=False, col_value=doubted.col_value, objective=doubted.objective
        )
    return again


def _doubted(model: LinearModel, run: Run) -> Run:
    """A run whose objective did not match its values: the values only, nothing proven."""
    assert run.col_value is not None
    return dataclasses.replace(
        run,
        optimal=False,
        status=f"{run.status} (reported objective not matched by its values)",
        objective=model_value(model, run.col_value),
        dual_bound=-math.inf,
    )


def plan_of(form: Formulation, values: FloatArray) -> Plan:
    """The (option, start day) pairs chosen by a whole solution."""
    chosen = np.flatnonzero(values[: form.n_vars] > 0.5)
    return [(int(form.var_option[i]), int(form.var_day[i])) for i in chosen]


def values_of(form: Formulation, plan: Plan, n_cols: int) -> FloatArray:
    """A plan as column values (arc flows left at 0 for HiGHS to complete)."""
    key = {
        (int(o), int(d)): i
        for i, (o, d) in enumerate(
            zip(form.var_option.tolist(), form.var_day.tolist(), strict=True)
        )
    }
    values = np.zeros(n_cols)
    values[[key[(o, d)] for o, d in plan if (o, d) in key]] = 1.0
    return values


def solve_mip(
    problem: MatchingProblem,
    *,
    deadline: float,
    seed: int = 0,
    threads: int = 2,
    relative_gap: float = 1e-6,
    hint: Plan | None = None,
    strengthen: bool = True,
) -> Outcome:
    """Solve the time-indexed MIP until optimal or until the wall-clock ``deadline``.

    Parameters
    ----------
    problem
        The matching problem.
    deadline
        Wall-clock time (``time.perf_counter``) by which to return.
    seed, threads, relative_gap
        HiGHS settings.
    hint
        A feasible plan to start from.
    strengthen
        Add the arc-flow rows.

    Returns
    -------
    Outcome
        HiGHS's best plan and dual bound (``-inf`` when it proves nothing).
    """
    t0 = time.perf_counter()
    form = build_formulation(problem)
    model = assemble(form, build_arcflow(form) if strengthen else None)

    def make() -> highspy.Highs:
        h = new_highs(seed=seed, threads=threads, time_limit=1.0, relative_gap=relative_gap)
        pass_model(h, model, integer=True)
        return h

    start = values_of(form, hint, model.n_cols) if hint else None
    build = time.perf_counter() - t0
    if form.n_vars == 0:
        return Outcome(
            plan=[],
            bound=form.constant,
            optimal=True,
            method="mip",
            build_seconds=build,
            solve_seconds=0.0,
        )
    if deadline - time.perf_counter() <= 0:
        return Outcome(
            plan=[],
            bound=-math.inf,
            optimal=False,
            method="mip",
            build_seconds=build,
            solve_seconds=0.0,
            notes=("no time left to solve the MIP",),
        )
    run = run_checked(make, model, deadline, start)
    notes = () if run.optimal else (f"HiGHS stopped: {run.status}",)
    bound = run.dual_bound if math.isfinite(run.dual_bound) else -math.inf
    if run.col_value is None:
        return Outcome(
            plan=[],
            bound=bound,
            optimal=False,
            method="mip",
            build_seconds=build,
            solve_seconds=run.seconds,
            notes=(*notes, "no MIP solution"),
        )
    plan = plan_of(form, run.col_value)
    return Outcome(
        plan=plan,
        bound=bound,
        optimal=run.optimal,
        method="mip",
        build_seconds=build,
        solve_seconds=run.seconds,
        notes=notes,
    )
