"""The level method's aim (``matching.step_aim.LevelAim``): the rule, step by step."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from matching.step_aim import LEVEL_GROW, SMALLEST_MARGIN, LevelAim


def test_the_first_step_aims_at_the_plan() -> None:
    aim = LevelAim(incumbent=1000.0)
    assert aim.after(200.0, 200.0, improved=True) == 1000.0
    assert aim.margin == 800.0


def test_the_margin_halves_after_the_patience_without_a_better_bound() -> None:
    aim = LevelAim(incumbent=1000.0, patience=3)
    aim.after(200.0, 200.0, improved=True)  # margin 800
    assert aim.after(150.0, 200.0, improved=False) == 1000.0
    assert aim.after(100.0, 200.0, improved=False) == 1000.0
    assert aim.after(120.0, 200.0, improved=False) == 200.0 + 400.0  # halved on the third
    assert aim.stale == 0


def test_a_step_that_reaches_its_aim_grows_the_margin_and_the_aim_stays_below_the_plan() -> None:
    aim = LevelAim(incumbent=1000.0, patience=2)
    aim.after(200.0, 200.0, improved=True)  # margin 800, aim 1000
    aim.after(100.0, 200.0, improved=False)
    assert aim.after(100.0, 200.0, improved=False) == 600.0  # margin 400
    # 650 reaches the aim of 600: the margin grows to 600, the aim is min(1250, 1000)
    assert aim.after(650.0, 650.0, improved=True) == 1000.0
    assert aim.margin == 400.0 * LEVEL_GROW


def test_the_steps_stop_once_the_margin_has_run_out() -> None:
    aim = LevelAim(incumbent=1000.0, patience=1)
    assert aim.after(0.0, 0.0, improved=True) == 1000.0
    halvings = 0
    while (found := aim.after(-5.0, 0.0, improved=False)) is not None:
        halvings += 1
        assert found == aim.margin
    assert aim.margin < SMALLEST_MARGIN * 1000.0 <= 2 * aim.margin
    assert halvings == 13  # 1000 / 2**14 is the first margin under 0.1


@given(
    incumbent=st.floats(-1e6, 1e6),
    bounds=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60),
    patience=st.integers(1, 12),
)
def test_the_aim_lies_above_the_best_bound_and_never_above_the_plan(
    incumbent: float, bounds: list[float], patience: int
) -> None:
    """Bounds below the plan (a share of the way from the plan less 1,000 to it)."""
    aim, best = LevelAim(incumbent, patience), -float("inf")
    for share in bounds:
        bound = incumbent - 1000.0 + 999.0 * share
        improved = bound > best
        best = max(best, bound)
        found = aim.after(bound, best, improved)
        if found is None:
            break
        assert best < found <= incumbent
