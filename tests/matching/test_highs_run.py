"""A HiGHS run held to its deadline even when HiGHS does not answer (matching.highs_run)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import highspy
import numpy as np
import pytest

from matching.highs_run import ABANDON_GRACE, GUARD_GRACE, abandoned, run_until
from matching.mip import LEFT_BEHIND, new_highs, run_guarded

# Unseen sweep seed 3428's fix-and-optimise sub-MIP (888 columns): HiGHS 1.16's presolve
# loops in HPresolve::strengthenInequalities on it, cancel or not (solved in 0.06 s without
# presolve)
PRESOLVE_LOOP = Path(__file__).parent / "data" / "presolve_loop.mps.gz"


class _Stuck:
    """Stands in for a HiGHS instance whose run ignores its cancel until released."""

    def __init__(self, error: Exception | None = None) -> None:
        self.release = threading.Event()
        self.cancelled = threading.Event()
        self.runs = 0
        self.error = error

    def getOptionValue(self, name: str) -> tuple[object, int]:
        return None, 1

    def setOptionValue(self, name: str, value: object) -> None:
        pass

    def getRunTime(self) -> float:
        return 0.0

    def cancelSolve(self) -> None:
        self.cancelled.set()

    def getModelStatus(self) -> highspy.HighsModelStatus:
        return highspy.HighsModelStatus.kOptimal

    def run(self) -> None:
        self.runs += 1
        if self.error is not None:
            raise self.error
        self.release.wait(30)


def tiny_lp() -> str:
    h = new_highs(seed=0, threads=1, time_limit=5, relative_gap=0)
    h.addVars(2, np.zeros(2), np.ones(2))
    h.changeColsCost(2, np.arange(2, dtype=np.int32), np.array([-1.0, -2.0]))
    return run_guarded(h, time.perf_counter() + 5, lp=True).status


def test_a_run_that_does_not_answer_its_cancel_is_left_behind_at_its_deadline() -> None:
    stuck = _Stuck()
    try:
        started = time.perf_counter()
        returned = run_until(stuck, started + 0.2, aside=True)  # type: ignore[arg-type]
        waited = time.perf_counter() - started
        assert not returned
        assert 0.2 + ABANDON_GRACE - 0.05 <= waited <= 0.2 + ABANDON_GRACE + 0.5
        assert stuck.cancelled.is_set()  # the watchdog's cancel came first
        assert abandoned(stuck)  # type: ignore[arg-type]
        # never run (nor read) again, while its thread may still be in it
        again = time.perf_counter()
        assert not run_until(stuck, again + 5, aside=True)  # type: ignore[arg-type]
        assert time.perf_counter() - again < 0.1
        assert stuck.runs == 1
        # the thread's next run gets a runner of its own
        assert tiny_lp() == "Optimal"
    finally:
        stuck.release.set()


def test_an_error_in_the_run_reaches_the_caller() -> None:
    failing = _Stuck(error=ValueError("the model is broken"))
    with pytest.raises(ValueError, match="the model is broken"):
        run_until(failing, time.perf_counter() + 5, aside=True)  # type: ignore[arg-type]
    assert not abandoned(failing)  # type: ignore[arg-type]
    assert tiny_lp() == "Optimal"


def test_runs_from_two_threads_each_keep_their_own_pool() -> None:
    # HiGHS 1.16 sizes a pool per calling thread: one-thread LPs here, two-thread MIPs there
    found: list[str] = []

    def mips() -> None:
        h = new_highs(seed=0, threads=2, time_limit=5, relative_gap=0)
        h.addVars(2, np.zeros(2), np.ones(2))
        idx = np.arange(2, dtype=np.int32)
        h.changeColsIntegrality(2, idx, np.ones(2, dtype=np.uint8))
        h.changeColsCost(2, idx, np.array([-1.0, -2.0]))
        found.append(run_guarded(h, time.perf_counter() + 5).status)

    other = threading.Thread(target=lambda: [mips() for _ in range(3)])
    other.start()
    lps = [tiny_lp() for _ in range(3)]
    other.join(30)
    assert lps == found == ["Optimal"] * 3


def test_highs_looping_in_presolve_is_left_behind_on_time() -> None:
    # in a child process: the run left behind keeps a core busy until its process ends
    script = textwrap.dedent(
        f"""
        import json, os, time
        from matching.mip import new_highs, run_guarded
        h = new_highs(seed=0, threads=2, time_limit=1.0, relative_gap=1e-6)
        h.readModel({str(PRESOLVE_LOOP)!r})
        started = time.perf_counter()
        run = run_guarded(h, started + 1.0, aside=True)
        print(json.dumps([time.perf_counter() - started, run.status]), flush=True)
        os._exit(0)  # no interpreter shutdown under a thread still in HiGHS
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    seconds, status = json.loads(done.stdout.strip().splitlines()[-1])
    assert status in (LEFT_BEHIND, "Optimal")  # Optimal once HiGHS no longer loops there
    assert seconds <= 1.0 + GUARD_GRACE + ABANDON_GRACE + 1.0
    if status == LEFT_BEHIND:
        assert "did not answer its cancel" in done.stderr  # the warning an operator sees
