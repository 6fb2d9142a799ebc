"""Cross-check (issue #3): ``solve`` finds the optimum an independent formulation finds.

On 59 seeded instances — families, stays that end inside the horizon, budgets, tight and
sometimes falling capacity, keep-apart pairs — every method's objective must equal the
reference optimum (``reference.py``: exhaustive enumeration for tiny instances, a
time-indexed HiGHS MIP over every start day for small ones), its plan must pass the
reference's own rule check, its status must be ``optimal`` and its bound must be a lower
bound of both.

Issue 11 adds the realistic shapes (``reference.shaped_instance``: crisis and clinical
stays, families of up to 5 beds, budgets that bind, many keep-apart pairs), seeded and
drawn by hypothesis; solves cut short by the clock (a real bound, never worse than the
greedy plan); and the wall-clock limit on a moderately large instance (slow).
"""

from __future__ import annotations

import dataclasses
import math
import time
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching import (
    InvalidParamsError,
    MatchResult,
    Method,
    SolveParams,
    Status,
    problem_from_dict,
    solve,
)
from matching.instances import SIZES, random_problem

SHAPES = (  # reference.SHAPES
    "short-stays",
    "families",
    "binding-budgets",
    "keep-apart",
    "mixed",
    "region-budgets",
)

REL_TOL = 1e-6
TIME_LIMIT = 30.0  # seconds; these instances solve in well under one

METHODS = {
    "default": SolveParams(time_limit=TIME_LIMIT),
    "mip": SolveParams(time_limit=TIME_LIMIT, method=Method.MIP),
    "mip-one-model": SolveParams(time_limit=TIME_LIMIT, method=Method.MIP, decompose=False),
    "cpsat": SolveParams(time_limit=TIME_LIMIT, method=Method.CPSAT),
    "flow": SolveParams(time_limit=TIME_LIMIT, method=Method.FLOW),
}

INSTANCES = [
    *[pytest.param("tiny", s, id=f"tiny-{s}") for s in range(20)],
    *[pytest.param("small", s, id=f"small-{s}") for s in range(20)],
    *[pytest.param("flow", s, id=f"flow-{s}") for s in range(8)],
    *[pytest.param("flow-falling", s, id=f"flow-falling-{s}") for s in range(8)],
    *[pytest.param("lib-tiny", s, id=f"lib-tiny-{s}") for s in range(6)],
    *[pytest.param("lib-small", s, id=f"lib-small-{s}") for s in range(5)],
]


def make_instance(ref: ModuleType, kind: str, seed: int) -> dict[str, Any]:
    """The problem dictionary of one cross-check instance; sizes vary with the seed."""
    if kind == "tiny":  # exhaustive enumeration is the reference
        return ref.random_instance(
            seed,
            n_cases=4 + seed % 3,
            n_facilities=2 + seed % 2,
            horizon=3 + seed % 3,
            option_share=0.8,
            n_keep_apart=seed % 3,
            falling_beds=seed % 2 == 0,
        )
    if kind == "small":
        return ref.random_instance(
            1000 + seed,
            n_cases=8 + seed % 7,
            n_facilities=3 + seed % 3,
            horizon=5 + seed % 6,
            n_streams=1 + seed % 3,
            n_keep_apart=seed % 4,
            falling_beds=seed % 2 == 0,
        )
    if kind == "flow":  # one bed per case, stays to the end, rising beds, no budget
        return ref.random_instance(
            2000 + seed, n_cases=6 + seed, n_facilities=3, horizon=6, flow_shaped=True
        )
    if kind == "flow-falling":  # the same, but free beds also fall inside the horizon
        return ref.random_instance(
            3000 + seed,
            n_cases=6 + seed,
            n_facilities=3,
            horizon=6,
            family_share=0.0,
            short_stay_share=0.0,
            n_streams=0,
            falling_beds=True,
        )
    size = {"lib-tiny": "tiny", "lib-small": "small"}[kind]
    return random_problem(SIZES[size], seed).to_dict()


def flow_applies(data: dict[str, Any]) -> bool:
    """Min-cost flow is exact here by our own reading: one bed per case, stays to the end
    of the horizon, no budget and no keep-apart pair (free beds may fall: a stay to the
    end holds its bed on every later day, so only the fewest from each day on count)."""
    return (
        all(c["beds"] == 1 for c in data["cases"])
        and all(o.get("stay_days") is None for o in data["options"])
        and not data.get("budgets")
        and not data.get("keep_apart")
    )


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=REL_TOL)


def disagreements(reference: Any, result: MatchResult, optimum: float) -> list[str]:
    """What is wrong with a result against the reference optimum (empty when right)."""
    plan = [(a.case, a.facility, a.start_day) for a in result.assignments]
    out = [f"breaks a rule: {v}" for v in reference.violations(plan)]
    if out:
        return out
    recomputed = reference.objective(plan)
    if not close(result.objective, recomputed):
        out.append(f"objective {result.objective} but its plan scores {recomputed}")
    if not close(result.objective, optimum):
        out.append(f"objective {result.objective}, optimum {optimum}")
    if result.status is not Status.OPTIMAL:
        out.append(f"status {result.status.value}")
    tol = REL_TOL * max(1.0, abs(optimum))
    if not result.bound <= result.objective + tol:
        out.append(f"bound {result.bound} above its objective {result.objective}")
    if not result.bound <= optimum + tol:
        out.append(f"bound {result.bound} above the optimum {optimum}")
    placed = {a.case for a in result.assignments}
    if set(result.unplaced) != set(reference.cases) - placed:
        out.append(f"unplaced {result.unplaced} is not the cases without an assignment")
    return out


@pytest.mark.parametrize(("kind", "seed"), INSTANCES)
def test_solve_matches_independent_optimum(ref: ModuleType, kind: str, seed: int):
    data = make_instance(ref, kind, seed)
    reference = ref.Reference.from_dict(data)
    optimum, _ = ref.mip_optimum(reference)
    if kind == "tiny":
        by_enumeration, _ = ref.exhaustive_optimum(reference)
        assert close(by_enumeration, optimum), "the two references disagree"
    problem = problem_from_dict(data)
    failures = []
    for label, params in METHODS.items():
        try:
            result = solve(problem, params)
        except InvalidParamsError:
            if label == "flow" and not flow_applies(data):
                continue  # flow may refuse what it cannot solve exactly
            failures.append(f"{label}: refused a problem it applies to")
            continue
        except Exception as exc:  # report every method, not only the first to fail
            failures.append(f"{label}: raised {exc!r}")
            continue
        failures += [f"{label}: {msg}" for msg in disagreements(reference, result, optimum)]
    assert not failures, f"{kind}-{seed}: " + "; ".join(failures)


def test_flow_instances_really_are_flow_shaped(ref: ModuleType):
    """The flow instances must reach the flow method, or the cross-check proves nothing."""
    for kind in ("flow", "flow-falling"):
        for seed in range(8):
            data = make_instance(ref, kind, seed)
            assert flow_applies(data)
            assert solve(problem_from_dict(data)).method == "flow"
    falling = [make_instance(ref, "flow-falling", seed) for seed in range(8)]
    assert any(
        f["free_beds"] != sorted(f["free_beds"]) for data in falling for f in data["facilities"]
    )


def test_instances_have_the_features_the_issue_asks_for(ref: ModuleType):
    """Families, short stays, budgets, keep-apart pairs and tight capacity all occur."""
    datas = [make_instance(ref, k, s) for k in ("tiny", "small") for s in range(20)]
    assert sum(any(c["beds"] > 1 for c in d["cases"]) for d in datas) >= 20
    horizon_short = [
        any(o.get("stay_days", 10**9) < d["horizon_days"] for o in d["options"]) for d in datas
    ]
    assert sum(horizon_short) >= 20
    assert sum(bool(d["budgets"]) for d in datas) >= 20
    assert sum(bool(d.get("keep_apart")) for d in datas) >= 15
    unplaced_or_late = 0
    for d in datas:
        _, plan = ref.mip_optimum(ref.Reference.from_dict(d))
        if len(plan) < len(d["cases"]) or any(day > 0 for _, _, day in plan):
            unplaced_or_late += 1
    assert unplaced_or_late >= 30  # capacity is tight: someone waits in most instances


# the reference itself ---------------------------------------------------------------------


def one_facility(free: list[int], weights: list[float], **option: Any) -> dict[str, Any]:
    return {
        "format": "opvang-problem/1",
        "horizon_days": len(free),
        "facilities": [{"id": "F", "free_beds": free}],
        "cases": [{"id": f"C{i}", "beds": 1, "weight": w} for i, w in enumerate(weights)],
        "options": [
            {"case": f"C{i}", "facility": "F", "penalty": 0.0, "cost": 0.0, **option}
            for i in range(len(weights))
        ],
    }


def test_references_agree_on_a_hand_solved_instance(ref: ModuleType):
    # one bed on day 1, two on day 0: the heavier case starts on day 0, the other has
    # nowhere to stay through day 1, so it is unplaced: 1 x (2 + 2)
    reference = ref.Reference.from_dict(one_facility([2, 1], [2.0, 1.0]))
    assert ref.exhaustive_optimum(reference) == (4.0, [("C0", "F", 0)])
    assert ref.mip_optimum(reference) == (4.0, [("C0", "F", 0)])


def test_reference_check_flags_each_broken_rule(ref: ModuleType):
    data = one_facility([1, 1, 1], [1.0, 1.0], stream="S")
    data["budgets"] = [{"stream": "S", "amount": 0.0}]
    data["options"][0]["cost"] = 5.0
    data["keep_apart"] = [["C0", "C1"]]
    reference = ref.Reference.from_dict(data)
    assert reference.violations([("C1", "F", 0)]) == []
    assert any("2 beds used" in v for v in reference.violations([("C1", "F", 0), ("C0", "F", 2)]))
    assert any("kept apart" in v for v in reference.violations([("C1", "F", 0), ("C0", "F", 2)]))
    assert any("budget" in v for v in reference.violations([("C0", "F", 0)]))
    assert any("placed twice" in v for v in reference.violations([("C1", "F", 0)] * 2))
    assert any("outside" in v for v in reference.violations([("C1", "F", 3)]))
    assert any("not an option" in v for v in reference.violations([("C1", "G", 0)]))


# the realistic shapes of issue 11 ---------------------------------------------------------

SHAPED = [pytest.param(shape, seed, id=f"{shape}-{seed}") for shape in SHAPES for seed in range(6)]
SHAPED_METHODS = {
    "default": METHODS["default"],
    "mip-one-model": METHODS["mip-one-model"],
    "cpsat": METHODS["cpsat"],
}
GREEDY = SolveParams(time_limit=TIME_LIMIT, method=Method.GREEDY)


@pytest.mark.parametrize(("shape", "seed"), SHAPED)
def test_solve_is_exact_on_every_shape(ref: ModuleType, shape: str, seed: int):
    """Short stays, families, binding budgets, keep-apart pairs: each method finds the
    independent optimum, proves it, and is never worse than the greedy plan."""
    data = ref.shaped_instance(seed, shape)
    reference = ref.Reference.from_dict(data)
    optimum, _ = ref.mip_optimum(reference)
    problem = problem_from_dict(data)
    greedy = solve(problem, GREEDY)
    assert not reference.violations([(a.case, a.facility, a.start_day) for a in greedy.assignments])
    assert greedy.objective >= optimum - REL_TOL * max(1.0, optimum)
    failures = []
    for label, params in SHAPED_METHODS.items():
        result = solve(problem, params)
        failures += [f"{label}: {msg}" for msg in disagreements(reference, result, optimum)]
        if result.objective > greedy.objective + REL_TOL * max(1.0, greedy.objective):
            failures.append(f"{label}: {result.objective} worse than greedy {greedy.objective}")
    assert not failures, f"{shape}-{seed}: " + "; ".join(failures)


def test_the_shapes_have_what_they_are_named_for(ref: ModuleType):
    assert ref.SHAPES == SHAPES

    def datas(shape: str) -> list[dict[str, Any]]:
        return [ref.shaped_instance(seed, shape) for seed in range(6)]

    def optimum(data: dict[str, Any]) -> float:
        return float(ref.mip_optimum(ref.Reference.from_dict(data))[0])

    crisis = [
        any(o.get("stay_days", 99) <= ref.CRISIS_STAY_DAYS for o in d["options"])
        for d in datas("short-stays")
    ]
    assert sum(crisis) >= 4
    assert max(c["beds"] for d in datas("families") for c in d["cases"]) == ref.MAX_FAMILY_BEDS
    binding = [optimum(d) > optimum({**d, "budgets": []}) + 1e-6 for d in datas("binding-budgets")]
    assert all(binding), "every budget instance has a budget that changes the optimum"
    regions = datas("region-budgets")
    assert sum(len(d["budgets"]) >= 2 for d in regions) >= 3, "several regions' budgets"
    by_region = [optimum(d) > optimum({**d, "budgets": []}) + 1e-6 for d in regions]
    assert all(by_region), "every region-budget instance has a budget that changes the optimum"
    apart = datas("keep-apart")
    assert all(len(d["keep_apart"]) >= 2 for d in apart)
    separated = [optimum(d) > optimum({**d, "keep_apart": []}) + 1e-6 for d in apart]
    assert sum(separated) >= 2, "keep-apart pairs change the optimum somewhere"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shape=st.sampled_from(SHAPES))
def test_property_default_solve_is_exact_and_no_worse_than_greedy(ref, seed: int, shape: str):
    data = ref.shaped_instance(seed, shape)
    reference = ref.Reference.from_dict(data)
    optimum, _ = ref.mip_optimum(reference)
    problem = problem_from_dict(data)
    result = solve(problem, SolveParams(time_limit=TIME_LIMIT))
    assert disagreements(reference, result, optimum) == []
    greedy = solve(problem, GREEDY).objective
    assert result.objective <= greedy + REL_TOL * max(1.0, greedy)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    shape=st.sampled_from(SHAPES),
    time_limit=st.sampled_from([0.001, 0.01, 0.05]),
    method=st.sampled_from([Method.AUTO, Method.MIP]),  # cpsat: see the test after this one
)
def test_property_a_solve_cut_short_keeps_a_real_bound_and_the_greedy_plan(
    ref, seed: int, shape: str, time_limit: float, method: Method
):
    """However short the time: the plan keeps every rule, its bound is at most the true
    optimum and at most its own objective, and it is never worse than the greedy plan."""
    data = ref.shaped_instance(seed, shape)
    reference = ref.Reference.from_dict(data)
    optimum, _ = ref.mip_optimum(reference)
    problem = problem_from_dict(data)
    result = solve(problem, SolveParams(time_limit=time_limit, method=method))
    plan = [(a.case, a.facility, a.start_day) for a in result.assignments]
    assert reference.violations(plan) == []
    assert close(result.objective, reference.objective(plan))
    tol = REL_TOL * max(1.0, abs(optimum))
    assert result.bound <= result.objective + tol
    assert result.bound <= optimum + tol
    assert result.objective >= optimum - tol
    greedy = solve(problem, GREEDY).objective
    assert result.objective <= greedy + REL_TOL * max(1.0, greedy)


def solve_or_refuse(problem: Any, params: SolveParams) -> MatchResult | None:
    """The result, or None when the method refuses a model it cannot build in time (issue
    11 allows cpsat that: a clear message naming the method and what to use instead)."""
    try:
        return solve(problem, params)
    except InvalidParamsError as refusal:
        if "time limit" not in str(refusal):
            raise
        return None


# issue 11, found by hypothesis: CP-SAT kept its hint (the per-bed greedy plan) when it
# found nothing better in time, and that plan could be worse than the greedy method's; it
# now starts from the better of the two greedy plans


@pytest.mark.parametrize("time_limit", [0.01, 0.05])
def test_cpsat_cut_short_is_never_worse_than_greedy(ref: ModuleType, time_limit: float):
    # families-3: cut short, CP-SAT returned 88.39 where the greedy method finds 39.92
    problem = problem_from_dict(ref.shaped_instance(3, "families"))
    greedy = solve(problem, GREEDY).objective
    result = solve_or_refuse(problem, SolveParams(time_limit=time_limit, method=Method.CPSAT))
    if result is not None:
        assert result.objective <= greedy + REL_TOL * max(1.0, greedy)


@pytest.fixture(scope="module")
def demo_data() -> Any:
    from capacity.demo import DEMO_AS_OF, DEMO_SEED, build_demo_dataset

    return build_demo_dataset(seed=DEMO_SEED, as_of=DEMO_AS_OF)


@pytest.mark.parametrize("seed", range(6))
def test_rounds_built_from_the_demo_data_are_solved_exactly(ref: ModuleType, demo_data, seed):
    """``build_problem`` on a corner of the national demo (8 facilities, 12 waiting cases,
    two weeks): the stays, costs, streams and budgets of real placement types."""
    import numpy as np

    from capacity import WAITING_LIST, bundled_rulebook
    from capacity.snapshot import build_snapshot
    from matching import build_problem, problem_to_dict

    rng = np.random.default_rng(seed)
    data = demo_data
    picked = sorted(rng.choice(len(data.facilities), 8, replace=False).tolist())
    facilities = [data.facilities[i] for i in picked]
    ids = {f.id for f in facilities}
    snapshot = build_snapshot(
        as_of=data.as_of,
        facilities=facilities,
        funding_streams=data.funding_streams,
        reports=[r for r in data.reports if r.facility_id in ids],
        placements=[p for p in data.placements if p.facility_id in ids],
        horizon_days=14,
    )
    waiting = [c for c in data.cases if c.status in WAITING_LIST]
    cases = [waiting[i] for i in sorted(rng.choice(len(waiting), 12, replace=False).tolist())]
    problem = build_problem(snapshot, cases, bundled_rulebook()).problem
    assert problem.n_options >= 5, "a corner with something to choose"
    reference = ref.Reference.from_dict(problem_to_dict(problem))
    optimum, _ = ref.mip_optimum(reference)
    result = solve(problem, SolveParams(time_limit=TIME_LIMIT))
    assert disagreements(reference, result, optimum) == []


# the wall-clock limit (issue 11) ----------------------------------------------------------

LIMIT_MARGIN_S = 2.0  # seconds: generous, the machine is shared; the goal is T + 0.5 s
# S (300 cases x 150 facilities x 60 days) with the issue's hard mix: 30 % of facilities
# with short stays, budgets that bind (70 % of what the greedy plan spends), families
HARD_S = dataclasses.replace(
    SIZES["S"], short_stay_share=0.3, budget_basis="greedy", budget_tightness=0.7
)


# issue 11: CP-SAT's model construction did not watch the clock (2.7-5.6 s for T = 1 here,
# under load); it now refuses in time a model it cannot build


@pytest.mark.slow
@pytest.mark.parametrize("time_limit", [1.0, 2.0])
@pytest.mark.parametrize("method", [Method.AUTO, Method.MIP, Method.CPSAT])
def test_the_time_limit_holds_on_a_moderately_large_instance(time_limit: float, method: Method):
    problem = random_problem(HARD_S, 7)
    started = time.perf_counter()
    result = solve_or_refuse(problem, SolveParams(time_limit=time_limit, method=method))
    elapsed = time.perf_counter() - started
    assert elapsed <= time_limit + LIMIT_MARGIN_S, f"{method.value}: {elapsed:.2f} s"
    assert result is not None or method is Method.CPSAT, "only cpsat may refuse"
    assert result is None or result.bound <= result.objective + 1e-6


@pytest.mark.slow
@pytest.mark.parametrize(
    ("method", "time_limit"),
    [
        (Method.AUTO, 1.0),
        (Method.MIP, 1.0),
        # at 1 s cpsat refuses this model; at 6 s it builds it and returned 14,887.71
        # against the greedy method's 14,304.01 before it kept the better greedy plan
        (Method.CPSAT, 6.0),
    ],
)
def test_a_solve_cut_short_is_never_worse_than_greedy_on_a_moderately_large_instance(
    method: Method, time_limit: float
):
    problem = random_problem(HARD_S, 7)
    greedy = solve(problem, GREEDY).objective
    result = solve_or_refuse(problem, SolveParams(time_limit=time_limit, method=method))
    assert result is not None or method is Method.CPSAT, "only cpsat may refuse"
    assert result is None or result.objective <= greedy + 1e-6 * max(1.0, greedy)
