"""What the plots draw: the data behind each bar and line (not the pixels)."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from scenarios import plots


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Figure]]:
    """The figures the plot functions make, kept open instead of turned into PNGs."""
    made: list[Figure] = []

    def keep(fig: Figure) -> bytes:
        made.append(fig)
        return b""

    monkeypatch.setattr(plots, "_png", keep)
    yield made
    for fig in made:
        plt.close(fig)


def test_a_group_without_cases_gets_no_bar_but_a_note():
    bars = plots.bar_data(
        {"standard": (4.0, [3.0, 5.5]), "complex": (None, None)},
        ["standard", "complex", "highly_complex"],
    )
    assert bars.heights == [4.0, None, None]  # highly_complex: not in the run at all
    assert bars.notes == ["", "no cases", "no cases"]
    assert bars.errors[:, 0].tolist() == [1.0, 1.5]
    assert bars.errors[:, 1:].tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_mean_wait_bars_draws_no_zero_day_bar_for_an_empty_group(figures: list[Figure]):
    runs = {
        "a": {"standard": (4.0, None), "complex": (None, None)},
        "b": {"standard": (2.0, None), "complex": (6.0, [5.0, 7.0])},
    }
    plots.mean_wait_bars(runs, ["standard", "complex"])
    (ax,) = figures[0].axes
    assert sorted(p.get_height() for p in ax.patches) == [2.0, 4.0, 6.0]
    assert [t.get_text().strip() for t in ax.texts] == ["no cases"]
