"""Complexity classes, urgency, ageing and placement penalties of the national rulebook."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import yaml

from capacity import Need, SafetyRisk, parse_rulebook
from capacity.criteria.rulebook import CRITERIA_DIR

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("needs", "children", "risk", "expected"),
    [
        (frozenset(), 0, SafetyRisk.LOW, "standard"),
        (frozenset({Need.MEDICAL}), 0, SafetyRisk.LOW, "standard"),
        (frozenset({Need.LVB}), 0, SafetyRisk.LOW, "complex"),
        (frozenset({Need.MEDICAL}), 1, SafetyRisk.LOW, "complex"),
        (frozenset({Need.LVB, Need.ADDICTION}), 0, SafetyRisk.LOW, "highly_complex"),
        (frozenset({Need.MENTAL_HEALTH}), 1, SafetyRisk.HIGH, "highly_complex"),
    ],
)
def test_complexity_class_from_points(national, make_case, needs, children, risk, expected):
    case = make_case(needs=needs, accompanying_children=children, safety_risk=risk)
    assert national.priority(case, TODAY).complexity_class == expected


def test_weight_is_class_times_urgency_times_ageing(national, make_case):
    fresh = make_case(intake_date=TODAY)
    assert national.priority(fresh, TODAY).weight == 1.0
    complex_minor_high = make_case(
        age=16,
        needs=frozenset({Need.LVB}),
        safety_risk=SafetyRisk.HIGH,
        intake_date=TODAY - timedelta(days=30),
    )
    p = national.priority(complex_minor_high, TODAY)
    assert p.complexity_class == "highly_complex"  # lvb 2 + high risk 1 + minor 1
    assert p.urgency == 1.5  # max(high risk 1.5, minor 1.5)
    assert p.ageing == pytest.approx(1.3)  # 1 + 0.01 x 30 days
    assert p.weight == pytest.approx(3.0 * 1.5 * 1.3)


def test_ageing_is_capped(national, make_case):
    old = make_case(intake_date=TODAY - timedelta(days=400))
    assert national.priority(old, TODAY).ageing == 2.0


def test_urgency_product_when_the_rulebook_says_so(make_case):
    data = yaml.safe_load((CRITERIA_DIR / "national-v1.yaml").read_text())
    data["priority"]["urgency"]["combine"] = "product"
    book = parse_rulebook(yaml.safe_dump(data))
    case = make_case(age=16, safety_risk=SafetyRisk.HIGH, intake_date=TODAY)
    assert book.priority(case, TODAY).urgency == pytest.approx(2.25)


def test_complex_long_waiting_cases_outrank_fresh_standard_ones(national, make_case):
    fresh = national.priority(make_case(intake_date=TODAY), TODAY)
    waited = national.priority(
        make_case(needs=frozenset({Need.ADDICTION}), intake_date=TODAY - timedelta(60)), TODAY
    )
    assert waited.weight > fresh.weight


def test_distance_and_preferred_region_penalty(national, make_case, make_facility):
    case = make_case(region_signalled="utrecht", preferred_regions=("utrecht",))
    home = make_facility(region_id="utrecht")
    assert national.penalty_days(case, home) == 0.0
    far = make_facility(region_id="maastricht")  # about 140 km
    penalty = national.penalty_days(case, far)
    assert 2.0 + 1.3 < penalty < 2.0 + 1.6


def test_no_distance_penalty_when_safety_requires_distance(national, make_case, make_facility):
    case = make_case(safety_risk=SafetyRisk.HIGH, preferred_regions=("utrecht",))
    assert national.penalty_days(case, make_facility(region_id="maastricht")) == 0.0
