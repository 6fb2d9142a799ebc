"""The greedy's free beds against plain minima over the days, as beds are taken and given back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.free_beds import FreeBeds


def plain_fits(free: np.ndarray, beds: int, f: int, start: int, end: int) -> bool:
    return bool(free[f, start:end].min() >= beds)


def plain_earliest(free: np.ndarray, open_days: np.ndarray, beds: int, f: int, stay: int) -> int:
    """The first open day from which the stay (cut at the horizon) fits; the horizon if none."""
    h = free.shape[1]
    for d in range(h):
        if open_days[f, d] and plain_fits(free, beds, f, d, min(d + stay, h)):
            return d
    return h


@pytest.mark.parametrize("horizon", [1, 2, 3, 7, 60, 61])
def test_fits_match_a_plain_minimum_before_and_after_beds_are_taken_and_given_back(
    horizon: int,
) -> None:
    rng = np.random.default_rng(horizon)
    free = rng.integers(0, 5, size=(6, horizon)).astype(np.int32)
    counts = np.array([1, 2, 4, 5])
    beds = FreeBeds(free, counts)
    pairs = [(s, e) for s in range(horizon) for e in range(s + 1, horizon + 1)]
    f = np.repeat(np.arange(6), len(pairs))
    start = np.tile([s for s, _ in pairs], 6)
    end = np.tile([e for _, e in pairs], 6)
    for step in range(4):
        for b in counts.tolist():
            expected = [plain_fits(free, b, *q) for q in zip(f, start, end, strict=True)]
            assert beds.fits(b, f, start, end).tolist() == expected
        g, s = int(rng.integers(6)), int(rng.integers(horizon))
        taken = 1 if step < 3 else -2  # the last step gives beds back (a plan's case moved)
        beds.take(g, s, horizon, taken)
        free[g, s:] -= taken


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    horizon=st.integers(1, 40),
    facilities=st.integers(1, 5),
    open_share=st.floats(0.0, 1.0),
)
def test_the_earliest_fitting_day_is_the_first_open_day_a_plain_scan_finds(
    seed: int, horizon: int, facilities: int, open_share: float
) -> None:
    """For every bed count, facility and stay (past the horizon too), before and after
    beds are taken and given back: the binary search over the bands finds the day a scan
    over the days finds, and the horizon when there is none."""
    rng = np.random.default_rng(seed)
    free = rng.integers(0, 4, size=(facilities, horizon)).astype(np.int32)
    open_days = rng.random((facilities, horizon)) < open_share
    counts = np.array([1, 2, 3])
    beds = FreeBeds(free, counts, open_days)
    stays = np.arange(1, horizon + 3)
    for step in range(3):
        for b in counts.tolist():
            for f in range(facilities):
                got = beds.earliest(b, np.full(stays.size, f), stays)
                expected = [plain_earliest(free, open_days, b, f, s) for s in stays.tolist()]
                assert got.tolist() == expected
        # a whole round's options at once, each at its own bed count
        bed_of = rng.choice(counts, size=30)
        fac, stay = rng.integers(0, facilities, 30), rng.integers(1, horizon + 3, 30)
        expected = [
            plain_earliest(free, open_days, *q) for q in zip(bed_of, fac, stay, strict=True)
        ]
        assert beds.earliest(bed_of, fac, stay).tolist() == expected
        g, s = int(rng.integers(facilities)), int(rng.integers(horizon))
        end = min(horizon, s + int(rng.integers(1, horizon + 1)))
        taken = 1 if step < 2 else -1  # the last step gives beds back
        beds.take(g, s, end, taken)
        free[g, s:end] -= taken
