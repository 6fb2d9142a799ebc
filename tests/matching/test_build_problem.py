"""build_problem applies the rulebook to every pair and assembles the documented problem."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pytest

from capacity import (
    CATALOGUE,
    Case,
    ExploitationType,
    Facility,
    FundingStream,
    Gender,
    GenderPolicy,
    Need,
    PlacementType,
    ResidenceStatus,
    SafetyRisk,
    SupplySnapshot,
    build_snapshot,
    bundled_rulebook,
)
from matching import InvalidProblemError, build_problem

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ADULTS = frozenset({"adult_nl_eu", "adult_b8", "adult_no_b8", "adult_asylum"})


def facility(fid: str, **kw) -> Facility:
    base = Facility(
        id=fid,
        name=f"House {fid}",
        provider_id="p",
        region_id="groningen",
        placement_type=PlacementType.WOMENS_SHELTER,
        beds=2,
        funding_stream_id="wmo",
        cost_per_bed_day=100.0,
        specialisms=frozenset({Need.TRAUMA_CARE}),
        gender_policy=GenderPolicy.FEMALE_ONLY,
        max_children=2,
    )
    return replace(base, **kw)


def case(cid: str, **kw) -> Case:
    base = Case(
        id=cid,
        intake_date=date(2026, 11, 1),
        age=30,
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NL,
        exploitation_type=ExploitationType.SEXUAL,
        region_signalled="utrecht",
        region_of_exploitation="utrecht",
        responsible_organisation="CoMensha",
    )
    return replace(base, **kw)


STREAM = FundingStream(
    id="wmo",
    name="Wmo",
    payer="x",
    placement_types=frozenset(PlacementType),
    case_categories=ADULTS,
    budget_per_period=1_000_000.0,
)


def snapshot(*facs: Facility) -> SupplySnapshot:
    return build_snapshot(
        as_of=NOW,
        facilities=facs,
        funding_streams=[STREAM],
        reports=[],
        placements=[],
        horizon_days=10,
    )


def test_options_are_exactly_the_eligible_pairs():
    book = bundled_rulebook()
    facs = (
        facility("a"),
        facility("b", gender_policy=GenderPolicy.MALE_ONLY),
        facility("c", region_id="utrecht"),
    )
    cases = (case("C-1"), case("C-2", gender=Gender.MALE), case("C-3", safety_risk=SafetyRisk.HIGH))
    built = build_problem(snapshot(*facs), cases, book)
    p = built.problem
    got = {
        (p.case_ids[c], p.facility_ids[f]) for c, f in zip(p.opt_case, p.opt_facility, strict=True)
    }
    expected = {(c.id, f.id) for c in cases for f in facs if book.evaluate(c, f, STREAM).eligible}
    assert got == expected
    assert ("C-2", "b") in got
    assert ("C-1", "b") not in got
    assert ("C-3", "c") not in got  # high risk: not in the region of exploitation (Utrecht)


def test_weights_penalties_costs_and_budgets_follow_rulebook_catalogue_and_snapshot():
    book = bundled_rulebook()
    c = case(
        "C-1",
        needs=frozenset({Need.INTERPRETER}),
        interpreter_language="ro",
        accompanying_children=1,
    )
    fac = facility("a")
    built = build_problem(snapshot(fac), [c], book)
    p = built.problem
    assert p.case_weight[0] == pytest.approx(book.priority(c, NOW.date()).weight)
    assert p.case_beds[0] == 2
    verdict = book.evaluate(c, fac, STREAM)
    assert p.opt_penalty[0] == pytest.approx(verdict.soft_penalty_days + book.penalty_days(c, fac))
    stay = CATALOGUE[PlacementType.WOMENS_SHELTER].typical_stay_days
    assert p.opt_stay[0] == stay
    assert p.opt_cost[0] == pytest.approx(100.0 * 2 * stay)
    assert p.stream_ids[p.opt_stream[0]] == "wmo"
    assert p.budget[list(p.stream_ids).index("wmo")] == pytest.approx(1_000_000.0)
    assert np.array_equal(p.free_beds, built.snapshot.free_beds)
    assert built.day(3) == date(2026, 12, 3)


def test_declined_pairs_are_left_out_but_the_case_is_no_gap():
    built = build_problem(
        snapshot(facility("a"), facility("b")),
        [case("C-1")],
        bundled_rulebook(),
        declined=[("C-1", "a")],
    )
    p = built.problem
    assert [p.facility_ids[f] for f in p.opt_facility] == ["b"]
    assert built.gaps == {}


def test_keep_apart_between_waiting_cases_and_with_a_placed_case():
    cases = [case("C-1"), case("C-2"), case("C-3")]
    built = build_problem(
        snapshot(facility("a"), facility("b")),
        cases,
        bundled_rulebook(),
        keep_apart=[("C-1", "C-2"), ("C-3", "C-9")],
        current_facility={"C-9": "a"},
    )
    p = built.problem
    assert p.keep_apart.tolist() == [[0, 1]]
    c3 = {
        p.facility_ids[f]
        for c, f in zip(p.opt_case, p.opt_facility, strict=True)
        if p.case_ids[c] == "C-3"
    }
    assert c3 == {"b"}


def test_a_case_no_facility_is_eligible_for_is_a_capacity_gap_with_reasons():
    built = build_problem(
        snapshot(facility("a")), [case("C-1", gender=Gender.MALE)], bundled_rulebook()
    )
    assert list(built.gaps) == ["C-1"]
    (verdict,) = built.gaps["C-1"]
    assert [r.rule for r in verdict.failed] == ["gender"]
    assert built.problem.n_options == 0


def test_bad_input_is_refused():
    with pytest.raises(InvalidProblemError, match="listed twice"):
        build_problem(snapshot(facility("a")), [case("C-1"), case("C-1")], bundled_rulebook())
    with pytest.raises(InvalidProblemError, match="itself"):
        build_problem(
            snapshot(facility("a")), [case("C-1")], bundled_rulebook(), keep_apart=[("C-1", "C-1")]
        )


@pytest.mark.parametrize(
    ("pairs", "entry", "unknown"),
    [
        ([("C-1", "C-2"), ("C-1", "C-3")], "keep_apart[1] (C-1, C-3)", "C-3"),  # misspelt
        ([("C-9", "C-1")], "keep_apart[0] (C-9, C-1)", "C-9"),  # placed, but not said where
    ],
)
def test_a_keep_apart_pair_naming_an_unknown_case_is_refused(pairs, entry, unknown):
    with pytest.raises(InvalidProblemError) as refused:
        build_problem(
            snapshot(facility("a")),
            [case("C-1"), case("C-2")],
            bundled_rulebook(),
            keep_apart=pairs,
        )
    assert refused.value.entry == entry
    assert repr(unknown) in refused.value.reason
    assert "neither waiting nor placed" in refused.value.reason


def test_keep_apart_given_as_a_generator_keeps_both_kinds_of_pair():
    pairs = [("C-1", "C-2"), ("C-3", "C-9")]
    built = build_problem(
        snapshot(facility("a"), facility("b")),
        [case("C-1"), case("C-2"), case("C-3")],
        bundled_rulebook(),
        keep_apart=(pair for pair in pairs),
        current_facility={"C-9": "a"},
    )
    p = built.problem
    assert p.keep_apart.tolist() == [[0, 1]]
    c3 = {p.facility_ids[f] for c, f in zip(p.opt_case, p.opt_facility, strict=True) if c == 2}
    assert c3 == {"b"}


def test_a_keep_apart_pair_given_twice_in_either_order_is_kept_once():
    built = build_problem(
        snapshot(facility("a"), facility("b")),
        [case("C-1"), case("C-2")],
        bundled_rulebook(),
        keep_apart=[("C-1", "C-2"), ("C-2", "C-1"), ("C-1", "C-2")],
    )
    assert built.problem.keep_apart.tolist() == [[0, 1]]
