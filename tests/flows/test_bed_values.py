"""flows.extra_bed_values: the one computation behind the demo, the API and the page."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from flows import bed_values as flow
from matching import BedValue, BedValues, MatchingError

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def built(n_facilities: int = 3) -> SimpleNamespace:
    """Just enough of a BuiltProblem for the report around the values."""
    return SimpleNamespace(
        problem=SimpleNamespace(n_facilities=n_facilities, horizon_days=60),
        snapshot=SimpleNamespace(as_of=NOW),
        rulebook=SimpleNamespace(version="national-v1"),
    )


def test_complete_values_have_no_note(monkeypatch: pytest.MonkeyPatch):
    value = BedValue("omm", "rotterdam", "omm-rotterdam", 12.5)
    monkeypatch.setattr(flow, "bed_values", lambda b, time_limit: BedValues((value,)))
    report = flow.extra_bed_values(built(), time_limit=2.0)  # type: ignore[arg-type]
    assert report.values == (value,)
    assert report.complete
    assert report.note is None
    assert (report.as_of, report.rulebook_version, report.horizon_days) == (NOW, "national-v1", 60)


def test_the_note_names_the_facilities_not_valued(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(flow, "bed_values", lambda b, time_limit: BedValues((), ("F2",)))
    report = flow.extra_bed_values(built(), time_limit=2.0)  # type: ignore[arg-type]
    assert not report.complete
    assert report.note == (
        "Extra-bed values not computed within 2 s for 1 facility (F2); the table ranks the others."
    )
    every = BedValues((), ("F1", "F2", "F3"))
    monkeypatch.setattr(flow, "bed_values", lambda b, time_limit: every)
    report = flow.extra_bed_values(built(), time_limit=2.0)  # type: ignore[arg-type]
    assert report.note == (
        "Extra-bed values not computed within 2 s for 3 facilities (F1, F2, F3); none was valued."
    )


def test_many_skipped_facilities_are_cut_short(monkeypatch: pytest.MonkeyPatch):
    skipped = tuple(f"F{i}" for i in range(8))
    monkeypatch.setattr(flow, "bed_values", lambda b, time_limit: BedValues((), skipped))
    report = flow.extra_bed_values(built(20), time_limit=1.0)  # type: ignore[arg-type]
    assert "(F0, F1, F2, F3, F4, ...); the table ranks the others." in (report.note or "")


def test_a_failing_lp_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch):
    def fail(b: object, time_limit: float) -> BedValues:
        raise MatchingError("the LP relaxation could not be solved")

    monkeypatch.setattr(flow, "bed_values", fail)
    report = flow.extra_bed_values(built(), time_limit=2.0)  # type: ignore[arg-type]
    assert report.values == ()
    assert not report.complete
    assert report.note == "Extra-bed values skipped: the LP relaxation could not be solved"
