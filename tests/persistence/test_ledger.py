"""The availability ledger: append-only, idempotent on its key, with a current view."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine

from capacity import AvailabilityReport, Dataset, UnknownReferenceError
from store import IdempotencyConflictError, Repository, session_scope

CEST = timezone(timedelta(hours=2))


@pytest.fixture
def supply(unit_of_work, small_dataset: Dataset) -> Dataset:
    """``small_dataset`` without reports, committed."""
    with unit_of_work() as session:
        Repository(session).save_dataset(replace(small_dataset, reports=()))
    return small_dataset


def _report(beds: int, hour: int, key: str | None = None, facility: str = "vo-amsterdam"):
    return AvailabilityReport(facility, beds, datetime(2026, 5, 1, hour, 0, tzinfo=UTC), "hvo", key)


def test_add_report_appends_to_the_ledger(repo: Repository, supply: Dataset) -> None:
    stored = repo.add_report(_report(4, 8, "k-1"))
    assert stored.created
    assert stored.report == _report(4, 8, "k-1")
    assert stored.recorded_at.tzinfo is not None
    later = repo.add_report(_report(3, 9))  # no key: always appended
    assert later.id > stored.id
    assert repo.reports() == [_report(4, 8, "k-1"), _report(3, 9)]


def test_a_retried_report_is_a_no_op(repo: Repository, supply: Dataset) -> None:
    first = repo.add_report(_report(4, 8, "k-1"))
    again = repo.add_report(_report(4, 8, "k-1"))
    assert not again.created
    assert again.id == first.id
    assert len(repo.reports()) == 1


def test_the_same_key_for_another_report_is_refused(repo: Repository, supply: Dataset) -> None:
    repo.add_report(_report(4, 8, "k-1"))
    with pytest.raises(IdempotencyConflictError, match="k-1"):
        repo.add_report(_report(5, 8, "k-1"))
    assert repo.reports() == [_report(4, 8, "k-1")]


def test_a_report_on_an_unknown_facility_is_refused(repo: Repository, supply: Dataset) -> None:
    with pytest.raises(UnknownReferenceError, match="nowhere"):
        repo.add_report(_report(1, 8, facility="nowhere"))


def test_report_times_come_back_in_utc(repo: Repository, supply: Dataset) -> None:
    local = AvailabilityReport("vo-amsterdam", 2, datetime(2026, 5, 1, 10, 0, tzinfo=CEST), "hvo")
    repo.add_report(local)
    [back] = repo.reports()
    assert back == local
    assert back.as_of.utcoffset() == timedelta(0)
    assert back.as_of.hour == 8


def test_latest_reports_is_the_current_view(repo: Repository, supply: Dataset) -> None:
    for report in (
        _report(4, 8),
        _report(2, 12),
        _report(3, 10),
        _report(1, 9, facility="cosm-leeuwarden"),
    ):
        repo.add_report(report)
    latest = repo.latest_reports()
    assert latest == {
        "cosm-leeuwarden": _report(1, 9, facility="cosm-leeuwarden"),
        "vo-amsterdam": _report(2, 12),
    }
    at_eleven = repo.latest_reports(as_of=datetime(2026, 5, 1, 11, 0, tzinfo=UTC))
    assert at_eleven["vo-amsterdam"] == _report(3, 10)
    assert repo.latest_reports(as_of=datetime(2026, 5, 1, 7, 0, tzinfo=UTC)) == {}


def test_of_two_reports_at_the_same_time_the_later_arrival_counts(
    repo: Repository, supply: Dataset
) -> None:
    repo.add_report(_report(4, 8))
    repo.add_report(_report(6, 8))
    assert repo.latest_reports()["vo-amsterdam"].beds_free == 6


def test_reports_of_one_facility(repo: Repository, supply: Dataset) -> None:
    repo.add_report(_report(4, 8))
    repo.add_report(_report(1, 9, facility="cosm-leeuwarden"))
    assert repo.reports("cosm-leeuwarden") == [_report(1, 9, facility="cosm-leeuwarden")]


def test_a_concurrent_retry_is_stored_once(engine: Engine, supply: Dataset) -> None:
    """Two clients send the same keyed report at once: one row, no error.

    On PostgreSQL the second insert waits on the unique key and then finds the first
    report; on SQLite the second unit of work waits at BEGIN IMMEDIATE.
    """
    first_wrote = threading.Event()
    results: list[bool] = []
    errors: list[BaseException] = []

    def send(hold: bool) -> None:
        try:
            if not hold:
                first_wrote.wait(5)
            with session_scope(engine, immediate=True) as session:
                results.append(Repository(session).add_report(_report(4, 8, "k-race")).created)
                if hold:
                    first_wrote.set()
                    time.sleep(0.3)
        except BaseException as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(hold,)) for hold in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert errors == []
    assert sorted(results) == [False, True]
    with session_scope(engine) as session:
        assert len(Repository(session).reports()) == 1
