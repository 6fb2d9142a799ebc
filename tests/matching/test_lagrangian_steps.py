"""The Lagrangian step study (``benchmarks.matching.lagrangian_steps``) counts what it says."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import matching.capacity_bound as cb
from benchmarks.matching import lagrangian_steps as study
from matching.step_aim import LevelAim

SEED = 2007  # a sweep round of 300 cases with stream budgets


def test_each_checkpoint_is_the_bound_that_many_steps_reach_under_its_rule() -> None:
    (name, problem), *_ = study.rounds([SEED], [])
    row = study.measure(name, problem, steps=10, rules=["level-5", "level-2", "plan-2"])
    greedy = row["greedy"]
    for rule in ("level-5", "level-2", "plan-2"):
        five, ten = row[rule]
        assert five <= ten <= greedy  # the best so far, and a bound
    deadline = time.perf_counter() + 60
    engine = cb.capacity_bound(problem, deadline=deadline, incumbent=greedy, max_steps=10)
    assert row["level-5"][1] == pytest.approx(engine.bound)  # the engine's default rule
    shorter = cb.capacity_bound(
        problem, deadline=deadline, incumbent=greedy, max_steps=10, aim=LevelAim(greedy, 2)
    )
    assert row["level-2"][1] == pytest.approx(shorter.bound)


def test_the_plan_rule_halves_its_share_of_the_way_to_the_plan() -> None:
    aim = study.PlanAim(incumbent=100.0, patience=2)
    assert aim.after(20.0, 20.0, improved=True) == 100.0
    assert aim.after(10.0, 20.0, improved=False) == 100.0
    assert aim.after(10.0, 20.0, improved=False) == 10.0 + 0.5 * 90.0
    for bad in ("steep-3", "level-x", "plan-0", "level"):
        with pytest.raises(ValueError, match=f"'{bad}' is neither"):
            study.aim_for(bad, 100.0)


def test_the_summary_merges_rows_of_a_round_and_counts_higher_or_lower(tmp_path: Path) -> None:
    rows = [
        {"round": "a", "cases": 300, "greedy": 100.0, "plan-10": [10.0, 50.0]},
        {"round": "b", "cases": 300, "greedy": 100.0, "plan-10": [10.0, 60.0]},
        {"round": "a", "cases": 300, "greedy": 100.0, "level-5": [10.0, 80.0]},  # run apart
        {"round": "b", "cases": 300, "greedy": 100.0, "level-5": [10.0, 20.0]},
    ]
    path = tmp_path / "steps.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = study.summary(path, "plan-10")
    assert text.startswith("2 rounds; against plan-10\nlevel-5:")
    assert "    5 steps: higher 0, lower 0" in text
    # distances to the plan 20/50 and 80/40: geometric mean sqrt(0.4 x 2) = 0.894
    assert "   10 steps: higher 1, lower 1; distance to the greedy's plan 0.894" in text
