"""HiGHS instances are freed when a solve is done, not when the cycle collector runs.

``HandleUserInterrupt`` subscribes an instance's own methods to its callbacks, a reference
cycle; C++ models do not prompt Python's cycle collector, so a scenario's big rounds grew
by about 200 MB a round until one was killed at 24 GB. Every entry point that makes HiGHS
instances leaves none behind (:func:`matching.mip.highs_scope`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import highspy
import pytest

from matching import Method, SolveParams, solve
from matching.instances import SIZES, random_problem
from matching.mip import highs_scope, new_highs


def live_highs() -> int:
    return sum(1 for o in gc.get_objects() if type(o) is highspy.Highs)  # not its proxies


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def left_behind(work: Callable[[], object]) -> int:
    """HiGHS instances still alive after ``work``, with only reference counting to free them."""
    with no_cycle_collection():
        before = live_highs()
        work()
        return live_highs() - before


@pytest.mark.parametrize("method", [Method.AUTO, Method.MIP])
def test_a_solve_leaves_no_highs_instance_behind(method):
    problem = random_problem(SIZES["S"], 3)
    result = None

    def work() -> None:
        nonlocal result
        result = solve(problem, SolveParams(time_limit=10.0, method=method, threads=1))

    assert left_behind(work) == 0
    assert result is not None
    assert result.assignments  # HiGHS ran and placed cases


def test_an_instance_made_in_a_scope_goes_with_its_last_reference():
    def scoped() -> None:
        with highs_scope():
            new_highs(seed=0, threads=1, time_limit=1.0, relative_gap=0.0)

    assert left_behind(scoped) == 0
