"""Small factories for capacity value objects: each test states only what it is about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from capacity import (
    Case,
    ExploitationType,
    Facility,
    FundingStream,
    Gender,
    GenderPolicy,
    Need,
    PlacementType,
    ResidenceStatus,
    Rulebook,
    bundled_rulebook,
)

ALL_ADULTS = frozenset({"adult_nl_eu", "adult_b8", "adult_no_b8", "adult_asylum"})


@pytest.fixture
def national() -> Rulebook:
    """The shipped national rulebook."""
    return bundled_rulebook()


@pytest.fixture
def make_case() -> Callable[..., Case]:
    """A 30-year-old Dutch woman, sexual exploitation in Utrecht, low risk; override any field."""

    base = Case(
        id="C-TEST-1",
        intake_date=date(2026, 11, 1),
        age=30,
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.NL,
        exploitation_type=ExploitationType.SEXUAL,
        region_signalled="utrecht",
        region_of_exploitation="utrecht",
        responsible_organisation="Zorgcoördinatie Utrecht",
    )

    def build(**changes: Any) -> Case:
        return replace(base, **changes)

    return build


@pytest.fixture
def make_facility() -> Callable[..., Facility]:
    """A mixed-gender women's-shelter-type facility in Groningen with 5 beds; override any field."""

    base = Facility(
        id="f-test",
        name="Test House",
        provider_id="p-test",
        region_id="groningen",
        placement_type=PlacementType.WOMENS_SHELTER,
        beds=5,
        funding_stream_id="s-test",
        cost_per_bed_day=150.0,
        specialisms=frozenset({Need.TRAUMA_CARE}),
        gender_policy=GenderPolicy.MIXED,
        max_children=2,
    )

    def build(**changes: Any) -> Facility:
        return replace(base, **changes)

    return build


@pytest.fixture
def make_stream() -> Callable[..., FundingStream]:
    """A national stream paying for every adult at every placement type; override any field."""

    base = FundingStream(
        id="s-test",
        name="Test stream",
        payer="Test",
        placement_types=frozenset(PlacementType),
        case_categories=ALL_ADULTS,
    )

    def build(**changes: Any) -> FundingStream:
        return replace(base, **changes)

    return build
