"""What the plots draw: the data behind each bar and line (not the pixels)."""

from __future__ import annotations

from collections.abc import Iterator

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from capacity.disclosure import SMALL_CELL
from scenarios import compare_plots, plots, small_groups


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
    assert np.isnan(bars.errors[:, 1:]).all()  # no interval: no whisker (issue 15)


def test_a_bar_without_an_interval_gets_no_whisker(figures: list[Figure]):
    # issue 15: with 1 replication the charts still drew 95 % whiskers (of length 0)
    plots.mean_wait_bars({"a": {"standard": (4.0, None), "complex": (6.0, [5.0, 7.0])}},
                         ["standard", "complex"])  # fmt: skip
    ax = figures[-1].axes[0]
    whiskers = [c for c in ax.containers if type(c).__name__ == "ErrorbarContainer"]
    assert len(whiskers) == 1
    (segments,) = [lc.get_segments() for lc in whiskers[0].lines[2]]
    assert len(segments) == 1  # one whisker: the bar with an interval


def test_mean_wait_bars_draws_no_zero_day_bar_for_an_empty_group(figures: list[Figure]):
    runs = {
        "a": {"standard": (4.0, None), "complex": (None, None)},
        "b": {"standard": (2.0, None), "complex": (6.0, [5.0, 7.0])},
    }
    plots.mean_wait_bars(runs, ["standard", "complex"])
    (ax,) = figures[0].axes
    assert sorted(p.get_height() for p in ax.patches) == [2.0, 4.0, 6.0]
    assert [t.get_text().strip() for t in ax.texts] == ["no cases"]


def test_a_hidden_group_gets_its_note_instead_of_its_bar():
    bars = plots.bar_data(
        {"standard": (4.0, None), "complex": (9.0, [8.0, 10.0])},
        ["standard", "complex"],
        {"complex": "fewer than 5 cases"},
    )
    assert bars.heights == [4.0, None]
    assert bars.notes == ["", "fewer than 5 cases"]


def _run(cases: dict[str, float]) -> tuple[dict, dict]:
    """A ``kpis.json`` and ``series.json`` pair with that many cases per class."""
    by_class = {
        g: {"cases": n, "wait_days": {"mean": 2.0 + n, "ci95": [1.0 + n, 3.0 + n]}}
        for g, n in cases.items()
    }
    waits = {g: [float(i) for i in range(int(n))] for g, n in cases.items() if g != COMPLEX}
    return {"by_class": by_class}, {"classes": CLASSES, "waits": waits, "waiting": [1, 2]}


CLASSES = ["standard", "complex", "highly_complex"]
COMPLEX = "complex_cases"


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple]:
    """What compare_plots hands to each plot function."""
    calls: dict[str, tuple] = {}

    def spy(name: str):
        def record(*args: object) -> bytes:
            calls[name] = args
            return b""

        return record

    for name in ("mean_wait_bars", "wait_distribution", "waiting_over_time"):
        monkeypatch.setattr(plots, name, spy(name))
    return calls


def test_compare_plots_leave_classes_under_the_small_cell_threshold_out(drawn):
    runs = [
        _run({"standard": 40, "complex": 3, "highly_complex": 0, COMPLEX: 3}),
        _run({"standard": 40, "complex": 12, "highly_complex": 4, COMPLEX: 16}),
    ]
    compare_plots(["a", "b"], runs, min_cases=SMALL_CELL)
    waits, classes, hidden = drawn["wait_distribution"]
    assert classes == CLASSES
    assert {label: sorted(w) for label, w in waits.items()} == {
        "a": ["standard"],  # the 3 complex waits are not even handed over
        "b": ["complex", "standard"],
    }
    note = "fewer than 5 cases"
    assert hidden == {
        "a": {"complex": note, "highly_complex": note, COMPLEX: note},
        "b": {"highly_complex": note},
    }
    bars, groups, bar_hidden = drawn["mean_wait_bars"]
    assert groups == [*CLASSES, COMPLEX]
    assert sorted(bars["a"]) == ["standard"]
    assert sorted(bars["b"]) == ["complex", COMPLEX, "standard"]
    assert bar_hidden == hidden


def test_compare_plots_without_a_threshold_draw_every_class(drawn):
    runs = [_run({"standard": 40, "complex": 3, "highly_complex": 1, COMPLEX: 4})]
    compare_plots(["a"], runs)
    waits, _, hidden = drawn["wait_distribution"]
    assert sorted(waits["a"]) == ["complex", "highly_complex", "standard"]
    assert hidden == {}
    assert len(drawn["mean_wait_bars"][0]["a"]) == 4


def test_small_groups_count_cases_per_replication_as_the_tables_do():
    doc, _ = _run({"standard": 5, "complex": 4.9, "highly_complex": 0, COMPLEX: 4.9})
    assert small_groups(doc, [*CLASSES, COMPLEX, "unknown"], SMALL_CELL) == [
        "complex",
        "highly_complex",
        COMPLEX,
        "unknown",
    ]
