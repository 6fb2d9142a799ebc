"""HiGHS's answers are checked against their own values (issue 11).

HiGHS 1.16 can report a better optimum yet hand back the start's values. The three MIP
runs (the polishing MIPs, the proof, ``solve_mip``) go through one check,
:func:`matching.mip.run_checked`: on a mismatch they solve again without the start, and
never claim an optimum or a bound their values do not show. HiGHS is faked here by
spoiling the values of its first answer(s): "nobody placed", with the objective HiGHS
found.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import matching.exact
import matching.mip
from matching.arcflow import build_arcflow
from matching.evaluation import plan_objective, plan_violations
from matching.exact import _polish
from matching.formulation import build_formulation
from matching.greedy import solve_greedy
from matching.lpmodel import assemble
from matching.mip import Run, solve_mip
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict

SEED = 2  # binding-budgets seed 2: the priority greedy is 11 % above the optimum


def spoil_first(monkeypatch: pytest.MonkeyPatch, times: int) -> list[Run]:
    """Make the first ``times`` HiGHS runs answer with zeros and their real objective."""
    real: Callable[..., Run] = matching.mip.run_guarded
    runs: list[Run] = []

    def fake(h: Any, deadline: float, *, lp: bool = False, aside: bool = False) -> Run:
        run = real(h, deadline, lp=lp, aside=aside)
        if len(runs) < times and run.col_value is not None:
            run = dataclasses.replace(run, col_value=np.zeros_like(run.col_value))
        runs.append(run)
        return run

    monkeypatch.setattr(matching.mip, "run_guarded", fake)
    monkeypatch.setattr(matching.exact, "run_guarded", fake)
    return runs


@pytest.fixture
def budgets(ref: ModuleType) -> tuple[MatchingProblem, float]:
    data = ref.shaped_instance(SEED, "binding-budgets")
    optimum, _ = ref.mip_optimum(ref.Reference.from_dict(data))
    problem = problem_from_dict(data)
    greedy = plan_objective(problem, solve_greedy(problem).plan)
    assert greedy > optimum + 1.0, "the instance must leave the MIP something to improve"
    return problem, optimum


def test_solve_mip_solves_again_when_the_values_miss_the_reported_optimum(
    budgets: tuple[MatchingProblem, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, optimum = budgets
    runs = spoil_first(monkeypatch, times=1)
    hint = solve_greedy(problem).plan
    out = solve_mip(problem, deadline=time.perf_counter() + 30, threads=1, hint=hint)
    assert len(runs) == 2
    assert not plan_violations(problem, out.plan)
    assert plan_objective(problem, out.plan) == pytest.approx(optimum, abs=1e-6)
    assert out.optimal
    assert out.bound <= plan_objective(problem, out.plan) + 1e-6


def test_solve_mip_claims_nothing_when_the_values_never_match(
    budgets: tuple[MatchingProblem, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, _ = budgets
    spoil_first(monkeypatch, times=2)
    out = solve_mip(problem, deadline=time.perf_counter() + 30, threads=1)
    assert out.plan == []  # the values it returned: nobody placed
    assert not out.optimal
    assert out.bound == -np.inf
    assert any("not matched by its values" in note for note in out.notes)


def test_polish_solves_again_when_the_values_miss_the_reported_optimum(
    budgets: tuple[MatchingProblem, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    problem, optimum = budgets
    form = build_formulation(problem)
    model = assemble(form, build_arcflow(form), chain=True)
    start = solve_greedy(problem, form).plan
    spoil_first(monkeypatch, times=1)
    rc = np.zeros(model.n_cols)  # every column within reach: the polish is the whole MIP
    plan = _polish(form, model, rc, 1.0, start, time.perf_counter() + 30, 0, 1)
    assert not plan_violations(problem, plan)
    assert plan_objective(problem, plan) == pytest.approx(optimum, abs=1e-6)
