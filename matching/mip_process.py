"""MIP runs that can be abandoned: HiGHS in a worker process, killed at its deadline.

HiGHS checks its time limit and a cancel between steps, and some steps are long: with an
incumbent, a round of the root's cuts answers neither (unseen sweep seeds 880 and 981, the
proof MIP 0.97 and 1.07 s late at T = 5 s; alone, 981's returned at 2.5-3.2 s given
1.5 s). In a thread nothing can stop it; a process can be killed. So the MIPs that run to
the round's deadline (the proof and the polishing MIPs of :mod:`matching.exact`, and the
sub-MIPs of fix-and-optimise, the neighbourhood search and RINS: unseen sweep seed 1732,
one 0.7-1.2 s past its deadline at T = 5 s) run in a worker process
(:mod:`matching.mip_worker`) that has the solver imported and waits for work. It reports
each better plan and the MIP's dual bound as it goes; at the deadline (plus
``GUARD_GRACE``) the parent keeps what was reported, kills the worker and starts a fresh
one for the next run.

A worker is a plain subprocess (not :mod:`multiprocessing`, whose children import the
caller's main module again: a script without a ``__main__`` guard ran twice). One is
started when a round of ``WORKER_COLUMNS`` variables begins (:func:`warm_for`); it takes
about 0.3 s to import the solver, and a run that finds none ready is made in-process,
guarded as before (:func:`matching.mip.run_checked`), as on Windows (no ``pass_fds``).
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import overload

import highspy

from matching.highs_run import GUARD_GRACE
from matching.improving import ImprovingPlans
from matching.mip import Run, model_value, run_checked
from matching.mip_worker import FloatArray, MipTask, Option, make_highs

__all__ = ["MipTask", "Option", "isolated", "run_mip", "warm", "warm_for", "worker_peak_mb"]

# MIPs on fewer columns run in this process: their root's rounds take milliseconds, and a
# worker costs about 6 ms a run (the scenario year's 224 MIPs, at most 2,386 columns: 5.2 s
# in-process, 6.7 s in a worker); the rounds that ran late had 31,000-35,000
WORKER_COLUMNS = 5_000
_lock = threading.Lock()
_spare: list[_Worker] = []  # at most one, started and maybe ready, waiting for work
_broken: list[int] = []  # exit codes of workers that ended before they were ready


class _Worker:
    """A :mod:`matching.mip_worker` process and the parent's end of its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        path = [os.getcwd() if entry == "" else entry for entry in sys.path]
        self.process = subprocess.Popen(  # this interpreter, our module
            [sys.executable, "-m", "matching.mip_worker", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,  # HiGHS prints its banner on stdout
            env={**os.environ, "PYTHONPATH": os.pathsep.join(path)},
            start_new_session=True,  # a Ctrl-C at the terminal is for the parent
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False

    def is_ready(self) -> bool:
        """Whether it has said ``ready`` (without waiting)."""
        if not self.ready and self.process.poll() is None:
            try:
                if self.conn.poll(0):
                    self.ready = self.conn.recv()[0] == "ready"
            except (EOFError, OSError):
                return False
        return self.ready and self.process.poll() is None

    def kill(self) -> None:
        self.conn.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def isolated() -> bool:
    """Whether MIPs can run in a worker process here (else in-process, guarded by a cancel).

    Not on Windows (no ``pass_fds``), nor once a worker ended before it was ready (an
    environment where it cannot import the solver: no point starting one a round).
    """
    return sys.platform != "win32" and not _broken


def warm() -> None:
    """Start a worker, if none is waiting, so that one is ready when a MIP needs it."""
    if not isolated():
        return
    with _lock:
        if _spare:
            return
        try:
            _spare.append(_Worker())
        except OSError:
            return


def warm_for(columns: int) -> None:
    """:func:`warm`, if a round of ``columns`` columns will send its MIPs to a worker.

    Not for smaller rounds: a scenario's rounds would each start one for nothing (0.3 s of
    CPU and about 100 MB in every process that simulates).
    """
    if columns >= WORKER_COLUMNS:
        warm()


def _take() -> _Worker | None:
    with _lock:
        if not _spare:
            return None
        worker = _spare[0]
        if worker.is_ready():
            return _spare.pop()
        code = worker.process.poll()
        if code is not None:
            _spare.pop().kill()
            if not worker.ready:  # it could not even start
                _broken.append(code)
        return None


def _give_back(worker: _Worker) -> None:
    with _lock:
        if not _spare:
            _spare.append(worker)
            return
    worker.kill()


def worker_peak_mb() -> float:
    """The largest resident memory of a worker of this process so far, in MB.

    Of the workers that ended (killed past a deadline) and of the one waiting (Linux's
    ``VmHWM``); 0 where neither is known. A benchmark adds it to its own peak.
    """
    import resource  # not on Windows, where no worker runs

    ended = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with _lock:
        pids = [w.process.pid for w in _spare if w.process.poll() is None]
    alive = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    alive = max(alive, int(line.split()[1]) / 1024)
    return max(ended, alive)


@atexit.register
def _stop() -> None:
    with _lock:
        for worker in _spare:
            worker.kill()
        _spare.clear()


@overload
def run_mip(
    task: MipTask, deadline: float, *, watch: ImprovingPlans | None = None, aside: bool = False
) -> Run: ...
@overload
def run_mip(
    task: MipTask,
    deadline: float,
    *,
    in_process: bool,
    watch: ImprovingPlans | None = None,
    aside: bool = False,
) -> Run | None: ...


def run_mip(
    task: MipTask,
    deadline: float,
    *,
    in_process: bool = True,
    watch: ImprovingPlans | None = None,
    aside: bool = False,
) -> Run | None:
    """Run the MIP until optimal or the wall-clock ``deadline``; back by then plus a grace.

    In a worker when the model has ``WORKER_COLUMNS`` columns and one is ready (waiting
    for one to start cost eligibility-2 S 0.3 -> 0.9 s), else in this process, or not at
    all (``None``) if not ``in_process``. Either way the answer is
    :func:`matching.mip.run_checked`'s; an abandoned worker's is its best reported plan
    (objective recomputed from its values) and its last reported dual bound, not optimal.
    ``watch``, if given, is offered each better plan as it is found. ``aside``: a run made
    in this process is made on a runner thread, left behind if HiGHS does not answer its
    cancel (:func:`matching.mip.run_guarded`).
    """
    worker = None
    if task.model.n_cols >= WORKER_COLUMNS:
        worker = _take()
        if worker is None:
            warm()  # for the next run
    if worker is not None:
        try:
            worker.conn.send((task, max(deadline - time.perf_counter(), 0.0)))
            return _follow(worker, task, deadline, watch)
        except OSError:
            worker.kill()
            warm()
    if not in_process:
        return None

    def make() -> highspy.Highs:
        h = make_highs(task)
        return h if watch is None else watch.attach(h)

    return run_checked(make, task.model, deadline, task.start, aside=aside)


def _follow(
    worker: _Worker, task: MipTask, deadline: float, watch: ImprovingPlans | None = None
) -> Run:
    """The worker's answer by the deadline, or what it reported until then."""
    t0 = time.perf_counter()
    best: FloatArray | None = None
    best_value = math.inf
    bound = -math.inf
    status = "abandoned at the deadline: HiGHS did not answer in time"
    try:
        while True:
            left = deadline + GUARD_GRACE - time.perf_counter()
            if left <= 0 or not worker.conn.poll(left):
                break
            kind, payload = worker.conn.recv()
            if kind == "done":
                _give_back(worker)
                return payload  # type: ignore[no-any-return]
            if kind == "bound":
                bound = max(bound, payload)
            elif kind == "plan":
                value = model_value(task.model, payload)
                if value < best_value:
                    best, best_value = payload, value
                    if watch is not None:
                        watch.offer(payload, value)
    except (EOFError, OSError):
        status = "the HiGHS worker ended without an answer"
    worker.kill()
    warm()
    return Run(
        optimal=False,
        status=status,
        col_value=best,
        row_dual=None,
        objective=best_value,
        dual_bound=bound,
        seconds=time.perf_counter() - t0,
    )
