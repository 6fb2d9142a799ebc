"""Line charts of the trends page as PNG (matplotlib, Agg backend, as the scenario charts).

Each chart is drawn from the published figures (:class:`api.stats.schemas.TrendStats`):
a suppressed count or an unpublished wait is a gap in its line, never a guess. The first
line (all cases, national) is drawn black and thicker, the groups after it in colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import matplotlib.pyplot as plt
import numpy as np

from api.stats.schemas import CaseCount, TrendStats
from api.web.cases_view import type_name
from api.web.charts import png
from scenarios.plots import FIGSIZE

CHARTS = ("waiting", "waits", "occupancy")  # the charts of the page, by file name
NAN = float("nan")  # where a point is not published: a gap in the line


def _value(count: CaseCount) -> float:
    return NAN if count.value is None else float(count.value)


def _days(days: int | None) -> float:
    return NAN if days is None else float(days)


def _lines(
    x: Sequence[date], series: Mapping[str, Sequence[float]], *, ylabel: str, title: str
) -> bytes:
    fig, ax = plt.subplots(figsize=FIGSIZE)
    days = np.array(x, dtype="datetime64[D]")
    for i, (label, values) in enumerate(series.items()):
        style = {"color": "black", "linewidth": 2.2} if i == 0 else {"linewidth": 1.2}
        ax.plot(days, values, label=label, marker="o", markersize=2.5, **style)
    if len(days):  # the whole window, also where the lines have gaps
        ax.set_xlim(days[0], days[-1])
    ax.set_xlabel("end of period")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    ax.set_title(title)
    fig.autofmt_xdate()
    return png(fig)


def trend_chart(stats: TrendStats, chart: str) -> bytes:
    """One of :data:`CHARTS` as a PNG.

    Raises
    ------
    KeyError
        For a chart that is not one of :data:`CHARTS`.
    """
    x = [p.end for p in stats.periods]
    classes = [g.key for g in stats.periods[0].by_complexity] if stats.periods else []
    by_class = [p.by_complexity for p in stats.periods]
    if chart == "waiting":
        series = {"all": [_value(p.waiting) for p in stats.periods]}
        for i, key in enumerate(classes):
            series[key.replace("_", " ")] = [_value(groups[i].waiting) for groups in by_class]
        return _lines(x, series, ylabel="cases waiting", title="Waiting list at the period's end")
    if chart == "waits":
        series = {"all (median)": [_days(p.median_wait_days) for p in stats.periods]}
        for i, key in enumerate(classes):
            series[f"{key.replace('_', ' ')} (mean)"] = [
                _days(groups[i].mean_wait_days) for groups in by_class
            ]
        return _lines(x, series, ylabel="days waited", title="Waits of the cases placed")
    if chart == "occupancy":
        series = {"national": [p.occupancy for p in stats.periods]}
        types = sorted({g.key for p in stats.periods for g in p.by_placement_type})
        for code in types:
            series[type_name(code)] = [
                next((g.occupancy for g in p.by_placement_type if g.key == code), NAN)
                for p in stats.periods
            ]
        return _lines(x, series, ylabel="share of beds occupied", title="Occupancy")
    raise KeyError(chart)
