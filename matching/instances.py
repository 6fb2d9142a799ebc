"""Seeded random matching problems, for tests and benchmarks.

The shape follows the national picture (``docs/demo-data.md``): facilities of a few
placement types, nearly full, beds freeing up as current stays end; cases eligible for
about a sixth of the facilities; some families; a weight from complexity x urgency x
ageing; budget streams, several of them binding.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from matching.greedy import solve_greedy
from matching.problem import NO_STAY, NO_STREAM, MatchingProblem

SHORT_STAY_DAYS = 7  # days, crisis beds


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    """Parameters of a random instance.

    Parameters
    ----------
    n_cases, n_facilities, horizon_days
        Size.
    n_types
        Placement types; a case is eligible for one or two of them.
    eligibility
        Share of the facilities of its types a case may use (safety, gender, needs).
    family_share, max_family_beds
        Share of cases that are families, and the largest family.
    mean_beds
        Mean beds per facility.
    occupancy
        Share of beds taken at day 0.
    short_stay_share
        Share of facilities with short (crisis) stays that end inside the horizon.
    n_streams
        Funding streams; about half of them get a budget.
    budget_tightness
        A budget as a share of its basis.
    budget_basis
        ``"eligible"``: what every case with an option in the stream would spend at its
        mean option there. Each case counts in every stream it has an option in, so these
        budgets are far above what a plan can spend (15-41 % used by the S optima): they
        never bind. ``"greedy"``: what the per-bed greedy plan, run without budgets, spends
        in the stream; below 1 these budgets bind.
    """

    n_cases: int = 300
    n_facilities: int = 150
    horizon_days: int = 60
    n_types: int = 6
    eligibility: float = 0.6
    family_share: float = 0.1
    max_family_beds: int = 4
    mean_beds: float = 4.0
    occupancy: float = 0.95
    short_stay_share: float = 0.05
    n_streams: int = 8
    budget_tightness: float = 0.35
    budget_basis: str = "eligible"


SIZES: dict[str, InstanceSpec] = {
    "tiny": InstanceSpec(
        n_cases=6, n_facilities=3, horizon_days=6, n_types=2, mean_beds=1.5, n_streams=2
    ),
    "small": InstanceSpec(n_cases=30, n_facilities=12, horizon_days=20, n_types=3, n_streams=3),
    "S": InstanceSpec(),
    "M": InstanceSpec(n_cases=3_000, n_facilities=1_000, n_types=10, n_streams=20),
    "L": InstanceSpec(n_cases=20_000, n_facilities=3_000, n_types=12, n_streams=40),
    # S with budgets that bind: 70 % of what the per-bed greedy would spend without them
    "S-budget": InstanceSpec(budget_basis="greedy", budget_tightness=0.7),
}


def random_problem(spec: InstanceSpec, seed: int) -> MatchingProblem:
    """A random problem; the same ``spec`` and ``seed`` give the same problem."""
    rng = np.random.default_rng(seed)
    h = spec.horizon_days
    n_f, n_c = spec.n_facilities, spec.n_cases
    fac_type = rng.integers(0, spec.n_types, n_f)
    beds = np.maximum(1, rng.poisson(spec.mean_beds - 1, n_f) + 1)
    occupied = rng.binomial(beds, spec.occupancy)
    # each occupied bed frees on a day drawn over 2.5 horizons: about 40 % inside this one
    release = rng.integers(1, int(2.5 * h) + 1, occupied.sum())
    owner = np.repeat(np.arange(n_f), occupied)
    free = np.tile((beds - occupied)[:, None], (1, h)).astype(np.int32)
    inside = release < h
    for f, r in zip(owner[inside].tolist(), release[inside].tolist(), strict=True):
        free[f, r:] += 1
    short = rng.random(n_f) < spec.short_stay_share
    stream_of_fac = rng.integers(0, spec.n_streams, n_f)
    cost_per_day = rng.uniform(100, 350, n_f)

    case_types = [
        rng.choice(spec.n_types, size=rng.integers(1, 3), replace=False) for _ in range(n_c)
    ]
    family = rng.random(n_c) < spec.family_share
    case_beds = np.where(family, rng.integers(2, spec.max_family_beds + 1, n_c), 1).astype(np.int32)
    weight = rng.choice([1.0, 2.0, 3.0], n_c, p=[0.6, 0.3, 0.1]) * rng.choice(
        [1.0, 1.5], n_c, p=[0.8, 0.2]
    )
    weight = np.round(weight * rng.uniform(1.0, 2.0, n_c), 2)
    loc_case, loc_fac = rng.random((n_c, 2)), rng.random((n_f, 2))

    by_type = [np.flatnonzero(fac_type == t) for t in range(spec.n_types)]
    opt_case, opt_fac = [], []
    for c in range(n_c):
        pool = np.concatenate([by_type[t] for t in case_types[c]])
        keep = pool[rng.random(pool.size) < spec.eligibility]
        opt_case.append(np.full(keep.size, c, dtype=np.int32))
        opt_fac.append(keep.astype(np.int32))
    oc, of = np.concatenate(opt_case), np.concatenate(opt_fac)
    dist = np.linalg.norm(loc_case[oc] - loc_fac[of], axis=1)
    penalty = np.round(3.0 * dist, 2)
    stay = np.where(short[of], SHORT_STAY_DAYS, NO_STAY).astype(np.int32)
    nominal_stay = np.where(short[of], SHORT_STAY_DAYS, rng.integers(90, 300, of.size))
    cost = np.round(cost_per_day[of] * nominal_stay * case_beds[oc], 0)
    stream = stream_of_fac[of].astype(np.int32)
    budget = _budgets(spec, rng, oc, stream, cost)
    problem = MatchingProblem(
        horizon_days=h,
        unplaced_penalty_days=float(h),
        facility_ids=tuple(f"F{i}" for i in range(n_f)),
        free_beds=free,
        case_ids=tuple(f"C{i}" for i in range(n_c)),
        case_beds=case_beds,
        case_weight=weight,
        opt_case=oc,
        opt_facility=of,
        opt_penalty=penalty,
        opt_stay=stay,
        opt_cost=cost,
        opt_stream=np.where(stream >= 0, stream, NO_STREAM).astype(np.int32),
        stream_ids=tuple(f"S{i}" for i in range(spec.n_streams)),
        budget=budget,
    )
    return _greedy_budgets(problem, spec) if spec.budget_basis == "greedy" else problem


def _greedy_budgets(problem: MatchingProblem, spec: InstanceSpec) -> MatchingProblem:
    """The same problem with each finite budget set from the per-bed greedy's spending.

    Each becomes a share (``spec.budget_tightness``) of what the per-bed greedy spends in
    its stream when no budget applies.
    """
    free = dataclasses.replace(problem, budget=np.full(len(problem.stream_ids), np.inf))
    spent = np.zeros(len(problem.stream_ids) + 1)  # the extra entry takes NO_STREAM
    for k, _ in solve_greedy(free, per_bed=True).plan:
        spent[problem.opt_stream[k]] += problem.opt_cost[k]
    budget = np.where(
        np.isfinite(problem.budget), np.round(spec.budget_tightness * spent[:-1], 0), np.inf
    )
    return dataclasses.replace(problem, budget=budget)


def _budgets(
    spec: InstanceSpec,
    rng: np.random.Generator,
    oc: np.ndarray,
    stream: np.ndarray,
    cost: np.ndarray,
) -> np.ndarray:
    budget = np.full(spec.n_streams, np.inf)
    for s in range(spec.n_streams):
        if rng.random() < 0.5:
            continue
        members = stream == s
        if not members.any():
            continue
        # what the stream would pay if every case with an option there used its mean option
        per_case = np.bincount(oc[members], weights=cost[members]) / np.maximum(
            np.bincount(oc[members]), 1
        )
        budget[s] = float(np.round(spec.budget_tightness * per_case.sum(), 0))
    return budget
