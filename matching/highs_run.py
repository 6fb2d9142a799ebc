"""How one HiGHS run is held to its wall-clock deadline, whatever HiGHS does.

Two guards:

- a watchdog thread cancels every run ``GUARD_GRACE`` past its deadline (HiGHS's own time
  limit is not hard on big models);
- a run made ``aside`` happens on a runner thread, and the caller waits for it only until
  ``ABANDON_GRACE`` past the deadline. HiGHS checks a cancel between steps, and one step
  can loop for good: unseen sweep seed 3428 (3,000 cases, a national budget, T = 5 s) had a
  fix-and-optimise sub-MIP of 888 columns in HiGHS 1.16's presolve
  (``HPresolve::strengthenInequalities``) for over ten minutes, one run in three, cancel
  or not; the same model without presolve is solved in 0.06 s. A run that does not answer
  is left behind: the caller gets an answer without values, the instance is never run or
  read again (:func:`abandoned`), a warning is logged, and the thread it holds spins until
  HiGHS returns, if ever, or the process ends.

Not every run goes aside: with every run of the scenario engine's year on a runner thread
the year took 1.18 times as long (median of 4 paired runs, 0.98-1.25; HiGHS's own work and
the Python between runs both slower; not the cores, malloc's arenas nor highspy's
interrupt callbacks: ``benchmarks/README.md``), so only the sub-MIPs on what a plan leaves
of the budgets (:func:`matching.budget_repair.sub_mip`), where the loop was seen, and a
proof MIP started with less time left than its root may take (``matching.exact``) go
aside. The worker process of :mod:`matching.mip_process` is the stronger guard (it is
killed) for the MIPs that run to a round's deadline on large models.

HiGHS 1.16 keeps a thread pool per calling thread, sized by its first run there; a later
run asking for another number of threads fails with status "Not Set" unless the pool is
reset first (:func:`use_pool`). Each calling thread has its own runner, so runs from one
thread stay one after the other, as before.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import highspy

__all__ = ["ABANDON_GRACE", "GUARD_GRACE", "abandoned", "run_until", "use_pool"]

GUARD_GRACE = 0.1  # seconds HiGHS may overrun its own limit before it is cancelled
# seconds past its deadline after which a run that has not answered (its cancel included)
# is left behind: a round's answer is due half a second past its limit (issue 11)
ABANDON_GRACE = 0.3

_log = logging.getLogger(__name__)


class _Watchdog:
    """One thread that cancels HiGHS runs past their wall-clock deadline.

    A ``threading.Timer`` per run cost a thread start and join each time: a scenario year
    makes thousands of small LP runs (the dive), and the timers took a fifth of the
    matching time (issue 11).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._watched: dict[int, tuple[float, highspy.Highs]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, h: highspy.Highs, at: float) -> int:
        with self._cond:
            self._next += 1
            self._watched[self._next] = (at, h)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="highs-guard", daemon=True)
                self._thread.start()
            self._cond.notify()
            return self._next

    def unwatch(self, ticket: int) -> None:
        with self._cond:
            self._watched.pop(ticket, None)

    def _run(self) -> None:
        with self._cond:
            while True:
                now = time.perf_counter()
                self._cancel_due(now)  # in a call: no instance stays bound in this frame
                soonest = min((at for at, _ in self._watched.values()), default=now + 60.0)
                self._cond.wait(timeout=max(soonest - now, 0.001))

    def _cancel_due(self, now: float) -> None:
        for ticket, (at, h) in list(self._watched.items()):
            if at <= now:
                h.cancelSolve()  # type: ignore[no-untyped-call]
                del self._watched[ticket]


_watchdog = _Watchdog()

# The pool size HiGHS has for this thread (none before its first run here).
_pool = threading.local()


def use_pool(threads: int, *, reset: bool = False) -> None:
    """Size this thread's HiGHS pool for ``threads``, resetting it if it had another size."""
    if reset or getattr(_pool, "threads", threads) != threads:
        highspy.Highs.resetThreadScheduler(False)
    _pool.threads = threads


def _run_sized(h: highspy.Highs) -> None:
    """``h.run()`` on this thread's pool, sized for the instance's threads."""
    threads = int(h.getOptionValue("threads")[1])
    use_pool(threads)
    h.run()
    if h.getModelStatus() == highspy.HighsModelStatus.kNotset:
        # the pool was sized by a HiGHS instance made elsewhere (another library, a test)
        use_pool(threads, reset=True)
        h.run()


class _Job:
    def __init__(self, task: Callable[[], None]) -> None:
        self.task = task
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Runner:
    """A daemon thread that runs HiGHS for one calling thread, one run at a time."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="highs-run", daemon=True)
        self._thread.start()

    def submit(self, task: Callable[[], None]) -> _Job:
        job = _Job(task)
        self._jobs.put(job)
        return job

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                job.task()
            except BaseException as error:
                job.error = error
            finally:
                job.done.set()
            del job  # no instance stays bound while this thread waits


_runners = threading.local()
_left_lock = threading.Lock()
_left: dict[int, highspy.Highs] = {}  # instances left running, by id (kept: ids stay unique)


def abandoned(h: highspy.Highs) -> bool:
    """Whether ``h`` was left running past its deadline (it must not be used again)."""
    with _left_lock:
        return id(h) in _left


def run_until(h: highspy.Highs, deadline: float, *, aside: bool = False) -> bool:
    """Run ``h`` until done or the wall-clock ``deadline``; whether it returned.

    Sets HiGHS's own time limit and cancels the run ``GUARD_GRACE`` past the deadline.
    ``aside``: the run is made on this thread's runner and left behind ``ABANDON_GRACE``
    past the deadline (false, and ``h`` is :func:`abandoned`); otherwise on this thread,
    which waits for HiGHS however long it takes. An instance left behind before is not run
    again (false at once).
    """
    if abandoned(h):
        return False
    remaining = max(deadline - time.perf_counter(), 0.0)
    # HiGHS's clock runs over all runs of an instance, so its limit is set past what it used
    h.setOptionValue("time_limit", float(h.getRunTime() + max(remaining, 0.01)))
    ticket = _watchdog.watch(h, time.perf_counter() + remaining + GUARD_GRACE)
    if not aside:
        try:
            _run_sized(h)
        finally:
            _watchdog.unwatch(ticket)
        return True
    runner: _Runner | None = getattr(_runners, "runner", None)
    if runner is None:
        runner = _runners.runner = _Runner()
    try:
        job = runner.submit(lambda: _run_sized(h))
        try:
            answered = job.done.wait(max(deadline - time.perf_counter(), 0.0) + ABANDON_GRACE)
        except BaseException:  # a signal's exception (a scenario job's alarm): stop HiGHS too
            h.cancelSolve()  # type: ignore[no-untyped-call]
            raise
        if not answered:
            with _left_lock:
                _left[id(h)] = h
            _runners.runner = None  # that thread is HiGHS's now; the next run gets a new one
            _log.warning(
                "a HiGHS run did not answer its cancel %.1f s past its deadline and was left "
                "running on its own thread (%d so far in this process)",
                ABANDON_GRACE,
                len(_left),
            )
            return False
    finally:
        _watchdog.unwatch(ticket)
    if job.error is not None:
        raise job.error
    return True
