"""Prices on binding budgets for the greedy, before any model or bound (issue 11).

The greedy orders place each case at its cheapest fitting option and so spend a binding
budget on the first cases they place, however little an unpaid option would have cost
them; the cases after find the budget spent and wait. On unseen rounds of the robustness
sweep with budgets at 10-70 % of the greedy's spending that left the answers at T = 1-5 s
4-11 times the plan of a 30-s solve (seeds 1831, 1910: 2.05 million and 372,000 weighted
days against 561,000 and 34,500). Pricing each euro of a binding stream in the greedy's
key, and leaving out what does not save more than it costs, keeps the budget for the
cases that have nothing cheaper (:func:`matching.greedy.priced_plan`).

The prices, :func:`estimated_prices`: the Lagrangian over the budgets alone, with beds
unlimited and every option on day 0 (each case then takes its best priced option), solved
per stream by bisection on the price until the spending it asks for meets the budget. A
few milliseconds for 100,000 options. Beds and later start days make the greedy spend
more than that relaxation, so one greedy plan also runs at ``HIGH_PRICE_FACTOR`` times
them (:func:`matching.greedy.priced_orders`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matching.formulation import binding_streams
from matching.groups import Groups
from matching.problem import MatchingProblem

FloatArray = npt.NDArray[np.float64]
# bisection steps on each stream's price, between a 1e-7 share of the highest price at
# which an option of the stream still saves waiting and that price (geometric: 14 steps
# leave a factor of about 1.01)
BISECTION_STEPS = 14
LOWEST_SHARE = 1e-7
# the second greedy plan's prices, as a multiple of the estimate: on the unseen sweep seeds
# 1801-2000 (143 rounds with budgets) 16 did best alone and beside the estimate, of 0.5,
# 1, 2, 4, 16 and an infinite price (every binding stream's options after the rest:
# worse than 16 on the geometric mean, 0.95 against 0.93 of the best plain order)
HIGH_PRICE_FACTOR = 16.0


def estimated_prices(problem: MatchingProblem) -> FloatArray:
    """Per stream, weighted days per euro at which the spending cases ask for meets the budget.

    Each case takes the option whose saving (at day 0) plus its cost at its stream's price
    is the most negative, or none; a stream whose cases ask for more than its budget gets a
    higher price, one that asks for less a lower, all streams at once. 0 for streams that
    cannot bind (:func:`matching.formulation.binding_streams`) and for those whose cases
    ask for no more than the budget at any price tried.
    """
    p = problem
    prices = np.zeros(len(p.stream_ids))
    streams = binding_streams(p).astype(np.int64)
    if streams.size == 0:
        return prices
    n = len(p.stream_ids)
    by_case = Groups(p.opt_case, p.n_cases)
    saving = p.opt_penalty - p.unplaced_cost[p.opt_case]
    cost = p.opt_cost
    stream = np.where(p.opt_stream < 0, n, p.opt_stream).astype(np.int64)
    priced = np.zeros(n + 1, dtype=bool)
    priced[streams] = True
    charged = priced[stream] & (cost > 0)
    budget = np.append(p.budget, np.inf)
    low, high = np.zeros(n + 1), np.zeros(n + 1)
    for s in streams.tolist():
        own = charged & (stream == s) & (saving < 0)
        high[s] = float((-saving[own] / cost[own]).max()) if own.any() else 0.0
        low[s] = LOWEST_SHARE * high[s]
    asked_more = np.zeros(n + 1, dtype=bool)  # at some price, more than the budget
    for _ in range(BISECTION_STEPS):
        middle = np.sqrt(low * high)
        value = saving + np.where(charged, middle[stream] * cost, 0.0)
        chosen = by_case.argmin(value)
        chosen = chosen[value[chosen] < 0]
        spent = np.bincount(stream[chosen], cost[chosen], minlength=n + 1)
        over = priced & (spent > budget)
        asked_more |= over
        low = np.where(over, middle, low)
        high = np.where(priced & ~over, middle, high)
    # a stream whose cases ask for no more than its budget even at its lowest price is not
    # priced (it binds only where beds push cases to dearer options)
    prices[streams] = np.where(asked_more, np.sqrt(low * high), 0.0)[streams]
    return prices
