"""The benchmark family of issue 11: instance shapes of the Dutch system at sizes S, M, L.

One parametric generator (:class:`Shape`, :func:`generate`) covers stays to the horizon
and shorter (crisis beds of 3 days, clinical stays of weeks), families of up to 5 beds,
eligibility from 2 % to 30 % of the facilities, occupancy from 85 % to 100 %, budgets
loose or binding (per stream, one national budget, one per region) and keep-apart
pairs. Two more shapes come from the product itself: the demo dataset through
:func:`matching.build_problem` (its own size only), and rounds of the scenario engine's
simulated year (:mod:`benchmarks.matching.rounds`).

``issue-11`` is the instance the issue reports failing: 300 x 150 at S, a 60-day
horizon, about 30 options per case, 1-3 beds, about 30 % of the options with a stay
shorter than the horizon, near-full facilities and three binding funding streams.

Everything is vectorised numpy and seeded (``numpy.random.default_rng(seed)``); the same
shape, size and seed give the same problem.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from matching import MatchingProblem
from matching.greedy import solve_greedy
from matching.problem import NO_STAY

SIZES = {"S": (300, 150), "M": (3_000, 1_000), "L": (20_000, 3_000)}  # cases, facilities
CRISIS_STAY_DAYS = 3  # days, a crisis bed
CLINICAL_STAY_DAYS = (14, 42)  # days, range of a short clinical stay
N_REGIONS = 25  # centrumgemeente regions


@dataclass(frozen=True, slots=True)
class Shape:
    """Parameters of one shape (sizes come from :data:`SIZES`).

    Parameters
    ----------
    horizon_days
        Days planned.
    options_per_case
        Mean eligible facilities per case (``None``: use ``eligibility``).
    eligibility
        Share of all facilities a case may use.
    family_share, max_family_beds
        Share of cases needing 2 or more beds, and the largest family.
    short_share
        Share of options whose stays end inside the horizon (crisis or clinical).
    occupancy
        Share of beds taken on day 0 (each frees on a day spread over 2.5 horizons).
    budgets
        ``"none"``, ``"stream"`` (a few streams), ``"national"`` (one stream for all) or
        ``"region"`` (one stream per region).
    n_streams
        Streams for ``"stream"`` budgets.
    tightness
        Budget as a share of what the per-bed greedy would spend without budgets (below 1
        binds; 3.0 is loose).
    keep_apart_share
        Keep-apart pairs per case (pairs of cases that share a facility).
    """

    horizon_days: int = 60
    options_per_case: float | None = 30.0
    eligibility: float = 0.0
    family_share: float = 0.15
    max_family_beds: int = 3
    short_share: float = 0.0
    occupancy: float = 0.95
    budgets: str = "none"
    n_streams: int = 3
    tightness: float = 0.7
    keep_apart_share: float = 0.0


SHAPES: dict[str, Shape] = {
    "issue-11": Shape(short_share=0.3, budgets="stream", n_streams=3, tightness=0.7),
    "short-stays": Shape(short_share=0.6),
    "families": Shape(family_share=0.4, max_family_beds=5),
    "eligibility-2": Shape(options_per_case=None, eligibility=0.02),
    "eligibility-30": Shape(options_per_case=None, eligibility=0.30),
    "occupancy-85": Shape(occupancy=0.85),
    "occupancy-100": Shape(occupancy=1.0),
    "budget-loose": Shape(budgets="stream", n_streams=8, tightness=3.0),
    "budget-stream": Shape(budgets="stream", n_streams=8, tightness=0.7),
    "budget-national": Shape(budgets="national", tightness=0.7),
    "budget-region": Shape(budgets="region", tightness=0.7),
    "keep-apart": Shape(keep_apart_share=0.1, family_share=0.3),
}
PRODUCT_SHAPES = ("demo", "scenario-round")  # built from the product's own data
ALL_SHAPES = (*SHAPES, *PRODUCT_SHAPES)


def generate(shape: Shape, size: str | tuple[int, int], seed: int) -> MatchingProblem:
    """A seeded problem of ``shape`` at ``size`` (``S``, ``M``, ``L`` or (cases, facilities))."""
    rng = np.random.default_rng(seed)
    n_c, n_f = SIZES[size] if isinstance(size, str) else size
    h = shape.horizon_days
    free = _supply(shape, rng, n_f)
    oc, of = _options(shape, rng, n_c, n_f)
    stay = _stays(shape, rng, of.size)
    beds = np.ones(n_c, dtype=np.int32)
    family = rng.random(n_c) < shape.family_share
    beds[family] = rng.integers(2, shape.max_family_beds + 1, int(family.sum()))
    weight = rng.choice([1.0, 2.0, 3.0], n_c, p=[0.6, 0.3, 0.1]) * rng.choice(
        [1.0, 1.5], n_c, p=[0.8, 0.2]
    )
    weight = np.round(weight * rng.uniform(1.0, 2.0, n_c), 2)
    loc_c, loc_f = rng.random((n_c, 2)), rng.random((n_f, 2))
    penalty = np.round(3.0 * np.linalg.norm(loc_c[oc] - loc_f[of], axis=1), 2)
    nominal = np.where(stay == NO_STAY, rng.integers(90, 300, of.size), stay)
    cost = np.round(rng.uniform(100, 350, n_f)[of] * nominal * beds[oc], 0)
    region = rng.integers(0, N_REGIONS, n_f)
    stream_of_fac, stream_ids = _streams(shape, rng, n_f, region)
    problem = MatchingProblem(
        horizon_days=h,
        unplaced_penalty_days=float(h),
        facility_ids=tuple(f"F{i}" for i in range(n_f)),
        free_beds=free,
        case_ids=tuple(f"C{i}" for i in range(n_c)),
        case_beds=beds,
        case_weight=weight,
        opt_case=oc,
        opt_facility=of,
        opt_penalty=penalty,
        opt_stay=stay,
        opt_cost=cost,
        opt_stream=stream_of_fac[of].astype(np.int32),
        stream_ids=stream_ids,
        budget=np.full(len(stream_ids), np.inf),
        keep_apart=_keep_apart(shape, rng, oc, of, n_c),
    )
    return _budgets(problem, shape) if stream_ids else problem


def _supply(shape: Shape, rng: np.random.Generator, n_f: int) -> np.ndarray:
    """Free beds per facility and day: near full, beds freeing as current stays end."""
    h = shape.horizon_days
    beds = np.maximum(1, rng.poisson(3.0, n_f) + 1)
    occupied = rng.binomial(beds, shape.occupancy)
    release = rng.integers(1, int(2.5 * h) + 1, int(occupied.sum()))
    owner = np.repeat(np.arange(n_f), occupied)
    inside = release < h
    rises = np.zeros((n_f, h + 1), dtype=np.int32)
    np.add.at(rises, (owner[inside], release[inside]), 1)
    return ((beds - occupied)[:, None] + np.cumsum(rises, axis=1)[:, :h]).astype(np.int32)


def _stays(shape: Shape, rng: np.random.Generator, n_options: int) -> np.ndarray:
    """Per option, its stay in days: to the horizon (``NO_STAY``) or, for a share of them,
    a crisis bed (3 days) or a clinical stay of 2 to 6 weeks (the case's need, so it
    differs between options of one facility)."""
    kind = rng.random(n_options)
    stay = np.full(n_options, NO_STAY, dtype=np.int32)
    stay[kind < shape.short_share / 2] = CRISIS_STAY_DAYS
    clinical = (kind >= shape.short_share / 2) & (kind < shape.short_share)
    stay[clinical] = rng.integers(*CLINICAL_STAY_DAYS, n_options)[clinical]
    return stay


def _options(
    shape: Shape, rng: np.random.Generator, n_c: int, n_f: int
) -> tuple[np.ndarray, np.ndarray]:
    """Eligible (case, facility) pairs, each once, every case with at least one."""
    mean = shape.options_per_case if shape.options_per_case else shape.eligibility * n_f
    mean = min(mean, n_f)
    draws = np.maximum(1, rng.poisson(mean, n_c))
    # draw with replacement and drop repeats: a little under ``mean`` when it is near n_f
    oc = np.repeat(np.arange(n_c, dtype=np.int64), draws)
    of = rng.integers(0, n_f, oc.size)
    key = np.unique(oc * n_f + of)
    return (key // n_f).astype(np.int32), (key % n_f).astype(np.int32)


def _streams(
    shape: Shape, rng: np.random.Generator, n_f: int, region: np.ndarray
) -> tuple[np.ndarray, tuple[str, ...]]:
    if shape.budgets == "none":
        return np.full(n_f, -1, dtype=np.int32), ()
    if shape.budgets == "national":
        return np.zeros(n_f, dtype=np.int32), ("national",)
    if shape.budgets == "region":
        return region.astype(np.int32), tuple(f"region-{r}" for r in range(N_REGIONS))
    return rng.integers(0, shape.n_streams, n_f).astype(np.int32), tuple(
        f"S{s}" for s in range(shape.n_streams)
    )


def _budgets(problem: MatchingProblem, shape: Shape) -> MatchingProblem:
    """Each stream's budget: ``tightness`` x what the per-bed greedy spends without budgets."""
    spent = np.zeros(len(problem.stream_ids) + 1)
    for k, _ in solve_greedy(problem, per_bed=True).plan:
        spent[problem.opt_stream[k]] += problem.opt_cost[k]
    budget = np.round(shape.tightness * spent[:-1], 0)
    return dataclasses.replace(problem, budget=budget)


def _keep_apart(
    shape: Shape, rng: np.random.Generator, oc: np.ndarray, of: np.ndarray, n_c: int
) -> np.ndarray:
    """Pairs of cases with a facility in common (co-victims who must not meet)."""
    n_pairs = int(shape.keep_apart_share * n_c)
    if n_pairs == 0:
        return np.zeros((0, 2), dtype=np.int32)
    order = np.lexsort((oc, of))  # options grouped by facility
    pick = rng.integers(0, order.size - 1, 4 * n_pairs)
    a, b = oc[order[pick]], oc[order[pick + 1]]
    same_facility = of[order[pick]] == of[order[pick + 1]]
    pairs = np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1)[same_facility & (a != b)]
    pairs = np.unique(pairs, axis=0)
    return rng.permutation(pairs)[:n_pairs].astype(np.int32)


def demo_problem() -> MatchingProblem:
    """The demo dataset's round, built by :func:`matching.build_problem` (220 x 75)."""
    from benchmarks.matching.live_round import demo_supply
    from capacity import bundled_rulebook
    from matching import build_problem

    return build_problem(*demo_supply(), bundled_rulebook()).problem


def shape_problem(name: str, size: str, seed: int) -> MatchingProblem:
    """The problem of a named shape (``demo`` ignores size and seed)."""
    if name == "demo":
        return demo_problem()
    if name == "scenario-round":
        from benchmarks.matching.rounds import scenario_round

        return scenario_round(seed)
    return generate(SHAPES[name], size, seed)
