"""PNG plots of scenario runs (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from capacity import CATALOGUE, PlacementType

DPI = 110  # dots per inch of the PNGs
FIGSIZE = (8.0, 4.2)  # inches
NO_CASES = "no cases"  # written where a group has no cases (never a 0-day bar)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=DPI)
    plt.close(fig)
    return buf.getvalue()


def _type_name(code: str) -> str:
    try:
        return CATALOGUE[PlacementType(code)].name
    except ValueError:
        return code


def ecdf(values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted values and the share of cases waiting at most that long."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    return x, np.arange(1, x.size + 1) / x.size


def wait_distribution(
    runs: Mapping[str, Mapping[str, Sequence[float]]],
    classes: Sequence[str],
    hidden: Mapping[str, Mapping[str, str]] | None = None,
) -> bytes:
    """Share of cases placed within x days, per complexity class (one panel per class).

    Parameters
    ----------
    runs
        Per run label, per class, the waits pooled over replications (waits of cases still
        waiting at the end count as the days waited so far).
    classes
        The complexity classes, in order.
    hidden
        Per run label, the classes not drawn and why (``"fewer than 5 cases"``): they are
        named in the panel's legend instead of a line (their waits should not be in
        ``runs`` at all).
    """
    hidden = hidden or {}
    fig, axes = plt.subplots(
        1, len(classes), figsize=(FIGSIZE[0] * 1.4, FIGSIZE[1]), sharey=True, squeeze=False
    )
    for ax, cls in zip(axes[0], classes, strict=True):
        drawn = 0
        for label, by_class in runs.items():
            note = hidden.get(label, {}).get(cls)
            waits = by_class.get(cls, [])
            if note:
                ax.plot([], [], " ", label=f"{label}: {note}, not shown")
                drawn += 1
            elif waits:
                x, y = ecdf(waits)
                ax.step(x, y, where="post", label=f"{label} (n={len(waits)})")
                drawn += 1
        ax.set_title(cls.replace("_", " "))
        ax.set_xlabel("waiting days")
        ax.grid(alpha=0.3)
        if drawn:
            ax.legend(fontsize=7, loc="lower right")
        else:
            ax.text(0.5, 0.5, NO_CASES, ha="center", transform=ax.transAxes)
    axes[0][0].set_ylabel("share of cases waited at most x days")
    fig.suptitle("Waiting-time distribution by complexity class (all replications)")
    return _png(fig)


def occupancy_over_time(occupancy: Mapping[str, Sequence[float]], title: str) -> bytes:
    """Share of beds occupied per placement type, day by day (mean over replications)."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for code, shares in occupancy.items():
        ax.plot(np.arange(len(shares)), shares, label=_type_name(code), linewidth=1.2)
    ax.set_xlabel("day of the run")
    ax.set_ylabel("share of beds occupied")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    ax.set_title(title)
    return _png(fig)


def waiting_over_time(waiting: Mapping[str, Sequence[float]]) -> bytes:
    """Cases waiting, day by day (mean over replications), one line per run."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for label, counts in waiting.items():
        ax.plot(np.arange(len(counts)), counts, label=label, linewidth=1.2)
    ax.set_xlabel("day of the run")
    ax.set_ylabel("cases waiting")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Waiting list over time")
    return _png(fig)


@dataclass(frozen=True, slots=True)
class Bars:
    """One run's bars: a height and interval where a bar is drawn, else the note instead.

    Parameters
    ----------
    heights
        Per group, the mean (``None``: no bar).
    errors
        Shape (2, groups): distances from the mean down and up to the interval's ends.
    notes
        Per group, what is written where no bar is drawn (``""`` under a bar).
    """

    heights: list[float | None]
    errors: np.ndarray
    notes: list[str]


def bar_data(
    stats: Mapping[str, tuple[float | None, Sequence[float] | None]],
    groups: Sequence[str],
    hidden: Mapping[str, str] | None = None,
) -> Bars:
    """What :func:`mean_wait_bars` draws for one run.

    A group without cases (mean ``None``) gets no bar and the note ``"no cases"``: never a
    0-day bar. A group in ``hidden`` gets no bar and its note there, whatever its mean.
    """
    hidden = hidden or {}
    heights: list[float | None] = []
    notes: list[str] = []
    err = np.full((2, len(groups)), np.nan)  # NaN: no interval, no whisker
    for i, g in enumerate(groups):
        mean, ci = stats.get(g, (None, None))
        if g in hidden:
            heights.append(None)
            notes.append(hidden[g])
        elif mean is None:
            heights.append(None)
            notes.append(NO_CASES)
        else:
            heights.append(float(mean))
            notes.append("")
            if ci is not None:
                err[:, i] = (mean - ci[0], ci[1] - mean)
    return Bars(heights, err, notes)


def mean_wait_bars(
    runs: Mapping[str, Mapping[str, tuple[float | None, Sequence[float] | None]]],
    groups: Sequence[str],
    hidden: Mapping[str, Mapping[str, str]] | None = None,
) -> bytes:
    """Mean wait per group with its 95 % interval, runs side by side.

    Parameters
    ----------
    runs
        Per run label, per group, (mean, [low, high] or ``None``).
    groups
        The groups to show, in order.
    hidden
        Per run label, the groups not drawn and the note written instead of their bar.
    """
    hidden = hidden or {}
    fig, ax = plt.subplots(figsize=FIGSIZE)
    width = 0.8 / max(len(runs), 1)
    x = np.arange(len(groups))
    for k, (label, stats) in enumerate(runs.items()):
        bars = bar_data(stats, groups, hidden.get(label))
        pos = x + (k - (len(runs) - 1) / 2) * width
        drawn = [(i, h) for i, h in enumerate(bars.heights) if h is not None]
        at = [i for i, _ in drawn]
        ax.bar(pos[at], [h for _, h in drawn], width, label=label)
        # whiskers only where there is an interval (3 replications or more)
        whisk = [i for i in at if not np.isnan(bars.errors[0, i])]
        if whisk:
            heights = [float(bars.heights[i] or 0.0) for i in whisk]
            ax.errorbar(
                pos[whisk], heights, yerr=bars.errors[:, whisk], fmt="none", capsize=3, ecolor="k"
            )
        for i, note in enumerate(bars.notes):
            if note:
                ax.text(pos[i], 0, f" {note}", rotation=90, ha="center", va="bottom", fontsize=7)
    ax.set_ylim(bottom=0)
    ax.set_xticks(x, [g.replace("_", " ") for g in groups])
    ax.set_ylabel("mean waiting days (95% interval, 3+ replications)")
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    ax.set_title("Mean wait by complexity class")
    return _png(fig)
