"""The demand forecast page's interval chart as PNG (matplotlib, Agg backend).

Drawn from the published figures (:class:`api.stats.schemas.ForecastStats`): one row per
published profile class and per complexity class total, its expected arrivals over the
planning horizon as a dot and its credible interval as a bar. A suppressed row is not
drawn: it is named with "suppressed" instead of a bar, never a guess.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from api.stats.schemas import ForecastStats, RateFigures
from api.web.charts import png
from scenarios.plots import FIGSIZE

ROW_INCHES = 0.32  # height per row, so that long class names stay readable


def _rows(stats: ForecastStats) -> list[tuple[str, RateFigures, bool]]:
    """(label, figures, is a total), totals first, each followed by its classes."""
    rows: list[tuple[str, RateFigures, bool]] = []
    for total in stats.by_complexity:
        rows.append((f"{total.complexity.replace('_', ' ')}: all", total, True))
        rows += [
            (c.profile_class.split("/", 1)[1].replace("other", "other classes"), c, False)
            for c in stats.classes
            if c.complexity == total.complexity
        ]
    return rows


def forecast_chart(stats: ForecastStats) -> bytes:
    """Expected arrivals over the horizon with their credible intervals, as a PNG."""
    rows = _rows(stats)
    height = max(FIGSIZE[1], 1.2 + ROW_INCHES * len(rows))
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    for y, (_, figures, total) in enumerate(rows):
        if figures.expected_in_horizon is None or figures.horizon_interval is None:
            ax.text(0, y, "  suppressed (1 to 4 arrivals)", va="center", fontsize=7, color="grey")
            continue
        low, high = figures.horizon_interval
        color = "black" if total else "tab:blue"
        ax.plot([low, high], [y, y], color=color, linewidth=2.2 if total else 1.4)
        ax.plot([figures.expected_in_horizon], [y], "o", color=color, markersize=4)
    ax.set_yticks(range(len(rows)), [label for label, _, _ in rows], fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # the first row at the top, as in the tables
    ax.set_xlim(left=0)
    ax.set_xlabel(f"expected arrivals in the next {stats.horizon_days} days")
    ax.grid(axis="x", alpha=0.3)
    level = f"{stats.level:.0%}"
    ax.set_title(
        f"Demand forecast from the intake of {stats.window.from_} to {stats.window.to}\n"
        f"expected arrivals (dot) and {level} credible interval (bar)",
        fontsize=10,
    )
    return png(fig)
