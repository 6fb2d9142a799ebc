"""Small hand-made domain objects for the persistence tests.

``small_dataset``: 2 providers, 2 funding streams, 3 facilities, 4 cases, 3 placements and
4 availability reports, chosen so that a supply snapshot on 1 May 2026 exercises every
rule of :func:`capacity.build_snapshot`:

- ``cosm-leeuwarden`` (6 beds): reported 3 free on 30 April 08:00; a family of two was
  placed there that afternoon (recorded after the report, so not in it); a report of
  2 May lies after the snapshot and must be ignored.
- ``vo-amsterdam`` (10 beds): reported 2 free on 29 April; a woman left on 30 April (after
  the report), so a bed came free.
- ``crisis-amsterdam`` (2 beds): never reported; its only placement ended in 2025.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from capacity import (
    AvailabilityReport,
    Case,
    CaseStatus,
    Dataset,
    ExploitationType,
    Facility,
    FundingStream,
    Gender,
    GenderPolicy,
    Need,
    Placement,
    PlacementType,
    Provider,
    ResidenceStatus,
    SafetyRisk,
)

AS_OF = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _providers() -> tuple[Provider, ...]:
    return (Provider("fier", "Fier"), Provider("hvo-querido", "HVO-Querido"))


def _streams() -> tuple[FundingStream, ...]:
    return (
        FundingStream(
            id="jenv-cosm",
            name="COSM (JenV)",
            payer="JenV",
            placement_types=frozenset({PlacementType.COSM}),
            case_categories=frozenset({"adult_b8", "adult_eu"}),
            budget_per_period=1_000_000.0,
            period="2026",
        ),
        FundingStream(
            id="wmo-amsterdam",
            name="Wmo/DUVO Amsterdam",
            payer="centrumgemeente Amsterdam",
            placement_types=frozenset({PlacementType.WOMENS_SHELTER, PlacementType.CRISIS}),
            case_categories=frozenset({"adult"}),
            region_id="amsterdam",
        ),
    )


def _facilities() -> tuple[Facility, ...]:
    return (
        Facility(
            id="cosm-leeuwarden",
            name="COSM Noord",
            provider_id="fier",
            region_id="leeuwarden",
            placement_type=PlacementType.COSM,
            beds=6,
            funding_stream_id="jenv-cosm",
            cost_per_bed_day=250.0,
            specialisms=frozenset({Need.TRAUMA_CARE, Need.INTERPRETER}),
            gender_policy=GenderPolicy.FEMALE_ONLY,
            max_children=2,
            secret_address=True,
            languages=frozenset({"nl", "en", "ro"}),
        ),
        Facility(
            id="crisis-amsterdam",
            name="Crisisopvang Amsterdam",
            provider_id="hvo-querido",
            region_id="amsterdam",
            placement_type=PlacementType.CRISIS,
            beds=2,
            funding_stream_id="wmo-amsterdam",
            cost_per_bed_day=300.0,
            min_age=16,
            languages=frozenset(),
        ),
        Facility(
            id="vo-amsterdam",
            name="Vrouwenopvang Amsterdam",
            provider_id="hvo-querido",
            region_id="amsterdam",
            placement_type=PlacementType.WOMENS_SHELTER,
            beds=10,
            funding_stream_id="wmo-amsterdam",
            cost_per_bed_day=180.5,
            gender_policy=GenderPolicy.FEMALE_ONLY,
            wheelchair_access=True,
            lat=52.36,
            lon=4.91,
        ),
    )


def _cases() -> tuple[Case, ...]:
    return (*_discharged_cases(), *_current_cases())


def _discharged_cases() -> tuple[Case, ...]:
    return (
        Case(
            id="C-2025-0099",
            intake_date=date(2025, 5, 30),
            age=40,
            gender=Gender.X,
            residence_status=ResidenceStatus.NL,
            exploitation_type=ExploitationType.CRIMINAL,
            region_signalled="amsterdam",
            region_of_exploitation="zaanstad",
            status=CaseStatus.DISCHARGED,
            responsible_organisation="CoMensha",
        ),
        Case(
            id="C-2026-0003",
            intake_date=date(2026, 1, 30),
            age=35,
            gender=Gender.FEMALE,
            residence_status=ResidenceStatus.EU,
            exploitation_type=ExploitationType.OTHER,
            region_signalled="utrecht",
            region_of_exploitation="utrecht",
            needs=frozenset({Need.WHEELCHAIR}),
            status=CaseStatus.DISCHARGED,
            responsible_organisation="CoMensha",
        ),
    )


def _current_cases() -> tuple[Case, ...]:
    return (
        Case(
            id="C-2026-0001",
            intake_date=date(2026, 4, 28),
            age=24,
            gender=Gender.FEMALE,
            residence_status=ResidenceStatus.THIRD_COUNTRY_B8,
            exploitation_type=ExploitationType.SEXUAL,
            region_signalled="amsterdam",
            region_of_exploitation="amsterdam",
            accompanying_children=1,
            needs=frozenset({Need.TRAUMA_CARE, Need.INTERPRETER}),
            interpreter_language="ro",
            safety_risk=SafetyRisk.HIGH,
            preferred_regions=("groningen", "emmen"),
            status=CaseStatus.PLACED,
            responsible_organisation="CoMensha",
        ),
        Case(
            id="C-2026-0002",
            intake_date=date(2026, 4, 29),
            age=17,
            gender=Gender.MALE,
            residence_status=ResidenceStatus.ASYLUM,
            exploitation_type=ExploitationType.LABOUR,
            region_signalled="eindhoven",
            region_of_exploitation="helmond",
            responsible_organisation="Zorgcoördinatie Eindhoven",
            unaccompanied=True,
        ),
    )


def _placements() -> tuple[Placement, ...]:
    return (
        Placement(
            id="P-2025-7",
            case_id="C-2025-0099",
            facility_id="crisis-amsterdam",
            beds=1,
            start=date(2025, 6, 1),
            expected_end=date(2025, 6, 8),
            actual_end=date(2025, 6, 7),
        ),
        Placement(
            id="P-2026-1",
            case_id="C-2026-0001",
            facility_id="cosm-leeuwarden",
            beds=2,
            start=date(2026, 4, 30),
            expected_end=date(2026, 6, 14),
            recorded_at=datetime(2026, 4, 30, 15, 0, tzinfo=UTC),
        ),
        Placement(
            id="P-2026-2",
            case_id="C-2026-0003",
            facility_id="vo-amsterdam",
            beds=1,
            start=date(2026, 2, 1),
            expected_end=date(2026, 10, 18),
            actual_end=date(2026, 4, 30),
            recorded_at=datetime(2026, 2, 1, 10, 0, tzinfo=UTC),
        ),
    )


def _reports() -> tuple[AvailabilityReport, ...]:
    return (
        AvailabilityReport(  # no key: save_dataset derives one
            "cosm-leeuwarden", 1, datetime(2026, 4, 20, 8, 0, tzinfo=UTC), "fier-api"
        ),
        AvailabilityReport(
            "cosm-leeuwarden", 3, datetime(2026, 4, 30, 8, 0, tzinfo=UTC), "fier-api", "fier-0430"
        ),
        AvailabilityReport(  # after AS_OF: the snapshot ignores it
            "cosm-leeuwarden", 0, datetime(2026, 5, 2, 8, 0, tzinfo=UTC), "fier-api", "fier-0502"
        ),
        AvailabilityReport(
            "vo-amsterdam",
            2,
            datetime(2026, 4, 29, 12, 0, tzinfo=UTC),
            "hvo@example.org",
            "hvo-0429",
        ),
    )


@pytest.fixture
def small_dataset() -> Dataset:
    """The national picture in miniature (see the module docstring)."""
    return Dataset(
        as_of=AS_OF,
        providers=_providers(),
        funding_streams=_streams(),
        facilities=_facilities(),
        cases=_cases(),
        placements=_placements(),
        reports=_reports(),
    )
