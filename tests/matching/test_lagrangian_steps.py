"""The Lagrangian step study (``benchmarks.matching.lagrangian_steps``) counts what it says."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import matching.capacity_bound as cb
from benchmarks.matching import lagrangian_steps as study

SEED = 2007  # a sweep round of 300 cases with stream budgets


def test_each_checkpoint_is_the_bound_that_many_steps_reach_and_the_patience_is_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (name, problem), *_ = study.rounds([SEED], [])
    row = study.measure(name, problem, steps=10, patiences=[10, 2])
    assert cb.PATIENCE == 10
    greedy = row["greedy"]
    for patience in ("10", "2"):
        five, ten = row[patience]
        assert five <= ten <= greedy  # the best so far, and a bound
    monkeypatch.setattr(cb, "PATIENCE", 2)
    direct = cb.capacity_bound(
        problem, deadline=time.perf_counter() + 60, incumbent=greedy, max_steps=10
    )
    assert row["2"][1] == pytest.approx(direct.bound)


def test_the_summary_counts_rounds_whose_bound_is_higher_or_lower(tmp_path: Path) -> None:
    rows = [
        {"round": "a", "cases": 300, "greedy": 100.0, "10": [10.0, 50.0], "5": [10.0, 80.0]},
        {"round": "b", "cases": 300, "greedy": 100.0, "10": [10.0, 60.0], "5": [10.0, 20.0]},
    ]
    path = tmp_path / "steps.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = study.summary(path, "10")
    assert "    5 steps: higher 0, lower 0" in text
    # distances to the plan 20/50 and 80/40: geometric mean sqrt(0.4 x 2) = 0.894
    assert "   10 steps: higher 1, lower 1; distance to the greedy's plan 0.894" in text
