"""A live progress line for long solves on a terminal (issue 11).

``opvang solve`` passes :class:`ProgressLine` to :func:`matching.solve` as its observer
and shows it with rich's ``Live``: the stage that last reported, the best plan, the
proven bound, the gap and the time left, redrawn four times a second so the clock moves
between events. Off with ``--quiet`` and when standard output or standard error (where
the line is drawn) is not a terminal (a pipe, a file, CI), so nothing but the result
reaches a script or a log.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.text import Text

from matching import Observer, Progress, relative_gap

REFRESH_PER_SECOND = 4  # redraws of the line: the time left moves between events


def _value(x: float) -> str:
    return f"{x:,.1f}" if math.isfinite(x) else "-"


class ProgressLine:
    """The observer and the line it draws.

    Parameters
    ----------
    time_limit
        The solve's wall-clock limit in seconds (for the time left).
    """

    def __init__(self, time_limit: float) -> None:
        self.time_limit = time_limit
        self.started = time.perf_counter()
        self.last: Progress | None = None
        self.done = False

    def __call__(self, event: Progress) -> None:
        self.last = event

    def __rich__(self) -> Text:
        return self.render()

    def render(self) -> Text:
        """The line as it stands now."""
        elapsed = time.perf_counter() - self.started
        clock = (
            f"done in {elapsed:.1f} s"
            if self.done
            else f"{max(0.0, self.time_limit - elapsed):.1f} s left"
        )
        e = self.last
        if e is None:
            return Text(f"[{clock}] building the model")
        objective, bound = (
            (e.total_objective, e.total_bound) if e.has_totals else (e.objective, e.bound)
        )
        part = f" (part {e.part + 1}/{e.parts})" if e.parts > 1 and not e.has_totals else ""
        gap = relative_gap(objective, bound)
        shown_gap = f"{gap:.2%}" if math.isfinite(gap) else "-"
        return Text(
            f"[{clock}] stage {e.stage}{part} · best {_value(objective)} · "
            f"bound {_value(bound)} · gap {shown_gap}"
        )


def wanted(*, quiet: bool, stdout: Console, drawn_on: Console) -> bool:
    """Whether to show progress: not asked to be quiet, standard output a terminal (no
    script reads the result), and the console the line is drawn on one as well (with
    ``2> log`` the line's last state went into the file, cut off, with no newline)."""
    return not quiet and stdout.is_terminal and drawn_on.is_terminal


@contextmanager
def progress_line(console: Console, time_limit: float, *, show: bool) -> Iterator[Observer]:
    """An observer for :func:`matching.solve`; while the block runs, its line is live on
    ``console`` when ``show``, and the last state stays on screen at the end."""
    line = ProgressLine(time_limit)
    if not show:
        yield line
        return
    with Live(line, console=console, refresh_per_second=REFRESH_PER_SECOND, transient=False):
        try:
            yield line
        finally:
            line.done = True
