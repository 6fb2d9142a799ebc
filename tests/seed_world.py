"""The small world the API and dashboard tests seed: two providers, two facilities, five
women (one placed), one availability report. Shared by ``tests/api/conftest.py`` and
``tests/web/conftest.py`` (they had a copy each)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
    Placement,
    PlacementType,
    Provider,
    ResidenceStatus,
)
from capacity.clock import local_date

OWN_FACILITY = "ws-amsterdam"  # reporter-hvo's and reporter-amsterdam's
OTHER_FACILITY = "cosm-leeuwarden"  # reporter-fier's


def facility(
    fid: str, provider: str, region: str, ptype: PlacementType, beds: int, stream: str
) -> Facility:
    return Facility(
        id=fid,
        name=fid.replace("-", " ").title(),
        provider_id=provider,
        region_id=region,
        placement_type=ptype,
        beds=beds,
        funding_stream_id=stream,
        cost_per_bed_day=100.0,
        gender_policy=GenderPolicy.FEMALE_ONLY,
    )


def woman(case_id: str, intake: date, status: CaseStatus = CaseStatus.WAITING) -> Case:
    return Case(
        id=case_id,
        intake_date=intake,
        age=30,
        gender=Gender.FEMALE,
        residence_status=ResidenceStatus.EU,
        exploitation_type=ExploitationType.SEXUAL,
        region_signalled="amsterdam",
        region_of_exploitation="utrecht",
        responsible_organisation="CoMensha",
        status=status,
    )


def small_dataset(now: datetime) -> Dataset:
    today = local_date(now)
    cases = [woman(f"C-2026-{i:04d}", today - timedelta(days=10 * i)) for i in range(1, 5)]
    cases.append(woman("C-2026-0005", today - timedelta(days=60), CaseStatus.PLACED))
    return Dataset(
        as_of=now,
        providers=(Provider("hvo-querido", "HVO-Querido"), Provider("fier", "Fier")),
        funding_streams=(
            FundingStream(
                id="wmo-amsterdam",
                name="Wmo/DUVO Amsterdam",
                payer="centrumgemeente Amsterdam",
                placement_types=frozenset({PlacementType.WOMENS_SHELTER}),
                case_categories=frozenset({"adult_nl_eu"}),
                region_id="amsterdam",
            ),
            FundingStream(
                id="jenv-cosm",
                name="COSM (JenV)",
                payer="JenV",
                placement_types=frozenset({PlacementType.COSM}),
                case_categories=frozenset({"adult_b8"}),
            ),
        ),
        facilities=(
            facility(
                OWN_FACILITY,
                "hvo-querido",
                "amsterdam",
                PlacementType.WOMENS_SHELTER,
                4,
                "wmo-amsterdam",
            ),
            facility(OTHER_FACILITY, "fier", "leeuwarden", PlacementType.COSM, 6, "jenv-cosm"),
        ),
        cases=tuple(cases),
        placements=(
            Placement(
                id="PL-0001",
                case_id="C-2026-0005",
                facility_id=OWN_FACILITY,
                beds=1,
                start=today - timedelta(days=30),
                expected_end=today + timedelta(days=200),
            ),
        ),
        reports=(AvailabilityReport(OWN_FACILITY, 2, now - timedelta(hours=1), "seed", "seed-1"),),
    )
