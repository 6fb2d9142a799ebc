"""The benchmark family of issue 11 (``benchmarks/matching/shapes.py``): each shape is what
its name says, seeded, and the independent reference agrees with ``solve`` on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.matching.reference import reference_solve
from benchmarks.matching.shapes import SHAPES, generate
from matching import SolveParams, Status, solve
from matching.formulation import binding_streams


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_is_seeded(name):
    a, b = generate(SHAPES[name], "S", 3), generate(SHAPES[name], "S", 3)
    assert (a.n_cases, a.n_facilities) == (300, 150)
    assert np.array_equal(a.opt_facility, b.opt_facility)
    assert np.array_equal(a.budget, b.budget)
    assert a.n_options != generate(SHAPES[name], "S", 4).n_options or name == "eligibility-30"


def test_the_issue_shape_is_the_failing_instance_of_issue_11():
    p = generate(SHAPES["issue-11"], "S", 1)
    assert p.horizon_days == 60
    assert 25 <= p.n_options / p.n_cases <= 31  # about 30 options per case
    assert set(np.unique(p.case_beds).tolist()) == {1, 2, 3}
    assert 0.25 <= float((p.opt_stay != -1).mean()) <= 0.35  # about 30 % short stays
    assert binding_streams(p).tolist() == [0, 1, 2]  # three streams whose budgets bind


def test_shapes_cover_families_keep_apart_and_budget_kinds():
    assert generate(SHAPES["families"], "S", 1).case_beds.max() == 5
    assert generate(SHAPES["keep-apart"], "S", 1).keep_apart.shape[0] == 30
    assert len(generate(SHAPES["budget-national"], "S", 1).stream_ids) == 1
    assert len(generate(SHAPES["budget-region"], "S", 1).stream_ids) == 25
    assert (generate(SHAPES["occupancy-100"], "S", 1).free_beds[:, 0] == 0).all()


def _small(name: str, seed: int):
    """A shape cut down to its first 30 cases and 12 facilities (a few seconds to prove)."""
    import dataclasses

    from matching.decompose import subproblem

    p = generate(dataclasses.replace(SHAPES[name], options_per_case=6.0), "S", seed)
    sub, _ = subproblem(p, np.arange(30, dtype=np.int32), np.arange(150, dtype=np.int32))
    return sub


@pytest.mark.parametrize("name", ["issue-11", "families", "keep-apart", "budget-region"])
def test_the_reference_and_solve_agree_on_small_cuts(name):
    p = _small(name, 1)
    ref = reference_solve(p, 30)
    res = solve(p, SolveParams(time_limit=30))
    assert ref.optimal
    assert res.status is Status.OPTIMAL
    assert res.objective == pytest.approx(ref.objective, rel=1e-6)
    assert res.bound <= ref.objective + 1e-6


def test_cpsat_refuses_a_round_it_cannot_build_in_time_and_says_why():
    import time

    from matching import InvalidParamsError, Method

    p = generate(SHAPES["issue-11"], "S", 1)
    started = time.perf_counter()
    with pytest.raises(InvalidParamsError) as refused:
        solve(p, SolveParams(time_limit=1, method=Method.CPSAT))
    assert time.perf_counter() - started < 1.5
    assert refused.value.field == "method"
    assert "cannot build" in refused.value.reason
    assert "auto" in refused.value.reason
