"""The live demand forecast reads the intake history in the database (issue 13)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from capacity import Dataset, bundled_rulebook, profile_class
from capacity.criteria import NATIONAL
from flows import InvalidInputError, demand_forecast
from store import Repository


def test_forecast_counts_the_intakes_in_the_window_per_profile_class(
    unit_of_work, small_dataset: Dataset
) -> None:
    with unit_of_work() as session:
        Repository(session).save_dataset(small_dataset)
    book = bundled_rulebook(NATIONAL)
    today = max(c.intake_date for c in small_dataset.cases) + timedelta(days=1)
    window = 60
    expected: dict[str, int] = {}
    for c in small_dataset.cases:
        if 0 < (today - c.intake_date).days <= window:
            cls = profile_class(c, book.priority(c, c.intake_date).complexity_class)
            expected[cls] = expected.get(cls, 0) + 1
    with unit_of_work() as session:
        forecast = demand_forecast(session, today=today, rulebook=book, window_days=window)
    assert {c.profile_class: c.arrivals for c in forecast.classes} == expected
    assert forecast.window_days == window
    for c in forecast.classes:
        assert c.low <= c.rate_per_day <= c.high
        assert c.rate_per_day == pytest.approx((c.arrivals + 0.5) / window)


def test_a_window_under_a_day_is_refused_naming_the_field(unit_of_work) -> None:
    with unit_of_work() as session, pytest.raises(InvalidInputError) as err:
        demand_forecast(
            session,
            today=date(2027, 1, 1),
            rulebook=bundled_rulebook(NATIONAL),
            window_days=0,
        )
    assert err.value.field == "window_days"
