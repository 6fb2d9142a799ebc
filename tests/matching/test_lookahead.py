"""The look-ahead LP of an anticipatory round (issue 13): what each mode may and may not do."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.lookahead import (
    FORBID,
    FORCE,
    FREE,
    LookaheadCase,
    LookaheadError,
    solve_lookahead,
    start_days,
)

HORIZON = 20


def case(release: int, weight: float, facilities, stays, label="x") -> LookaheadCase:
    return LookaheadCase(
        release, weight, 1, np.array(facilities, dtype=np.int64), np.array(stays), label
    )


def test_one_scarce_bed_standard_now_complex_tomorrow():
    # the hand instance: keeping the bed saves 2 x 9 - 1 x 11 = 7 weighted days
    free = np.ones((1, HORIZON), dtype=np.int64)
    cases = [case(0, 1.0, [0], [10], "standard"), case(1, 2.0, [0], [10], "complex")]
    forced = solve_lookahead(free, cases, 1, [(FORCE, 0)])
    kept = solve_lookahead(free, cases, 1, [(FORBID, -1)])
    free_ = solve_lookahead(free, cases, 1, [(FREE, -1)])
    assert forced.objective == pytest.approx(18.0)
    assert kept.objective == pytest.approx(11.0)
    assert free_.today.tolist() == [0.0]  # the sample's own choice: wait
    assert kept.users == {0: {"complex": 1.0}}


def test_start_days_are_daily_then_weekly():
    assert start_days(3, 40).tolist() == [*range(3, 17), 17, 24, 31, 38]


instances = st.lists(
    st.tuples(
        st.integers(0, 5),  # release (the first one is made a candidate at 0)
        st.sampled_from([1.0, 2.0, 3.0]),
        st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True),
        st.integers(1, 25),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(instances, st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_free_start_is_never_worse_than_forcing_or_forbidding(raw, beds):
    free = np.tile(np.array(beds, dtype=np.int64)[:, None], (1, HORIZON))
    cases = [
        case(0 if i == 0 else r, w, facs, [stay] * len(facs))
        for i, (r, w, facs, stay) in enumerate(raw)
    ]
    target = int(cases[0].facilities[0])
    free[target] = np.maximum(free[target], 1)  # its myopic placement fits, as in a round
    loose = solve_lookahead(free, cases, 1, [(FREE, -1)])
    forced = solve_lookahead(free, cases, 1, [(FORCE, target)])
    kept = solve_lookahead(free, cases, 1, [(FORBID, -1)])
    assert loose.objective <= forced.objective + 1e-6
    assert loose.objective <= kept.objective + 1e-6
    assert forced.today[0] == pytest.approx(1.0)
    assert kept.today[0] == pytest.approx(0.0)
    assert 0.0 <= loose.today[0] <= 1.0 + 1e-9


def test_an_infeasible_look_ahead_is_an_error_not_a_plan():
    free = np.zeros((1, HORIZON), dtype=np.int64)
    free[0, 0] = 1  # free today only: a 10-day stay cannot start
    with pytest.raises(LookaheadError, match="look-ahead"):
        solve_lookahead(free, [case(0, 1.0, [0], [10])], 1, [(FORCE, 0)])


def test_a_scarce_bed_has_the_price_of_the_waiting_it_saves():
    # one bed; two complex cases (weight 2) released on day 1 for 10 days: the second
    # starts on day 11; a bed more in those days is worth waiting of the second (the dual
    # is a marginal value: it may sit on one binding day)
    free = np.ones((1, HORIZON), dtype=np.int64)
    two = [case(1, 2.0, [0], [10]), case(1, 2.0, [0], [10])]
    out = solve_lookahead(free, two, 0, [])
    assert out.prices.shape == (1, HORIZON)
    assert out.prices[0, 0] == pytest.approx(0.0)  # nobody can start on day 0
    assert out.prices[0, 1:11].sum() > 0.0
    assert (out.prices >= 0.0).all()


def test_free_beds_nobody_expected_needs_cost_nothing():
    from matching import bed_potentials

    free = np.full((2, HORIZON), 3, dtype=np.int64)
    pot = bed_potentials(free, [], [], [[case(2, 1.0, [0], [5])], []])
    assert pot.prices.sum() == pytest.approx(0.0)
    assert pot.stay_potential(0, 1, 10) == pytest.approx(0.0)


def test_potentials_keep_at_most_one_bed_a_facility_for_the_same_expected_arrivals():
    from matching import Potentials, potential_holds

    prices = np.zeros((1, HORIZON))
    prices[0, :3] = 5.0  # the expected arrivals want the bed on days 0-2 only
    free = np.full((1, HORIZON), 2, dtype=np.int64)
    light, heavy = case(0, 1.0, [0], [4]), case(0, 3.0, [0], [4])
    kept = potential_holds(Potentials(prices, ()), [light, heavy], [0, 0], free, [True] * 2, 7)
    # waiting 3 days costs 1 x 3 = 3 and saves 15 for the light case (12), 9 - 15 for
    # the heavy one (6): one bed kept, from the light case
    assert [(k.candidate, k.facility, k.expected_saving) for k in kept] == [(0, 0, 12.0)]
    held = potential_holds(Potentials(prices, ()), [light], [0], free, [False], 7)
    assert held == []  # a case held too often is not held again


def test_a_look_ahead_after_a_two_thread_solve_is_solved():
    # a live round's myopic solve may size HiGHS's one thread pool per process to two
    # threads; a one-thread LP after it failed with status "Not Set" (national demo round)
    from matching.mip import new_highs

    h = new_highs(seed=0, threads=2, time_limit=5, relative_gap=0.0)
    h.addVars(1, np.zeros(1), np.ones(1))
    h.changeColsCost(1, np.array([0], dtype=np.int32), np.array([-1.0]))
    h.run()
    free = np.ones((1, HORIZON), dtype=np.int64)
    out = solve_lookahead(free, [case(0, 1.0, [0], [5])], 1, [(FREE, -1)])
    assert out.today[0] == pytest.approx(1.0)
