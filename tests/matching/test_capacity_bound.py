"""The Lagrangian bound over beds and budgets (issue 11): valid at every price, and real.

Small instances of every shape are checked against the independent reference's optimum
(``reference.mip_optimum``, every start day) and against the LP relaxation (column
generation run to completion); the benchmark's ``short-stays`` shape at S shows the bound
where the single-case bound was all that was reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import matching.capacity_bound as cb
from benchmarks.matching.shapes import shape_problem
from matching import SolveParams, solve
from matching.capacity_bound import Relaxation, capacity_bound, open_pairs
from matching.colgen import column_generation
from matching.evaluation import plan_objective
from matching.formulation import build_formulation, candidate_mask
from matching.greedy import solve_greedy
from matching.problem import MatchingProblem
from matching.problem_io import problem_from_dict
from matching.solve import single_case_bound

Shaped = Callable[[int, str], tuple[MatchingProblem, float]]  # the `shaped` fixture

TOL = 1e-6
SHAPES = ("short-stays", "families", "binding-budgets", "keep-apart", "mixed", "region-budgets")


def lp_optimum(problem: MatchingProblem) -> float:
    form = build_formulation(problem)
    master = column_generation(
        form, deadline=time.perf_counter() + 30, start=np.zeros(0, np.int64), max_rounds=500
    )
    assert master.complete
    return master.lp_value


def greedy_value(problem: MatchingProblem) -> float:
    return plan_objective(problem, solve_greedy(problem).plan)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(SHAPES))
def test_the_bound_is_at_most_the_lp_bound_and_the_optimum_and_at_least_single_case(
    shaped: Shaped, seed: int, shape: str
) -> None:
    problem, optimum = shaped(seed, shape)
    found = capacity_bound(
        problem, deadline=time.perf_counter() + 5, incumbent=greedy_value(problem)
    )
    assert found.steps >= 1
    tol = TOL * max(1.0, abs(optimum))
    assert found.bound <= lp_optimum(problem) + tol <= optimum + 2 * tol
    assert found.bound >= single_case_bound(problem) - tol


@pytest.mark.parametrize("seed", [0, 2, 3, 5])
def test_on_short_stays_it_reaches_the_lp_bound(shaped: Shaped, seed: int) -> None:
    """No keep-apart rows and no budgets: the Lagrangian dual is the LP (measured equal)."""
    problem, _ = shaped(seed, "short-stays")
    found = capacity_bound(
        problem, deadline=time.perf_counter() + 5, incumbent=greedy_value(problem)
    )
    lp = lp_optimum(problem)
    assert found.bound == pytest.approx(lp, rel=1e-3)
    assert found.bound > single_case_bound(problem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shape=st.sampled_from(SHAPES),
    scale=st.floats(0.0, 20.0),
    draw=st.integers(0, 2**32 - 1),
)
def test_every_price_gives_a_valid_bound(
    shaped: Shaped, seed: int, shape: str, scale: float, draw: int
) -> None:
    """Weak duality: any prices >= 0 on beds and budgets, not only the steps', bound it."""
    problem, optimum = shaped(seed, shape)
    relax = Relaxation(problem)
    rng = np.random.default_rng(draw)
    beds = rng.random(problem.free_beds.shape) * scale * (rng.random(problem.free_beds.shape) < 0.5)
    budgets = rng.random(relax.streams.size) * scale / 100  # weighted days per euro
    value, _, _ = relax.solve(beds, budgets)
    assert value <= optimum + TOL * max(1.0, abs(optimum))
    started = capacity_bound(
        problem,
        deadline=time.perf_counter() + 1,
        incumbent=greedy_value(problem),
        bed_prices=beds,
        budget_prices=np.resize(budgets, len(problem.stream_ids)),
        max_steps=5,
    )
    assert started.bound <= optimum + TOL * max(1.0, abs(optimum))


def test_on_the_short_stay_shape_it_beats_the_single_case_bound_and_the_plan_bounds_it() -> None:
    problem = shape_problem("short-stays", "S", 1)
    greedy = greedy_value(problem)
    found = capacity_bound(problem, deadline=time.perf_counter() + 3, incumbent=greedy)
    assert single_case_bound(problem) < found.bound <= greedy
    assert found.bound > 2 * single_case_bound(problem)


def test_no_time_gives_no_step_and_no_bound() -> None:
    problem = shape_problem("short-stays", "S", 1)
    found = capacity_bound(problem, deadline=time.perf_counter(), incumbent=1e9)
    assert found.steps == 0
    assert found.bound == -np.inf


def test_a_round_nobody_can_use_is_bound_by_its_unplaced_cost(ref: ModuleType) -> None:
    data = ref.shaped_instance(1, "short-stays")
    problem = problem_from_dict(data)
    facilities = [{**f, "free_beds": [0] * len(f["free_beds"])} for f in data["facilities"]]
    full = problem_from_dict({**data, "facilities": facilities})
    found = capacity_bound(full, deadline=time.perf_counter() + 1, incumbent=1e9)
    assert found.bound == pytest.approx(float(full.unplaced_cost.sum()))
    assert problem.n_options == full.n_options


NATIONAL_OPTIMUM = 21_970.2  # budget-national S seed 1 (benchmarks/README.md, reference MIP)


def test_binding_budgets_are_priced_in_placements_so_the_bound_moves() -> None:
    """Priced in euros, the budget rows took every step: the bound stayed at its value at
    zero prices (832 on budget-national S, 18,513 on issue-11 M). The steps are counted,
    not timed, so the figure is the same on a busy machine."""
    problem = shape_problem("budget-national", "S", 1)
    greedy = greedy_value(problem)
    found = capacity_bound(
        problem, deadline=time.perf_counter() + 60, incumbent=greedy, max_steps=300
    )
    assert found.steps == 300
    assert 0.95 * NATIONAL_OPTIMUM <= found.bound <= NATIONAL_OPTIMUM + TOL * NATIONAL_OPTIMUM
    assert found.budget_prices.max() > 0


@pytest.mark.slow
def test_a_round_without_time_for_column_generation_still_gets_the_bound() -> None:
    """``short-stays`` M at T = 5: column generation's set-up does not fit; the greedy plan
    came back after 1.1 s with the single-case bound (892, gap 99 %)."""
    problem = shape_problem("short-stays", "M", 1)
    result = solve(problem, SolveParams(time_limit=5.0))
    assert result.bound <= result.objective
    assert result.bound > 50 * single_case_bound(problem)
    assert any("Lagrangian prices on beds" in note for note in result.notes)


def test_more_steps_go_on_from_the_prices_and_pairs_of_an_earlier_run() -> None:
    problem = shape_problem("short-stays", "S", 1)
    greedy = greedy_value(problem)
    first = capacity_bound(
        problem, deadline=time.perf_counter() + 60, incumbent=greedy, max_steps=5
    )
    again = capacity_bound(
        problem,
        deadline=time.perf_counter() + 60,
        incumbent=greedy,
        bed_prices=first.bed_prices,
        budget_prices=first.budget_prices,
        relaxation=first.relaxation,
        max_steps=1,
    )
    assert again.relaxation is first.relaxation
    assert again.bound == pytest.approx(first.bound)  # its first step is at the best prices


ISSUE_11_S_LP = 5_429.14  # column generation's LP bound of issue-11 S seed 1 (complete)


def test_deflected_steps_reach_near_the_lp_bound_where_plain_steps_zig_zag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """issue-11 S, 100 steps from 0 towards a plan 5 % above the LP: plain steps end at
    5,074.9 (6.5 % below the LP bound), deflected ones at 5,397.4 (0.6 %)."""
    problem = shape_problem("issue-11", "S", 1)
    kwargs = {"incumbent": 1.05 * ISSUE_11_S_LP, "max_steps": 100}
    found = capacity_bound(problem, deadline=time.perf_counter() + 60, **kwargs)
    assert found.steps == 100
    assert 0.99 * ISSUE_11_S_LP <= found.bound <= ISSUE_11_S_LP + 0.01
    monkeypatch.setattr("matching.capacity_bound.DEFLECTION", 0.0)  # plain steps
    plain = capacity_bound(problem, deadline=time.perf_counter() + 60, **kwargs)
    assert plain.bound < found.bound - 0.02 * ISSUE_11_S_LP


@pytest.mark.parametrize("shape", ["budget-region", "budget-national"])
def test_steps_towards_a_plan_far_above_the_optimum_still_raise_the_bound(shape: str) -> None:
    """S, 40 steps from 0 towards three times the greedy's plan (about four times the LP
    bound): the level method reaches 79 % (``budget-region``) and 74 % of the LP bound;
    the rule before it (Polyak's steps aimed at the plan, halved after 10 steps without a
    better bound) 44 % and 46 %."""
    problem = shape_problem(shape, "S", 1)
    lp = lp_optimum(problem)
    incumbent = 3 * greedy_value(problem)
    found = capacity_bound(
        problem, deadline=time.perf_counter() + 60, incumbent=incumbent, max_steps=40
    )
    assert found.steps == 40
    assert 0.7 * lp <= found.bound <= lp + TOL


@given(
    cap=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
    last=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
)
def test_a_deflected_direction_never_points_against_the_last(
    cap: list[float], last: list[float]
) -> None:
    from matching.capacity_bound import _deflected

    c, lc = np.array(cap[:3]).reshape(1, 3), np.array(last[:3]).reshape(1, 3)
    b, lb = np.array(cap[3:]), np.array(last[3:])
    dc, db = _deflected(c, b, lc, lb)
    assert float((dc * lc).sum() + db @ lb) >= -1e-9 * (1 + float((c * c).sum() + b @ b))


def test_a_last_direction_whose_square_underflows_is_deflected_not_divided_by_zero() -> None:
    """Hypothesis found it (a fresh-clone CI run): a last direction of 9.5e-183 squared to
    0 while its product with the subgradient did not, and the step divided by zero."""
    from matching.capacity_bound import _deflected

    cap, last = np.array([[-1.0, 0.0, 0.0]]), np.array([[9.54068062e-183, 0.0, 0.0]])
    dc, _ = _deflected(cap, np.zeros(1), last, np.zeros(1))
    assert np.isfinite(dc).all()
    assert float((dc * last).sum()) >= -1e-9  # no longer against the last direction
    assert not np.array_equal(dc, cap)  # deflected, not left as it was


def _plain_pairs(p: MatchingProblem) -> set[tuple[int, int]]:
    """Every (option, day): an open candidate day with the case's beds free to its end."""
    open_day = candidate_mask(p) & (p.free_beds > 0)
    pairs = set()
    for k in range(p.n_options):
        f, beds = int(p.opt_facility[k]), int(p.case_beds[p.opt_case[k]])
        for d in range(p.horizon_days):
            end = min(d + int(p.stay_to[k]), p.horizon_days)
            if open_day[f, d] and p.free_beds[f, d:end].min() >= beds:
                pairs.add((k, d))
    return pairs


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("seed", range(3))
def test_the_relaxation_weighs_every_usable_pair_once_in_case_order(
    shaped: Shaped, seed: int, shape: str
) -> None:
    problem, _ = shaped(seed, shape)
    relax = Relaxation(problem)
    option, day = relax.option.astype(np.int64), (relax.start % (relax.h + 1)).astype(np.int64)
    assert set(zip(option.tolist(), day.tolist(), strict=True)) == _plain_pairs(problem)
    assert option.size == len(_plain_pairs(problem))  # none twice
    assert bool((np.diff(problem.opt_case[option]) >= 0).all())
    assert relax.option.size <= open_pairs(problem)


def test_the_set_up_is_judged_by_the_open_pairs_not_every_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """eligibility-30 L: 15.5 million options x 60 days said a set-up of 117 s where the
    26 million open pairs take 4 s, so no step ran in 60 s and the bound reported was the
    single-case bound (gap 99.97 %). Here eligibility-30 S, with the fastest set-up's speed
    scaled so that its open pairs take 0.1 s and every option x day would take over 1 s."""
    problem = shape_problem("eligibility-30", "S", 1)
    pairs = open_pairs(problem)
    assert problem.n_options * problem.horizon_days > 10 * pairs
    monkeypatch.setattr("matching.capacity_bound.SETUP_FASTEST_ENTRIES_PER_SECOND", pairs / 0.1)
    found = capacity_bound(
        problem, deadline=time.perf_counter() + 0.9, incumbent=greedy_value(problem)
    )
    assert found.steps >= 1
    assert found.bound > single_case_bound(problem)


def _counted_chunks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Patch the set-up's chunk step to count its calls; return the list it appends to."""
    calls: list[int] = []
    real = cb._PairChunks._add

    def counted(self: Any, options: Any, open_days: Any) -> None:
        calls.append(int(open_days.sum()))
        real(self, options, open_days)

    monkeypatch.setattr(cb._PairChunks, "_add", counted)
    return calls


def test_a_set_up_that_would_not_end_in_time_stops_after_its_first_chunk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The set-up is not cut short by an estimate made before it (sweep rounds of 6-38
    million open pairs: estimated 1.2-7.5 s, taking 0.3-2.5 s, so no step ran and the
    answer carried the single-case bound); it measures its own pace and stops between
    two chunks once it and a step would not end by the deadline. Here a step is made to
    look as if it took hours: the set-up stops after one chunk of many."""
    problem = shape_problem("short-stays", "S", 1)
    monkeypatch.setattr(cb, "CHUNK_ENTRIES", 5_000)
    calls = _counted_chunks(monkeypatch)
    assert Relaxation.within(problem, time.perf_counter() + 60) is not None
    chunks = len(calls)
    assert chunks > 5
    calls.clear()
    monkeypatch.setattr(cb, "STEP_SETUP_RATIO", 1e12)
    assert Relaxation.within(problem, time.perf_counter() + 60) is None
    assert len(calls) == 1
    found = capacity_bound(problem, deadline=time.perf_counter() + 60, incumbent=1e9)
    assert found.steps == 0
    assert found.bound == -np.inf


def test_a_set_up_that_ends_in_time_runs_whatever_an_estimate_before_it_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The estimate made before it (open pairs at 5 million a second) plans a stage's
    time but no longer decides whether the set-up runs: as if that speed were one pair a
    second, the set-up still runs and the bound is real."""
    problem = shape_problem("short-stays", "S", 1)
    monkeypatch.setattr(cb, "SETUP_ENTRIES_PER_SECOND", 1.0, raising=False)
    found = capacity_bound(problem, deadline=time.perf_counter() + 20, incumbent=1e9)
    assert found.steps >= 1
    assert found.bound > single_case_bound(problem)


FIELDS = ("option", "beds", "start", "end", "static", "budget_row", "cost", "group_start")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shape=st.sampled_from(SHAPES),
    chunk=st.integers(1, 400),
)
def test_the_pairs_do_not_depend_on_how_the_set_up_is_chunked(
    ref: ModuleType, seed: int, shape: str, chunk: int
) -> None:
    """Chunks cut through a case's options: every field, and where each case starts, come
    out the same as from one chunk."""
    problem = problem_from_dict(ref.shaped_instance(seed, shape))
    whole = Relaxation(problem)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cb, "CHUNK_ENTRIES", chunk)
        chunked = Relaxation(problem)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), name)
    cases = problem.opt_case[whole.option]
    first = np.flatnonzero(np.diff(cases, prepend=-1) != 0)
    np.testing.assert_array_equal(whole.group_start, first)
