"""The capacity planner (issue 15) against brute force on small supplies.

``small_round(seed)``: a random matching problem of 10 cases and 4 facilities over 10 days
(:func:`matching.instances.random_problem`), each facility its own candidate group (its
own region), costs per bed-day of EUR 100 to 300: small enough that every allocation of
a few beds is solved exactly with :func:`matching.solve`.

Measured (``docs/scenarios.md``, *Capacity planning*): the ``exact`` method found the best
allocation on all 24 (seed, k) pairs of seeds 0-11 and k = 2, 3; the ``lp`` method reached
on average 99 % of the best allocation's saving there (the best in 22 of 24; 46 % before
full facilities were valued too). The tests hold the ``exact`` method
to the best within :data:`TOLERANCE` and the ``lp`` method to never worse than no beds.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from capacity import PlacementType
from matching import BuiltProblem, SolveParams, solve
from matching.instances import InstanceSpec, random_problem
from scenarios.errors import InvalidPlanError
from scenarios.planner import DAYS_PER_YEAR, candidates, plan_beds, with_beds

TOLERANCE = 1e-6  # share of the no-beds optimum the exact method may miss the best by


SMALL = InstanceSpec(
    n_cases=10, n_facilities=4, horizon_days=10, n_types=2, mean_beds=1.5, n_streams=2
)
REGIONS = ("groningen", "utrecht", "zwolle", "tilburg")
COSTS = (100.0, 150.0, 200.0, 300.0)  # euros per bed-day, facility by facility


@dataclass(frozen=True)
class FakeSnapshot:
    """What the planner and matching.bed_values read of a snapshot."""

    facilities: tuple[SimpleNamespace, ...]
    as_of: datetime = datetime(2026, 11, 30, 9, tzinfo=UTC)

    def facility(self, fid: str) -> SimpleNamespace:
        return next(f for f in self.facilities if f.id == fid)


def small_round(seed: int) -> BuiltProblem:
    problem = random_problem(SMALL, seed)
    facilities = tuple(
        SimpleNamespace(
            id=fid,
            placement_type=PlacementType.WOMENS_SHELTER,
            region_id=REGIONS[i],
            cost_per_bed_day=COSTS[i],
            funding_stream_id=problem.stream_ids[0] if problem.stream_ids else "none",
        )
        for i, fid in enumerate(problem.facility_ids)
    )
    return BuiltProblem(
        problem=problem,
        snapshot=FakeSnapshot(facilities),  # type: ignore[arg-type]
        cases=(),
        rulebook=SimpleNamespace(version="test"),  # type: ignore[arg-type]
        today=date(2026, 11, 30),
        priorities={},
        eligible=(),
        gaps={},
    )


def exact(built: BuiltProblem, extra: dict[str, int]) -> float:
    """The optimum of the round with these beds added (matching.solve, proven optimal)."""
    result = solve(with_beds(built, extra).problem, SolveParams(time_limit=30.0, threads=1))
    assert result.gap < 1e-4, (result.status, result.gap)
    return result.objective


def allocations(facilities: tuple[str, ...], k: int) -> list[dict[str, int]]:
    """Every way of adding k beds over the facilities."""
    out = []
    for combo in itertools.combinations_with_replacement(facilities, k):
        extra: dict[str, int] = {}
        for fid in combo:
            extra[fid] = extra.get(fid, 0) + 1
        out.append(extra)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_exact_planner_finds_the_best_two_beds(seed: int):
    built = small_round(seed)
    base = exact(built, {})
    best = min(exact(built, a) for a in allocations(built.problem.facility_ids, 2))
    plan = plan_beds(built, beds=2, method="exact")
    assert plan.beds == 2
    assert exact(built, plan.extra_beds) <= best + TOLERANCE * base


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [2, 3])
def test_the_exact_planner_against_brute_force(seed: int, k: int):
    built = small_round(seed)
    base = exact(built, {})
    best = min(exact(built, a) for a in allocations(built.problem.facility_ids, k))
    got = exact(built, plan_beds(built, beds=k, method="exact").extra_beds)
    assert got <= best + TOLERANCE * base


@pytest.mark.parametrize("seed", range(4))
def test_the_lp_planner_never_makes_waiting_worse(seed: int):
    built = small_round(seed)
    plan = plan_beds(built, beds=3, method="lp")
    assert plan.beds <= 3
    assert plan.stopped in ("beds", "no value")
    assert exact(built, plan.extra_beds) <= exact(built, {}) + 1e-6


def test_a_budget_buys_the_most_saving_per_euro_it_can_afford():
    built = small_round(0)
    # two bed-years at the cheapest facility (EUR 100 a day) and no more
    budget = 2 * DAYS_PER_YEAR * 100.0 + 1.0
    plan = plan_beds(built, budget=budget, method="exact")
    assert plan.cost_per_year <= budget
    assert plan.stopped in ("budget", "no value")
    for a in plan.additions:
        assert a.cost_per_year == pytest.approx(
            a.beds * DAYS_PER_YEAR * COSTS[REGIONS.index(a.region_id)]
        )


def test_candidates_limit_where_beds_go():
    built = small_round(0)
    plan = plan_beds(
        built, beds=2, method="exact", allowed=candidates(regions=["zwolle", "tilburg"])
    )
    assert {a.region_id for a in plan.additions} <= {"zwolle", "tilburg"}


def test_beds_added_raise_the_free_beds_and_pay_for_themselves():
    built = small_round(1)
    fid = built.problem.facility_ids[0]
    more = with_beds(built, {fid: 2}).problem
    assert (more.free_beds[0] - built.problem.free_beds[0] == 2).all()
    assert (more.free_beds[1:] == built.problem.free_beds[1:]).all()
    stream = built.problem.stream_ids.index(built.facility(fid).funding_stream_id)
    before, after = built.problem.budget[stream], more.budget[stream]
    if before != float("inf"):
        assert after - before == pytest.approx(2 * COSTS[0] * built.problem.horizon_days)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "beds"),
        ({"beds": 2, "budget": 1000.0}, "beds"),
        ({"beds": 0}, "beds"),
        ({"budget": -5.0}, "budget"),
        ({"budget": float("nan")}, "budget"),
        ({"beds": 2, "batch": 0}, "batch"),
    ],
)
def test_a_plan_refuses_what_it_cannot_do(kwargs: dict, field: str):
    with pytest.raises(InvalidPlanError) as caught:
        plan_beds(small_round(0), **kwargs)
    assert caught.value.field == field


def test_unknown_candidates_are_named():
    with pytest.raises(InvalidPlanError, match="unknown placement type 'hotel'"):
        candidates(types=["hotel"])
    with pytest.raises(InvalidPlanError, match="unknown region 'atlantis'"):
        candidates(regions=["atlantis"])


@pytest.mark.parametrize("seed", range(4))
def test_the_lp_planner_saves_days_wherever_two_beds_can(seed: int):
    # before full facilities were valued (issue 15 defect) the LP planner often saw no
    # bed worth anything and saved nothing where two beds save days
    built = small_round(seed)
    base = exact(built, {})
    best = min(exact(built, a) for a in allocations(built.problem.facility_ids, 2))
    got = exact(built, plan_beds(built, beds=2, method="lp").extra_beds)
    assert best < base - 1e-6  # two beds can help on these seeds
    assert got < base - 1e-6
