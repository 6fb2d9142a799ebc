"""The seeded instance generator."""

from __future__ import annotations

import numpy as np

from matching.evaluation import plan_violations
from matching.greedy import solve_greedy
from matching.instances import SIZES, InstanceSpec, random_problem


def test_same_seed_same_problem() -> None:
    a, b = random_problem(SIZES["small"], 7), random_problem(SIZES["small"], 7)
    assert a.to_dict() == b.to_dict()


def test_greedy_budgets_change_only_the_budgets_and_bind() -> None:
    spec = InstanceSpec(n_cases=60, n_facilities=30, n_streams=4, budget_basis="greedy")
    plain = random_problem(InstanceSpec(n_cases=60, n_facilities=30, n_streams=4), 3)
    tight = random_problem(spec, 3)
    assert np.array_equal(plain.opt_cost, tight.opt_cost)
    assert np.array_equal(np.isfinite(plain.budget), np.isfinite(tight.budget))
    plan = solve_greedy(tight, per_bed=True).plan  # the budgets now stop the greedy
    assert not plan_violations(tight, plan)
    spent = np.zeros(len(tight.stream_ids) + 1)
    for k, _ in plan:
        spent[tight.opt_stream[k]] += tight.opt_cost[k]
    limited = np.flatnonzero(np.isfinite(tight.budget))
    assert (spent[limited] > 0.8 * tight.budget[limited]).any()
