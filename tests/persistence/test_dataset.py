"""Whole datasets: saving is idempotent, loading gives them back, snapshots agree."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from capacity import Dataset, InvalidSupplyError, SupplySnapshot, build_snapshot
from store import Repository, derived_idempotency_key

KINDS = (
    "providers",
    "funding_streams",
    "facilities",
    "cases",
    "placements",
    "reports",
    "organisations",
)


def _keyed(dataset: Dataset) -> Dataset:
    """The dataset as stored: every report has an idempotency key."""
    reports = tuple(
        replace(r, idempotency_key=r.idempotency_key or derived_idempotency_key(r))
        for r in dataset.reports
    )
    return replace(dataset, reports=reports)


def test_save_dataset_counts_what_it_adds(repo: Repository, small_dataset: Dataset) -> None:
    assert repo.save_dataset(small_dataset) == {
        "providers": 2,
        "funding_streams": 2,
        "facilities": 3,
        "cases": 4,
        "placements": 3,
        "reports": 4,
        "organisations": 2,  # the cases' organisations go on the managed list (issue 14)
    }


def test_save_dataset_twice_adds_nothing_the_second_time(
    unit_of_work, small_dataset: Dataset
) -> None:
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    with unit_of_work() as session:
        assert Repository(session).save_dataset(small_dataset) == dict.fromkeys(KINDS, 0)
    with unit_of_work() as session:
        assert len(Repository(session).reports()) == len(small_dataset.reports)


def test_save_dataset_adds_only_what_is_new(repo: Repository, small_dataset: Dataset) -> None:
    first = replace(
        small_dataset,
        cases=small_dataset.cases[:3],
        placements=small_dataset.placements[:2],
        reports=small_dataset.reports[:1],
    )
    repo.save_dataset(first)
    added = repo.save_dataset(small_dataset)
    assert added == {
        **dict.fromkeys(KINDS, 0),
        "cases": 1,
        "placements": 1,
        "reports": 3,
        "organisations": 1,  # the new case's
    }


def test_a_report_repeated_without_key_is_stored_once(
    repo: Repository, small_dataset: Dataset
) -> None:
    unkeyed = small_dataset.reports[0]
    assert unkeyed.idempotency_key is None
    twice = replace(small_dataset, reports=(unkeyed, unkeyed))
    assert repo.save_dataset(twice)["reports"] == 1
    [stored] = repo.reports()
    assert stored.idempotency_key == derived_idempotency_key(unkeyed)


def test_load_dataset_gives_back_what_was_saved(unit_of_work, small_dataset: Dataset) -> None:
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    with unit_of_work() as session:
        loaded = Repository(session).load_dataset(small_dataset.as_of)
    expected = _keyed(small_dataset)
    assert loaded.as_of == expected.as_of
    for kind in KINDS[:-1]:  # the organisations are a list beside the dataset
        assert set(getattr(loaded, kind)) == set(getattr(expected, kind)), kind


def _assert_same_snapshot(got: SupplySnapshot, want: SupplySnapshot) -> None:
    assert got.as_of == want.as_of
    assert got.facilities == want.facilities
    np.testing.assert_array_equal(got.free_beds, want.free_beds)
    assert set(got.funding_streams) == set(want.funding_streams)
    assert dict(got.budget_remaining) == pytest.approx(dict(want.budget_remaining))
    assert dict(got.last_reported) == dict(want.last_reported)


@pytest.mark.parametrize("horizon_days", [1, 60])
def test_supply_snapshot_from_the_database_equals_build_snapshot(
    unit_of_work, small_dataset: Dataset, horizon_days: int
) -> None:
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    with unit_of_work() as session:
        got = Repository(session).supply_snapshot(
            as_of=small_dataset.as_of, horizon_days=horizon_days
        )
    want = build_snapshot(
        as_of=small_dataset.as_of,
        facilities=sorted(small_dataset.facilities, key=lambda f: f.id),
        funding_streams=small_dataset.funding_streams,
        reports=small_dataset.reports,
        placements=small_dataset.placements,
        horizon_days=horizon_days,
    )
    _assert_same_snapshot(got, want)


def test_supply_snapshot_reads_the_situation_the_dataset_describes(
    unit_of_work, small_dataset: Dataset
) -> None:
    """The hand-worked numbers of ``small_dataset`` (see tests/persistence/conftest.py)."""
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    with unit_of_work() as session:
        snapshot = Repository(session).supply_snapshot(as_of=small_dataset.as_of)
    # 3 free on 30 April, minus the family of 2 placed after the report; the family's
    # expected discharge on 14 June (day 44) frees the 2 beds again.
    assert snapshot.free("cosm-leeuwarden")[0] == 1
    assert snapshot.free("cosm-leeuwarden")[44] == 3
    assert snapshot.free("vo-amsterdam")[0] == 3  # 2 reported, plus one discharged since
    assert snapshot.free("crisis-amsterdam")[0] == 2  # never reported: all beds free
    # COSM budget minus 2 beds x 45 days x 250 euros for the placement that started in 2026
    assert snapshot.budget_remaining["jenv-cosm"] == pytest.approx(1_000_000 - 2 * 45 * 250)
    assert "wmo-amsterdam" not in snapshot.budget_remaining  # not capped


def test_supply_snapshot_needs_an_aware_time(repo: Repository, small_dataset: Dataset) -> None:
    with pytest.raises(InvalidSupplyError, match="timezone"):
        repo.supply_snapshot(as_of=small_dataset.as_of.replace(tzinfo=None))
