"""The demand forecast: Poisson-gamma arrival rates per profile class (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capacity import (
    ArrivalForecast,
    InvalidFieldError,
    ProfileParts,
    estimate_arrivals,
    profile_parts,
)

CLASSES = ("standard/female/adult", "complex/female/minor", "complex/male/adult")

history = st.lists(
    st.tuples(st.floats(0, 100, allow_nan=False), st.sampled_from(CLASSES)), max_size=80
)


@settings(max_examples=60, deadline=None)
@given(history, st.floats(1, 100))
def test_rates_are_non_negative_and_inside_their_interval(arrivals, length):
    forecast = estimate_arrivals(arrivals, window_start=0, window_end=length, classes=CLASSES)
    assert {c.profile_class for c in forecast.classes} == set(CLASSES)
    for c in forecast.classes:
        assert 0.0 <= c.low <= c.rate_per_day <= c.high
        in_window = sum(1 for t, cls in arrivals if cls == c.profile_class and t < length)
        assert c.arrivals == in_window


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 50), st.floats(5, 200), st.integers(2, 10))
def test_more_history_at_the_same_rate_narrows_the_interval(n, days, times):
    # the same rate seen over `times` x the window: the interval is narrower (relative)
    def width(arrivals: int, length: float) -> float:
        times_ = np.linspace(0, length, arrivals, endpoint=False)
        f = estimate_arrivals(
            [(float(t), "c") for t in times_], window_start=0, window_end=length, classes=["c"]
        )
        (c,) = f.classes
        return (c.high - c.low) / c.rate_per_day

    assert width(n * times, days * times) < width(n, days)


def test_rate_is_the_posterior_mean_of_the_counts_in_the_window():
    arrivals = [(1.0, "a"), (2.5, "a"), (9.9, "b"), (10.0, "a"), (-1.0, "a")]
    f = estimate_arrivals(arrivals, window_start=0, window_end=10)
    by = f.by_class()
    assert by["a"].arrivals == 2  # 10.0 and -1.0 are outside [0, 10)
    assert by["a"].rate_per_day == pytest.approx(2.5 / 10)  # Jeffreys: (n + 0.5) / T
    assert by["b"].rate_per_day == pytest.approx(1.5 / 10)
    assert f.total_rate() == pytest.approx(0.4)
    assert f.to_plain()["classes"][0]["interval"] == [by["a"].low, by["a"].high]


def test_sampled_rates_follow_the_posterior():
    f = estimate_arrivals([(float(t), "a") for t in range(100)], window_start=0, window_end=100)
    rng = np.random.default_rng(0)
    draws = [f.sample_rates(rng)["a"] for _ in range(2000)]
    (c,) = f.classes
    assert np.mean(draws) == pytest.approx(c.rate_per_day, rel=0.02)
    assert np.mean([c.low <= d <= c.high for d in draws]) == pytest.approx(0.95, abs=0.02)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"window_start": 0, "window_end": 0.5}, "window"),
        ({"window_start": 0, "window_end": 10, "level": 1.0}, "level"),
        ({"window_start": 0, "window_end": 10, "prior_shape": 0.1}, "prior_shape"),
        ({"window_start": 0, "window_end": 10, "prior_rate": -1}, "prior_rate"),
    ],
)
def test_bad_settings_name_the_field(kwargs, field):
    with pytest.raises(InvalidFieldError) as err:
        estimate_arrivals([], **kwargs)
    assert err.value.field == field


def test_forecast_is_a_frozen_value_object():
    f = estimate_arrivals([], window_start=0, window_end=10, classes=["a"])
    assert isinstance(f, ArrivalForecast)
    with pytest.raises(AttributeError):
        f.level = 0.5  # type: ignore[misc]


def test_profile_class_is_complexity_and_what_decides_eligibility(make_case):
    from capacity import Need, profile_class

    case = make_case(needs=frozenset({Need.MEDICAL, Need.LVB}), accompanying_children=1)
    assert profile_class(case, "complex").startswith("complex/")
    assert "needs=lvb+medical" in profile_class(case, "complex")
    assert profile_class(case, "complex").endswith("beds=2")
    other = make_case(needs=frozenset({Need.LVB, Need.MEDICAL}), accompanying_children=1)
    assert profile_class(other, "complex") == profile_class(case, "complex")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        (
            "complex/female/minor/needs=lvb+medical/beds=3",
            ProfileParts("complex", "female", "minor", ("lvb", "medical"), 3),
        ),
        (
            "standard/other/adult/needs=none/beds=1",
            ProfileParts("standard", "other", "adult", (), 1),
        ),
    ],
)
def test_a_profile_class_reads_back_into_its_parts(name, parts):
    assert profile_parts(name) == parts


@pytest.mark.parametrize("name", ["standard/other", "a/b/c/needs=x/beds=two", "a/b/c/d/e"])
def test_a_name_that_is_not_a_profile_class_is_refused(name):
    with pytest.raises(InvalidFieldError, match="profile_class"):
        profile_parts(name)
