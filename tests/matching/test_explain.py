"""Explanations: what each proposal meets, its alternatives, and what keeps a case waiting."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from benchmarks.matching.live_round import demo_supply
from capacity import (
    Case,
    ExploitationType,
    Facility,
    FundingStream,
    Gender,
    GenderPolicy,
    Need,
    Placement,
    PlacementType,
    ResidenceStatus,
    build_snapshot,
    bundled_rulebook,
)
from matching import SolveParams, Status, build_problem, explain, solve
from matching.explain import Alternative
from matching.result import Assignment

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
ADULTS = frozenset({"adult_nl_eu", "adult_b8", "adult_no_b8", "adult_asylum"})


def facility(fid: str, beds: int, **kw) -> Facility:
    return replace(
        Facility(
            id=fid,
            name=f"House {fid}",
            provider_id="p",
            region_id="groningen",
            placement_type=PlacementType.WOMENS_SHELTER,
            beds=beds,
            funding_stream_id="wmo",
            cost_per_bed_day=100.0,
            specialisms=frozenset({Need.TRAUMA_CARE}),
            gender_policy=GenderPolicy.FEMALE_ONLY,
        ),
        **kw,
    )


def case(cid: str, waited: int, **kw) -> Case:
    return replace(
        Case(
            id=cid,
            intake_date=TODAY - timedelta(days=waited),
            age=30,
            gender=Gender.FEMALE,
            residence_status=ResidenceStatus.NL,
            exploitation_type=ExploitationType.SEXUAL,
            region_signalled="groningen",
            region_of_exploitation="groningen",
            responsible_organisation="CoMensha",
        ),
        **kw,
    )


def occupant(fid: str, until_day: int, n: int = 1) -> Placement:
    return Placement(
        id=f"P-{fid}-{n}",
        case_id=f"X-{fid}-{n}",
        facility_id=fid,
        beds=1,
        start=TODAY - timedelta(days=100),
        expected_end=TODAY + timedelta(days=until_day),
    )


def round_with(facs, cases, placements, budget=None, **build):
    stream = FundingStream(
        id="wmo",
        name="Wmo",
        payer="x",
        placement_types=frozenset(PlacementType),
        case_categories=ADULTS,
        budget_per_period=budget,
    )
    snap = build_snapshot(
        as_of=NOW,
        facilities=facs,
        funding_streams=[stream],
        reports=[],
        placements=placements,
        horizon_days=20,
    )
    built = build_problem(snap, cases, bundled_rulebook(), **build)
    result = solve(built.problem, SolveParams(time_limit=10))
    assert result.status is Status.OPTIMAL
    return built, result, explain(built, result)


def test_a_late_case_is_told_until_when_beds_are_full_and_where_a_bed_would_help():
    # house a: 2 beds, one free now, the other frees on day 5; three cases, most waited first
    facs = [facility("a", 2)]
    _built, result, why = round_with(
        facs, [case("C-1", 60), case("C-2", 10), case("C-3", 0)], [occupant("a", 5)]
    )
    starts = {a.case: a.start_day for a in result.assignments}
    assert starts == {"C-1": 0, "C-2": 5}
    assert result.unplaced == ("C-3",)
    late = why.waits["C-2"]
    assert [b.kind for b in late.binds] == ["full_until", "outranked"]
    assert (late.binds[0].day, late.binds[0].facility) == (5, "a")
    # the bed free today went to C-1, who waited longer (issue 14)
    kept = late.binds[1]
    assert (kept.facility, kept.day, kept.cases) == ("a", 0, ("C-1",))
    assert "this round gave it to higher-priority case C-1" in kept.text
    assert kept.higher_priority
    assert "The only eligible facility is full until 2026-12-05" in late.text
    # a coordinator reads names and dates, not ids and days of the horizon
    assert "A bed at House a was free from 2026-11-30" in late.text
    assert "One extra bed at House a would place it from 2026-11-30." in late.text
    assert not re.search(r"\bday \d", late.text)
    assert late.extra_bed is not None
    assert (
        late.extra_bed.facility_id,
        late.extra_bed.start_day,
    ) == ("a", 0)
    unplaced = why.waits["C-3"]
    assert unplaced.start_day is None
    assert [b.kind for b in unplaced.binds] == ["full_horizon", "outranked"]
    assert unplaced.binds[1].cases == ("C-1", "C-2")
    proposal = why.proposals["C-1"]
    assert proposal.facility_id == "a"
    assert proposal.start_day == 0
    assert "admits women and girls only" in proposal.criteria_met


def test_alternatives_are_other_facilities_with_their_day_and_cost_difference():
    facs = [facility("a", 1), facility("b", 1, region_id="utrecht")]
    built, _result, why = round_with(facs, [case("C-1", 30)], [occupant("b", 4)])
    proposal = why.proposals["C-1"]
    assert (proposal.facility_id, proposal.start_day) == ("a", 0)
    (alt,) = proposal.alternatives
    assert (alt.facility_id, alt.start_day) == ("b", 4)
    weight = built.problem.case_weight[0]
    penalty_a, penalty_b = built.problem.opt_penalty.tolist()
    assert alt.objective_difference == pytest.approx(weight * 4 + penalty_b - penalty_a)


def test_an_exhausted_budget_is_named():
    facs = [facility("a", 3)]
    cost = 100.0 * 259  # one women's-shelter stay at 100 a bed-day
    _built, result, why = round_with(facs, [case("C-1", 60), case("C-2", 0)], [], budget=cost * 1.5)
    assert result.unplaced == ("C-2",)
    kinds = [b.kind for b in why.waits["C-2"].binds]
    assert kinds == ["budget"]
    assert "The budget of Wmo is exhausted" in why.waits["C-2"].text


def test_a_partly_used_budget_says_what_is_left_and_what_the_placement_costs():
    facs = [facility("a", 3)]
    cost = 100.0 * 259
    _built, result, why = round_with(facs, [case("C-1", 60), case("C-2", 0)], [], budget=cost * 1.5)
    assert result.unplaced == ("C-2",)
    (bind,) = why.waits["C-2"].binds
    assert (bind.kind, bind.stream, bind.facility, bind.day) == ("budget", "wmo", "a", 0)
    assert bind.amount == pytest.approx(25_900 - 12_950)  # what more would pay for it
    assert (
        "EUR 12,950 left, less than the EUR 25,900 a placement at House a from 2026-11-30 costs"
        in bind.text
    )


def far_and_near():
    """a is free now but far away (a penalty); b, nearby, frees its bed on day 2."""
    return [facility("a", 1, region_id="middelburg"), facility("b", 1)], [occupant("b", 2)]


def test_a_case_waiting_for_a_near_facility_is_told_the_far_one_was_free_earlier():
    facs, placements = far_and_near()
    built, result, why = round_with(facs, [case("C-1", 0)], placements)
    assert [(a.facility, a.start_day) for a in result.assignments] == [("b", 2)]
    late = why.waits["C-1"]
    assert [b.kind for b in late.binds] == ["penalty"]
    assert (late.binds[0].facility, late.binds[0].day) == ("a", 0)
    penalty = built.problem.opt_penalty[list(built.problem.opt_facility).index(0)]
    assert f"penalty for distance and preferences ({penalty:.1f} weighted days)" in late.text
    assert "outweighs waiting 2 more days" in late.text


def test_a_plan_that_leaves_an_earlier_start_open_says_so():
    facs, placements = far_and_near()
    built, result, _why = round_with(facs, [case("C-1", 0)], placements)
    later = replace(result, assignments=(Assignment("C-1", "b", 5),), status=Status.FEASIBLE)
    late = explain(built, later).waits["C-1"]
    assert "improvable" in [b.kind for b in late.binds]
    improvable = next(b for b in late.binds if b.kind == "improvable")
    assert (improvable.facility, improvable.day) == ("b", 2)


def test_a_case_whose_every_eligible_facility_was_declined_is_told_so():
    _built, result, why = round_with(
        [facility("a", 1), facility("b", 1)],
        [case("C-1", 10)],
        [],
        declined=[("C-1", "a"), ("C-1", "b")],
    )
    assert result.unplaced == ("C-1",)
    wait = why.waits["C-1"]
    assert [b.kind for b in wait.binds] == ["declined"]
    assert "Every eligible facility was declined" in wait.text


def test_a_case_kept_apart_from_the_occupant_of_the_only_facility_is_declined_there():
    _built, result, why = round_with(
        [facility("a", 2)],
        [case("C-1", 10)],
        [occupant("a", 30)],
        keep_apart=[("C-1", "X-a-1")],
        current_facility={"X-a-1": "a"},
    )
    assert result.unplaced == ("C-1",)
    assert [b.kind for b in why.waits["C-1"].binds] == ["declined"]


@pytest.mark.parametrize(
    ("difference", "text"),
    [(2.0, "+2.0"), (-1.5, "-1.5"), (0.0, "+0.0")],
)
def test_an_alternative_prints_its_difference_with_one_sign_and_its_unit(difference, text):
    alt = Alternative("b", 4, difference)
    assert alt.difference_text == text
    assert alt.text == f"b from day 4 ({text} weighted waiting days)"
    named = Alternative("b", 4, difference, "House b", date(2026, 12, 4))
    assert named.text == f"House b from 2026-12-04 ({text} weighted waiting days)"


def test_a_capacity_gap_lists_the_failing_rules():
    _built, _result, why = round_with([facility("a", 1)], [case("C-1", 3, gender=Gender.MALE)], [])
    gap = why.waits["C-1"]
    assert gap.binds[0].kind == "capacity_gap"
    assert gap.failing_rules == (("gender", 1),)
    assert gap.closest[0][0] == "a"
    assert "no facility in the country is eligible under national-v1" in gap.text


def test_on_the_demo_no_alternative_beats_an_optimal_proposal():
    snap, waiting = demo_supply()
    built = build_problem(snap, waiting, bundled_rulebook())
    result = solve(built.problem, SolveParams(time_limit=30))
    if result.status is not Status.OPTIMAL:
        pytest.skip("not proven optimal in time on this machine")
    why = explain(built, result)
    assert set(why.proposals) == {a.case for a in result.assignments}
    assert set(result.unplaced) <= set(why.waits)
    for proposal in why.proposals.values():
        assert all(a.objective_difference >= -1e-6 for a in proposal.alternatives)
    for case_id in built.gaps:
        assert why.waits[case_id].binds[0].kind == "capacity_gap"
    for wait in why.waits.values():
        assert wait.binds, f"{wait.case_id} waits without a reason"


def test_a_bed_given_to_a_lower_priority_case_is_not_called_higher_priority():
    # a (any gender) is free now; b (women only) frees on day 2; the man fits only at a, so
    # the round gives a to him and b, later, to the woman who waited longer (issue 14)
    facs = [facility("a", 1, gender_policy=GenderPolicy.MIXED), facility("b", 1)]
    woman, man = case("C-1", 60), case("C-2", 0, gender=Gender.MALE)
    _built, result, why = round_with(facs, [woman, man], [occupant("b", 2)])
    assert {(a.case, a.facility, a.start_day) for a in result.assignments} == {
        ("C-1", "b", 2),
        ("C-2", "a", 0),
    }
    (kept,) = [b for b in why.waits["C-1"].binds if b.kind == "outranked"]
    assert (kept.facility, kept.day, kept.cases) == ("a", 0, ("C-2",))
    assert not kept.higher_priority
    assert "that saves more weighted waiting days in all" in kept.text
