"""The one assembler of a round: rounding and budgets (issue 12)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from matching import OptionColumns, assemble_problem
from matching.columns import COST_DECIMALS, WEIGHT_DECIMALS

weights = st.lists(st.floats(0.5, 50, allow_nan=False), min_size=1, max_size=4)
amounts = st.floats(0, 1e6, allow_nan=False)


@given(weights, st.lists(amounts, min_size=1, max_size=4), st.floats(-1e5, 1e6) | st.just(math.inf))
def test_weights_penalties_and_costs_are_rounded_and_budgets_never_negative(w, costs, budget):
    n = len(costs)  # one facility per option: an option is a (case, facility) pair
    problem = assemble_problem(
        horizon_days=10,
        unplaced_penalty_days=10,
        facility_ids=tuple(f"f{k}" for k in range(n)),
        free_beds=np.full((n, 10), 5, dtype=np.int32),
        case_ids=tuple(f"C{i}" for i in range(len(w))),
        case_beds=np.ones(len(w), dtype=np.int32),
        case_weight=w,
        options=OptionColumns(
            case=np.arange(n, dtype=np.int32) % len(w),
            facility=np.arange(n, dtype=np.int32),
            penalty=np.array(costs) / 7.0,
            stay=np.full(n, 3, dtype=np.int32),
            cost=np.array(costs) / 3.0,
            stream=np.zeros(n, dtype=np.int32),
        ),
        stream_ids=("s",),
        budget=[budget],
    )
    assert problem.case_weight.tolist() == [round(x, WEIGHT_DECIMALS) for x in w]
    assert np.array_equal(problem.opt_penalty, np.round(np.array(costs) / 7.0, WEIGHT_DECIMALS))
    assert np.array_equal(problem.opt_cost, np.round(np.array(costs) / 3.0, COST_DECIMALS))
    assert problem.budget[0] == max(budget, 0.0)
