"""HiGHS plumbing: thread pools, the wall-clock guard, hints."""

from __future__ import annotations

import time

import numpy as np

from matching.formulation import build_formulation
from matching.instances import SIZES, random_problem
from matching.lpmodel import assemble
from matching.mip import new_highs, pass_model, run_guarded


def tiny_mip(threads: int) -> str:
    h = new_highs(seed=0, threads=threads, time_limit=5, relative_gap=0)
    h.addVars(2, np.zeros(2), np.ones(2))
    idx = np.arange(2, dtype=np.int32)
    h.changeColsIntegrality(2, idx, np.ones(2, dtype=np.uint8))
    h.changeColsCost(2, idx, np.array([-1.0, -2.0]))
    return run_guarded(h, time.perf_counter() + 5).status


def test_runs_with_another_thread_count_still_solve() -> None:
    # HiGHS sizes one thread pool per process; without a reset the second run is "Not Set"
    assert [tiny_mip(t) for t in (2, 1, 2)] == ["Optimal"] * 3


def test_guard_stops_a_reused_instance_at_its_own_deadline() -> None:
    form = build_formulation(random_problem(SIZES["S"], 2))
    h = new_highs(seed=0, threads=2, time_limit=1, relative_gap=0)
    pass_model(h, assemble(form), integer=True)
    started = time.perf_counter()
    first = run_guarded(h, started + 0.5)
    assert not first.optimal
    assert time.perf_counter() - started < 2.0
    # HiGHS's own clock runs over both runs; the second run still gets its half second
    again = time.perf_counter()
    run_guarded(h, again + 0.5)
    assert time.perf_counter() - again > 0.3
