"""Repository round trips: every kind of value object comes back as it went in."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from capacity import (
    REGIONS,
    CaseStatus,
    Dataset,
    InvalidFieldError,
    InvalidSupplyError,
    Placement,
    Provider,
    UnknownReferenceError,
)
from store import DuplicateRecordError, Repository

CEST = timezone(timedelta(hours=2))  # Dutch summer time


@pytest.fixture
def stored(unit_of_work, small_dataset: Dataset) -> Dataset:
    """``small_dataset``, saved and committed."""
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    return small_dataset


def _by_id(items):
    return sorted(items, key=lambda item: item.id)


def test_regions_are_stored_once(repo: Repository) -> None:
    assert repo.ensure_regions() == 0  # the engine fixture stored them already
    assert repo.regions() == _by_id(REGIONS)


def test_supply_round_trip(unit_of_work, stored: Dataset) -> None:
    with unit_of_work() as session:
        repo = Repository(session)
        assert repo.providers() == _by_id(stored.providers)
        assert repo.funding_streams() == _by_id(stored.funding_streams)
        assert repo.facilities() == _by_id(stored.facilities)
        assert repo.facility("vo-amsterdam") == stored.facilities[2]


def test_case_round_trip_keeps_enums_sets_order_and_text(unit_of_work, stored: Dataset) -> None:
    with unit_of_work() as session:
        repo = Repository(session)
        for case in stored.cases:
            assert repo.case(case.id) == case
        placed = repo.case("C-2026-0001")
        assert placed.preferred_regions == ("groningen", "emmen")
        assert isinstance(placed.status, CaseStatus)
        assert repo.case("C-2026-0002").responsible_organisation == "Zorgcoördinatie Eindhoven"


def test_placement_round_trip(unit_of_work, stored: Dataset) -> None:
    with unit_of_work() as session:
        assert set(Repository(session).placements()) == set(stored.placements)


def test_cases_filter_by_status_in_intake_order(repo: Repository, stored: Dataset) -> None:
    assert [c.id for c in repo.cases()] == [
        "C-2025-0099",
        "C-2026-0003",
        "C-2026-0001",
        "C-2026-0002",
    ]
    assert [c.id for c in repo.cases(CaseStatus.WAITING)] == ["C-2026-0002"]
    assert [c.id for c in repo.cases(status=CaseStatus.DISCHARGED)] == [
        "C-2025-0099",
        "C-2026-0003",
    ]


def test_set_case_status_is_stored(unit_of_work, stored: Dataset) -> None:
    with unit_of_work() as session:
        changed = Repository(session).set_case_status("C-2026-0002", status=CaseStatus.PROPOSED)
    assert changed.status is CaseStatus.PROPOSED
    with unit_of_work() as session:
        assert Repository(session).case("C-2026-0002") == changed


def test_unknown_ids_raise_unknown_reference(repo: Repository, stored: Dataset) -> None:
    with pytest.raises(UnknownReferenceError, match="facility 'nowhere'"):
        repo.facility("nowhere")
    with pytest.raises(UnknownReferenceError, match="case 'C-NONE'"):
        repo.case("C-NONE")
    with pytest.raises(UnknownReferenceError):
        repo.set_case_status("C-NONE", status=CaseStatus.WITHDRAWN)
    with pytest.raises(UnknownReferenceError, match="placement"):
        repo.end_placement("P-NONE", day=date(2026, 5, 1))


def test_add_case_twice_is_refused(repo: Repository, small_dataset: Dataset) -> None:
    [case] = [c for c in small_dataset.cases if c.id == "C-2026-0002"]
    assert repo.add_case(case) == case
    with pytest.raises(DuplicateRecordError, match="C-2026-0002"):
        repo.add_case(case)


def test_placements_active_on_a_day(repo: Repository, stored: Dataset) -> None:
    assert [p.id for p in repo.placements(active_on=date(2026, 4, 29))] == ["P-2026-2"]
    assert [p.id for p in repo.placements(active_on=date(2026, 4, 30))] == ["P-2026-1"]
    assert [p.id for p in repo.placements(active_on=date(2025, 6, 7))] == []


def test_add_placement_stamps_the_time_it_was_recorded(repo: Repository, stored: Dataset) -> None:
    new = Placement(
        "P-NEW", "C-2026-0002", "crisis-amsterdam", 1, date(2026, 5, 1), date(2026, 5, 4)
    )
    before = datetime.now(UTC)
    added = repo.add_placement(new)
    assert added.recorded_at is not None
    assert added.recorded_at >= before
    assert repo.placements(active_on=date(2026, 5, 1))[-1] == added


def test_add_placement_checks_references_and_duplicates(repo: Repository, stored: Dataset) -> None:
    base = Placement(
        "P-NEW", "C-2026-0002", "crisis-amsterdam", 1, date(2026, 5, 1), date(2026, 5, 4)
    )
    with pytest.raises(UnknownReferenceError, match="case"):
        repo.add_placement(replace(base, case_id="C-NONE"))
    with pytest.raises(UnknownReferenceError, match="facility"):
        repo.add_placement(replace(base, facility_id="nowhere"))
    with pytest.raises(DuplicateRecordError):
        repo.add_placement(replace(base, id="P-2026-1"))


def test_end_placement_frees_the_beds_once(repo: Repository, stored: Dataset) -> None:
    ended = repo.end_placement("P-2026-1", day=date(2026, 5, 10))
    assert ended.actual_end == date(2026, 5, 10)
    assert repo.placements(active_on=date(2026, 5, 10)) == []
    with pytest.raises(InvalidSupplyError, match="already ended"):
        repo.end_placement("P-2026-1", day=date(2026, 5, 11))


def test_end_placement_before_its_start_is_refused(repo: Repository, stored: Dataset) -> None:
    with pytest.raises(InvalidSupplyError, match="before the start"):
        repo.end_placement("P-2026-1", day=date(2026, 4, 1))


def test_times_come_back_in_utc(repo: Repository, stored: Dataset) -> None:
    at = datetime(2026, 5, 1, 11, 30, tzinfo=CEST)
    new = Placement(
        "P-CEST", "C-2026-0002", "crisis-amsterdam", 1, date(2026, 5, 1), date(2026, 5, 4), None, at
    )
    repo.add_placement(new)
    [back] = [p for p in repo.placements() if p.id == "P-CEST"]
    assert back.recorded_at == at
    assert back.recorded_at is not None
    assert back.recorded_at.utcoffset() == timedelta(0)
    assert back.recorded_at.hour == 9


def test_naive_times_are_refused(repo: Repository, stored: Dataset) -> None:
    with pytest.raises(InvalidSupplyError, match="timezone"):
        Placement(
            "P-NAIVE",
            "C-2026-0002",
            "crisis-amsterdam",
            1,
            date(2026, 5, 1),
            date(2026, 5, 4),
            recorded_at=datetime(2026, 5, 1, 9, 0),
        )


def test_text_longer_than_its_column_is_a_field_error_on_every_backend(
    repo: Repository, small_dataset: Dataset
) -> None:
    long_name = Provider("fier", "F" * 201)
    with pytest.raises(InvalidFieldError, match=r"providers\.name: at most 200 characters"):
        repo.save_dataset(replace(small_dataset, providers=(long_name, small_dataset.providers[1])))
