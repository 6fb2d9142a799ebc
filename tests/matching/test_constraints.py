"""Each rule of the problem (issue #3), once where it holds and once where it binds.

Small instances whose optimum can be checked by hand; each test writes the expected plan
and objective out. Every test runs with the default method, the MIP and CP-SAT.
Unless a test says otherwise, options are paid by the stream ``wmo``, which has no budget.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from matching import MatchResult, Method, SolveParams, Status, problem_from_dict, solve


@pytest.fixture(params=[Method.AUTO, Method.MIP, Method.CPSAT], ids=lambda m: m.value)
def method(request: pytest.FixtureRequest) -> Method:
    return request.param


def problem(
    free: dict[str, list[int]],
    cases: dict[str, tuple[int, float]],
    options: list[dict[str, Any]],
    **top: Any,
) -> dict[str, Any]:
    """A problem dictionary: ``free`` beds per facility, ``cases`` as (beds, weight),
    options with defaults (no penalty, no cost, stream ``wmo``, stay to the end)."""
    horizon = len(next(iter(free.values())))
    return {
        "format": "opvang-problem/1",
        "horizon_days": horizon,
        "facilities": [{"id": f, "free_beds": beds} for f, beds in free.items()],
        "cases": [{"id": c, "beds": b, "weight": w} for c, (b, w) in cases.items()],
        "options": [{"penalty": 0.0, "cost": 0.0, "stream": "wmo", **o} for o in options],
        **top,
    }


def opt(case: str, facility: str, **fields: Any) -> dict[str, Any]:
    return {"case": case, "facility": facility, **fields}


def solved(data: dict[str, Any], method: Method) -> tuple[dict[str, tuple[str, int]], float]:
    """The plan as {case: (facility, start day)} and its objective; the solve must be optimal."""
    result: MatchResult = solve(problem_from_dict(data), SolveParams(method=method))
    assert result.status is Status.OPTIMAL
    plan = {a.case: (a.facility, a.start_day) for a in result.assignments}
    assert set(result.unplaced) == {c["id"] for c in data["cases"]} - set(plan)
    return plan, result.objective


# capacity on a day ---------------------------------------------------------------------


def test_capacity_holds_when_beds_suffice_everyone_starts_on_day_0(method):
    data = problem(
        {"F": [2, 2, 2]}, {"C1": (1, 1.0), "C2": (1, 2.0)}, [opt("C1", "F"), opt("C2", "F")]
    )
    assert solved(data, method) == ({"C1": ("F", 0), "C2": ("F", 0)}, 0.0)


def test_capacity_binds_the_lighter_case_waits_for_the_bed_that_frees_on_day_2(method):
    data = problem(
        {"F": [1, 1, 2]}, {"C1": (1, 1.0), "C2": (1, 2.0)}, [opt("C1", "F"), opt("C2", "F")]
    )
    assert solved(data, method) == ({"C1": ("F", 2), "C2": ("F", 0)}, 2.0)


def test_capacity_a_full_day_blocks_every_stay_running_through_it(method):
    # day 1 has no bed: the open-ended stay can only start on day 2, the one-day stay on day 0
    data = problem(
        {"F": [1, 0, 1, 1]},
        {"C1": (1, 1.0), "C2": (1, 1.0)},
        [opt("C1", "F"), opt("C2", "F", stay_days=1)],
    )
    assert solved(data, method) == ({"C1": ("F", 2), "C2": ("F", 0)}, 2.0)


def test_capacity_binds_on_a_later_day_when_free_beds_fall(method):
    # 2 beds on day 0 but 1 on day 1 (a bed already promised): two open-ended stays cannot
    # both run through day 1, so the lighter case stays unplaced: 1 x (2 + 2)
    data = problem(
        {"F": [2, 1]}, {"C1": (1, 2.0), "C2": (1, 1.0)}, [opt("C1", "F"), opt("C2", "F")]
    )
    assert solved(data, method) == ({"C1": ("F", 0)}, 4.0)


def test_capacity_falling_beds_hold_for_stays_that_end_before_the_fall(method):
    data = problem(
        {"F": [2, 1]},
        {"C1": (1, 2.0), "C2": (1, 1.0)},
        [opt("C1", "F", stay_days=1), opt("C2", "F", stay_days=1)],
    )
    assert solved(data, method) == ({"C1": ("F", 0), "C2": ("F", 0)}, 0.0)


# families: one case, all its beds in one facility at once --------------------------------


def test_family_holds_when_one_facility_has_all_its_beds(method):
    data = problem(
        {"F": [3, 3]}, {"fam": (2, 1.0), "C1": (1, 1.0)}, [opt("fam", "F"), opt("C1", "F")]
    )
    assert solved(data, method) == ({"fam": ("F", 0), "C1": ("F", 0)}, 0.0)


def test_family_is_never_split_over_facilities(method):
    # 4 beds free in all, but no facility has the 3 the family needs: 2 x (2 + 2)
    data = problem(
        {"F1": [2, 2], "F2": [2, 2]}, {"fam": (3, 2.0)}, [opt("fam", "F1"), opt("fam", "F2")]
    )
    assert solved(data, method) == ({}, 8.0)


def test_family_waits_until_all_its_beds_are_free_on_the_same_day(method):
    data = problem({"F": [2, 2, 3]}, {"fam": (3, 1.5)}, [opt("fam", "F")])
    assert solved(data, method) == ({"fam": ("F", 2)}, 3.0)


def test_family_takes_all_its_beds_so_both_singles_wait(method):
    # placing the family (weight 3) leaves the singles unplaced: 2 x 1 x (3 + 3) = 12;
    # placing both singles instead leaves the family unplaced: 3 x 6 = 18
    data = problem(
        {"F": [2, 2, 2]},
        {"fam": (2, 3.0), "S1": (1, 1.0), "S2": (1, 1.0)},
        [opt("fam", "F"), opt("S1", "F"), opt("S2", "F")],
    )
    assert solved(data, method) == ({"fam": ("F", 0)}, 12.0)


# stay length ----------------------------------------------------------------------------


def test_stay_longer_than_the_horizon_is_like_no_stay_the_bed_never_frees(method):
    for stay in ({"stay_days": 5}, {}):
        data = problem(
            {"F": [1, 1, 1]},
            {"C1": (1, 2.0), "C2": (1, 1.0)},
            [opt("C1", "F", **stay), opt("C2", "F", **stay)],
        )
        assert solved(data, method) == ({"C1": ("F", 0)}, 6.0), stay


def test_short_stay_frees_the_bed_on_the_day_it_ends_for_a_second_case(method):
    # a 2-day stay from day 0 holds the bed on days 0 and 1; the next case starts on day 2
    data = problem(
        {"F": [1, 1, 1, 1]},
        {"C1": (1, 2.0), "C2": (1, 1.0)},
        [opt("C1", "F", stay_days=2), opt("C2", "F", stay_days=2)],
    )
    assert solved(data, method) == ({"C1": ("F", 0), "C2": ("F", 2)}, 2.0)


# budget per stream ----------------------------------------------------------------------


def budget_choice(amount: float) -> dict[str, Any]:
    return problem(
        {"F1": [1], "F2": [1]},
        {"C1": (1, 1.0)},
        [
            opt("C1", "F1", cost=100.0, stream="S"),
            opt("C1", "F2", penalty=1.0, cost=50.0, stream="S"),
        ],
        budgets=[{"stream": "S", "amount": amount}],
    )


def test_budget_holds_when_it_covers_the_best_option(method):
    assert solved(budget_choice(1000.0), method) == ({"C1": ("F1", 0)}, 0.0)


def test_budget_equal_to_the_cost_is_enough(method):
    assert solved(budget_choice(100.0), method) == ({"C1": ("F1", 0)}, 0.0)


def test_budget_binds_the_case_takes_the_cheaper_option(method):
    assert solved(budget_choice(60.0), method) == ({"C1": ("F2", 0)}, 1.0)


def test_budget_binds_the_case_stays_unplaced_when_no_option_fits(method):
    assert solved(budget_choice(40.0), method) == ({}, 2.0)


def test_budget_binds_across_cases_the_heavier_case_is_paid(method):
    data = problem(
        {"F1": [1, 1], "F2": [1, 1]},
        {"C1": (1, 1.0), "C2": (1, 3.0)},
        [opt("C1", "F1", cost=60.0, stream="S"), opt("C2", "F2", cost=60.0, stream="S")],
        budgets=[{"stream": "S", "amount": 100.0}],
    )
    assert solved(data, method) == ({"C2": ("F2", 0)}, 4.0)


def test_stream_without_budget_is_unconstrained_while_another_stream_binds(method):
    data = problem(
        {"F": [2, 2]},
        {"C1": (1, 1.0), "C2": (1, 1.0)},
        [opt("C1", "F", cost=1e6, stream="T"), opt("C2", "F", cost=1.0, stream="S")],
        budgets=[{"stream": "S", "amount": 0.0}],
    )
    assert solved(data, method) == ({"C1": ("F", 0)}, 4.0)


def test_options_paid_by_no_stream_are_unconstrained(method):
    data = problem({"F": [1, 1]}, {"fam": (2, 1.0), "C1": (1, 1.0)}, [opt("C1", "F", cost=9e9)])
    for o in data["options"]:
        del o["stream"]
    assert solved(data, method) == ({"C1": ("F", 0)}, 4.0)


def sub_cent_budget(cost: float, amount: float) -> dict[str, Any]:
    """C1 costs 60; C2 and C3 cost ``cost`` each and the budget pays exactly for both."""
    return problem(
        {"F": [3, 3, 3]},
        {"C1": (1, 10.0), "C2": (1, 10.0), "C3": (1, 10.0)},
        [
            opt("C1", "F", cost=60.0, stream="S"),
            opt("C2", "F", cost=cost, stream="S"),
            opt("C3", "F", cost=cost, stream="S"),
        ],
        budgets=[{"stream": "S", "amount": amount}],
    )


def test_budget_in_tenths_of_a_cent_is_solved_exactly(method):
    # rounding 33.333 up to cents and 66.666 down would leave room for one cheap case only
    data = sub_cent_budget(33.333, 66.666)
    assert solved(data, method) == ({"C2": ("F", 0), "C3": ("F", 0)}, 60.0)


@pytest.mark.parametrize(
    ("cost", "amount"),
    [(33.333, 66.666), (100 / 3, 200 / 3)],
    ids=["tenths-of-a-cent", "thirds-of-a-euro"],
)
def test_budget_below_a_cent_is_never_claimed_optimal_with_a_false_bound(ref, method, cost, amount):
    data = sub_cent_budget(cost, amount)
    reference = ref.Reference.from_dict(data)
    optimum, _ = ref.exhaustive_optimum(reference)
    assert optimum == 60.0
    result = solve(problem_from_dict(data), SolveParams(method=method))
    plan = [(a.case, a.facility, a.start_day) for a in result.assignments]
    assert reference.violations(plan) == []
    assert result.bound <= optimum + 1e-9
    if result.status is Status.OPTIMAL:
        assert result.objective == pytest.approx(optimum)


def test_cpsat_with_costs_whole_at_no_scale_is_a_heuristic_without_a_bound():
    from matching.cpsat import solve_cpsat

    data = sub_cent_budget(100 / 3, 200 / 3)
    out = solve_cpsat(problem_from_dict(data), deadline=time.perf_counter() + 30.0)
    assert not out.optimal
    assert out.bound == -math.inf
    assert any("heuristic" in note for note in out.notes)


# keep-apart pairs -----------------------------------------------------------------------


def keep_apart_choice(**top: Any) -> dict[str, Any]:
    return problem(
        {"F1": [2, 2], "F2": [2, 2]},
        {"C1": (1, 1.0), "C2": (1, 1.0)},
        [
            opt("C1", "F1"),
            opt("C2", "F1"),
            opt("C1", "F2", penalty=2.0),
            opt("C2", "F2", penalty=1.0),
        ],
        **top,
    )


def test_keep_apart_holds_when_the_pair_is_apart_anyway(method):
    data = problem(
        {"F1": [1], "F2": [1]},
        {"C1": (1, 1.0), "C2": (1, 1.0)},
        [opt("C1", "F1"), opt("C2", "F2")],
        keep_apart=[["C1", "C2"]],
    )
    assert solved(data, method) == ({"C1": ("F1", 0), "C2": ("F2", 0)}, 0.0)


def test_keep_apart_binds_one_of_the_pair_goes_elsewhere(method):
    assert solved(keep_apart_choice(), method) == ({"C1": ("F1", 0), "C2": ("F1", 0)}, 0.0)
    expected = ({"C1": ("F1", 0), "C2": ("F2", 0)}, 1.0)
    assert solved(keep_apart_choice(keep_apart=[["C1", "C2"]]), method) == expected
    assert solved(keep_apart_choice(keep_apart=[["C2", "C1"]]), method) == expected


def test_keep_apart_binds_even_when_the_stays_would_not_overlap(method):
    # issue #3: a pair is "never placed in the same facility", not only never at once
    free, cases = {"F": [1, 1, 1]}, {"C1": (1, 2.0), "C2": (1, 1.0)}
    options = [opt("C1", "F", stay_days=1), opt("C2", "F", stay_days=1)]
    assert solved(problem(free, cases, options), method) == ({"C1": ("F", 0), "C2": ("F", 1)}, 1.0)
    apart = problem(free, cases, options, keep_apart=[["C1", "C2"]])
    assert solved(apart, method) == ({"C1": ("F", 0)}, 6.0)


# unplaced_penalty_days and the penalty term ----------------------------------------------


def test_unplaced_penalty_days_defaults_to_the_horizon(method):
    data = problem({"F": [0, 0, 0, 0]}, {"C1": (1, 1.5)}, [opt("C1", "F")])
    assert problem_from_dict(data).unplaced_penalty_days == 4
    assert solved(data, method) == ({}, 1.5 * (4 + 4))


def test_unplaced_penalty_days_given_is_used(method):
    data = problem({"F": [0, 0, 0, 0]}, {"C1": (1, 1.5)}, [], unplaced_penalty_days=1.5)
    assert solved(data, method) == ({}, 1.5 * (4 + 1.5))


@pytest.mark.parametrize(
    ("penalty", "unplaced_days", "expected"),
    [
        (9.0, None, ({"C1": ("F", 0)}, 9.0)),  # 9 < 1 x (5 + 5): placed
        (11.0, None, ({}, 10.0)),  # 11 > 10: unplaced is cheaper
        (11.0, 7.0, ({"C1": ("F", 0)}, 11.0)),  # 11 < 1 x (5 + 7): placed again
    ],
)
def test_penalty_against_leaving_the_case_unplaced(method, penalty, unplaced_days, expected):
    top = {} if unplaced_days is None else {"unplaced_penalty_days": unplaced_days}
    data = problem({"F": [1] * 5}, {"C1": (1, 1.0)}, [opt("C1", "F", penalty=penalty)], **top)
    assert solved(data, method) == expected


def test_a_late_start_on_the_last_day_beats_unplaced(method):
    data = problem({"F": [0, 0, 0, 0, 1]}, {"C1": (1, 2.0)}, [opt("C1", "F")])
    assert solved(data, method) == ({"C1": ("F", 4)}, 8.0)


def penalty_choice(weight: float) -> dict[str, Any]:
    return problem(
        {"near": [0, 0, 1], "far": [1, 1, 1]},
        {"C1": (1, weight)},
        [opt("C1", "near"), opt("C1", "far", penalty=3.0)],
    )


def test_penalty_holds_a_light_case_waits_two_days_for_the_near_facility(method):
    assert solved(penalty_choice(1.0), method) == ({"C1": ("near", 2)}, 2.0)


def test_penalty_binds_a_heavy_case_goes_far_at_once(method):
    # weight 2: waiting costs 2 x 2 = 4 > penalty 3
    assert solved(penalty_choice(2.0), method) == ({"C1": ("far", 0)}, 3.0)


def test_the_heavier_case_gets_the_only_bed(method):
    data = problem(
        {"F": [1, 1]}, {"C1": (1, 1.0), "C2": (1, 3.0)}, [opt("C1", "F"), opt("C2", "F")]
    )
    assert solved(data, method) == ({"C2": ("F", 0)}, 4.0)
