"""The vectorised earliest-day search of the explanations gives the old scan's answers (issue 11).

The old code scanned day by day per option (``_scan`` below, kept verbatim as the
reference); the new one finds every option's earliest day in one numpy pass. Both the
search itself (hypothesis) and whole explanations of demo rounds (old path patched back
in) must agree exactly.
"""

from __future__ import annotations

import importlib

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.matching.live_round import demo_supply
from capacity import bundled_rulebook
from matching import Method, SolveParams, build_problem, explain, solve
from matching.explain import earliest_days


def _scan(row: npt.NDArray[np.int64], beds: int, stay: int) -> int:
    """The old per-option scan: the first day the stay fits, ``-1`` if none."""
    h = len(row)
    for d in range(h):
        if row[d : min(h, d + stay)].min() >= beds:
            return d
    return -1


@st.composite
def searches(draw: st.DrawFn) -> tuple[npt.NDArray[np.int64], list[int], list[int]]:
    n, h = draw(st.integers(1, 6)), draw(st.integers(1, 12))
    cells = st.lists(st.integers(-1, 4), min_size=n * h, max_size=n * h)
    rows = np.array(draw(cells), dtype=np.int64).reshape(n, h)
    beds = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    stay = draw(st.lists(st.integers(1, h + 3), min_size=n, max_size=n))
    return rows, beds, stay


@given(searches())
@settings(max_examples=300, deadline=None)
def test_earliest_days_is_the_day_by_day_scan(search):
    rows, beds, stay = search
    expected = [_scan(r, b, s) for r, b, s in zip(rows, beds, stay, strict=True)]
    assert earliest_days(rows, beds, stay).tolist() == expected


def test_no_rows_no_days():
    assert earliest_days(np.zeros((0, 5), dtype=np.int64), [], []).tolist() == []


EXPLAIN = importlib.import_module("matching.explain")  # the package's `explain` is the function


def _scan_all(rows, beds, stay):
    """The old scan, option by option, in the new function's place."""
    beds, stay = np.broadcast_to(beds, len(rows)), np.broadcast_to(stay, len(rows))
    return np.array([_scan(r, b, s) for r, b, s in zip(rows, beds, stay, strict=True)])


@pytest.mark.parametrize("seed", [3, 11])
def test_demo_rounds_explain_as_the_old_scan_did(seed, monkeypatch):
    snap, waiting = demo_supply(seed)
    built = build_problem(snap, waiting, bundled_rulebook(), bridges=True)
    # a greedy plan leaves room for every kind of reason, "improvable" included
    result = solve(built.problem, SolveParams(time_limit=5, method=Method.GREEDY))
    new = explain(built, result)
    monkeypatch.setattr(EXPLAIN, "earliest_days", _scan_all)
    old = explain(built, result)
    assert new == old
    assert new.waits
    assert new.proposals
