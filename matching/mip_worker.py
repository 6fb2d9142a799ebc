"""The process a MIP runs in when it must be abandonable (:mod:`matching.mip_process`).

Started as ``python -m matching.mip_worker FD`` with one end of a socket pair: it imports
the solver, says ``ready``, then solves the tasks it is sent one after the other, sending
each better plan, the dual bound as it rises and the run's answer. It ends when the socket
closes (its parent ended) and is killed when a run passes its deadline.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt

from matching.lpmodel import LinearModel
from matching.mip import Run, highs_scope, new_highs, pass_model, run_checked

FloatArray = npt.NDArray[np.float64]
Option = bool | int | float | str
# the dual bound is sent at most this often (seconds): HiGHS calls its interrupt callback
# many times a second
BOUND_REPORT_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class MipTask:
    """One MIP: the model, HiGHS's options beyond :func:`matching.mip.new_highs`'s, a start."""

    model: LinearModel
    options: tuple[tuple[str, Option], ...]
    start: FloatArray | None
    seed: int
    threads: int
    relative_gap: float


def make_highs(task: MipTask, conn: Connection | None = None) -> highspy.Highs:
    """A HiGHS instance holding the task's MIP; reporting its progress on ``conn``."""
    h = new_highs(
        seed=task.seed, threads=task.threads, time_limit=1.0, relative_gap=task.relative_gap
    )
    for name, value in task.options:
        h.setOptionValue(name, value)
    pass_model(h, task.model, integer=True)
    if conn is not None:
        _report_progress(h, conn)
    return h


def _report_progress(h: highspy.Highs, conn: Connection) -> None:
    last = {"bound": -math.inf, "at": 0.0}

    def better_plan(event: Any) -> None:
        conn.send(("plan", np.array(event.data_out.mip_solution, dtype=np.float64)))

    def bound(event: Any) -> None:
        value = float(event.data_out.mip_dual_bound)
        now = time.perf_counter()
        if value > last["bound"] and now - last["at"] >= BOUND_REPORT_SECONDS:
            last["bound"], last["at"] = value, now
            conn.send(("bound", value))

    h.cbMipImprovingSolution.subscribe(better_plan)
    h.cbMipInterrupt.subscribe(bound)


def serve(conn: Connection) -> None:
    """Solve what ``conn`` sends until it closes."""
    conn.send(("ready", None))
    while True:
        try:
            task, seconds = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(("done", _solve(task, conn, time.perf_counter() + seconds)))


def _solve(task: MipTask, conn: Connection, deadline: float) -> Run:
    with highs_scope():
        return run_checked(lambda: make_highs(task, conn), task.model, deadline, task.start)


if __name__ == "__main__":
    # the parent left (it ended, or killed a run past its deadline): nobody to answer
    with contextlib.suppress(BrokenPipeError, ConnectionResetError, EOFError):
        serve(Connection(int(sys.argv[1])))
